"""Pure linkage helpers: cleaning, postcode parts, FEBRL truth, pairwise scores, the veto."""

from __future__ import annotations

import pytest

from joinedup.linkage import rules


def test_cleaning() -> None:
    assert rules.clean_name("  O'Brien-Smith ") == "o'brien smith"
    assert rules.clean_name(float("nan")) is None
    assert rules.clean_dob("19560409") == "1956-04-09"
    assert rules.clean_dob("1956-04-09T00:00") == "1956-04-09"
    assert rules.clean_dob("09/04/1956") is None
    assert rules.clean_gender("Female") == "f"
    assert rules.clean_gender("not_known") is None
    assert rules.canonical_first_name("liz") == "elizabeth"
    assert rules.canonical_first_name("beth") == "elizabeth"


@pytest.mark.parametrize(
    ("raw", "clean", "sector", "district"),
    [
        ("gu14ab", "GU1 4AB", "GU1 4", "GU1"),
        ("KT10  9AA", "KT10 9AA", "KT10 9", "KT10"),
        ("SW1A 1AA", "SW1A 1AA", "SW1A 1", "SW1A"),
        ("2119", "2119", "211", "21"),  # FEBRL's Australian postcodes degrade to prefixes
        ("XYZ", "XYZ", None, None),
    ],
)
def test_postcodes(raw: str, clean: str, sector: str | None, district: str | None) -> None:
    assert rules.clean_postcode(raw) == clean
    assert rules.postcode_sector(clean) == sector
    assert rules.postcode_district(clean) == district


def test_febrl_truth() -> None:
    assert rules.febrl_truth("rec-12-dup-3") == "12"
    assert rules.febrl_truth("rec-12-org") == "12"
    with pytest.raises(ValueError):
        rules.febrl_truth("12")


def test_pairwise_scores_count_every_pair_in_a_cluster() -> None:
    # truth: {a,b,c} one person, d another; predicted: {a,b}, {c,d}
    scores = rules.pairwise_scores(["1", "1", "2", "2"], ["p", "p", "p", "q"])
    assert (scores.true_positives, scores.predicted_pairs, scores.true_pairs) == (1, 2, 3)
    assert scores.precision == 0.5
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.f1 == pytest.approx(0.4)


def test_household_veto() -> None:
    assert rules.household_veto("exact match", "exact match") is None
    assert rules.household_veto(None, "day and month transposed") is None
    assert rules.household_veto("all other comparisons", "exact match") == "first names unlike"
    assert rules.household_veto("exact match", None) == "date of birth missing"
    assert rules.household_veto("exact match", "within a year") == "dates of birth differ"


def test_same_identifier_lifts_the_veto() -> None:
    assert rules.household_veto("all other comparisons", None, "exact match") is None
    assert rules.household_veto("exact match", None, "all other comparisons") is not None


def test_missing_dob_can_be_allowed() -> None:
    assert rules.household_veto("exact match", None, allow_missing_dob=True) is None
    assert rules.household_veto(None, None, allow_missing_dob=True) == "date of birth missing"
    assert rules.household_veto("all other comparisons", None, allow_missing_dob=True) is not None


def test_held_back_only_by_a_missing_dob() -> None:
    assert rules.held_back_by_missing_dob("exact match", None)
    assert not rules.held_back_by_missing_dob(None, None)  # no first name either
    assert not rules.held_back_by_missing_dob("all other comparisons", None)
    assert not rules.held_back_by_missing_dob("exact match", "exact match")
    assert not rules.held_back_by_missing_dob("exact match", "within a year")


def test_one_person_when_nothing_tells_the_candidates_apart() -> None:
    same = rules.Between(both_dob=True, same=True, conflict=False)
    undated = rules.Between(both_dob=False, same=False, conflict=False)
    assert rules.one_person([])  # a single candidate
    assert rules.one_person([same, undated])
    # father and son: both dated, nothing shows they are one person
    assert not rules.one_person([rules.Between(both_dob=True, same=False, conflict=False)])
    # vetoed against each other as different people
    assert not rules.one_person([rules.Between(both_dob=False, same=False, conflict=True)])


def test_missing_dob_choices() -> None:
    assert rules.DEFAULT_MISSING_DOB == rules.MISSING_DOB_ONE_PERSON
    for choice in rules.MISSING_DOB_CHOICES:
        assert rules.check_missing_dob(choice) == choice
    with pytest.raises(ValueError, match="review, one-person, score"):
        rules.check_missing_dob("true")
