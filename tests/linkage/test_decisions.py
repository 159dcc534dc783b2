"""The household veto and the automatic threshold in SQL agree with ``rules.household_veto``."""

from __future__ import annotations

import itertools
import shutil
from typing import Any

import duckdb
import pytest

from joinedup.linkage import decisions, rules
from joinedup.linkage import model as lm


def _scored_pairs(settings: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """Every combination of the veto's levels, at probabilities around the threshold."""
    con = duckdb.connect()
    present = [c for c in decisions.VETO_COLUMNS if decisions.level_labels(settings, c)]
    levels = [sorted(decisions.level_labels(settings, c)) for c in present]
    rows = [
        (*combination, probability)
        for combination in itertools.product(*levels)
        for probability in (0.5, 0.98999, 0.99, 0.999999)
    ]
    names = ", ".join([*(f"gamma_{c} INTEGER" for c in present), "match_probability DOUBLE"])
    con.execute(f"CREATE TABLE scored ({names})")
    con.executemany(f"INSERT INTO scored VALUES ({', '.join('?' for _ in rows[0])})", rows)
    return con


@pytest.mark.parametrize("identifier", [False, True])
@pytest.mark.parametrize("allow_missing_dob", [False, True])
def test_sql_veto_matches_the_rule_for_every_level(
    identifier: bool, allow_missing_dob: bool
) -> None:
    columns = ["postcode", "gender", "address", "first_name", "surname", "dob"]
    if identifier:
        columns.append("identifier")
    settings = lm.settings(columns)
    con = _scored_pairs(settings)
    veto = decisions.veto_sql(settings, allow_missing_dob=allow_missing_dob)
    found = con.sql(decisions.decided_sql("scored", veto, 0.99)).fetchall()
    labels = {c: decisions.level_labels(settings, c) for c in decisions.VETO_COLUMNS}
    present = [c for c in decisions.VETO_COLUMNS if labels[c]]
    assert len(found) > 100
    reasons = set()
    for row in found:
        gammas, probability, reason, vetoed, decision = row[:-4], *row[-4:]
        expected = rules.household_veto(
            *[labels[c][g] for c, g in zip(present, gammas, strict=True)],
            allow_missing_dob=allow_missing_dob,
        )
        assert reason == expected
        assert vetoed == (expected is not None)
        assert decision == ("auto" if probability >= 0.99 and expected is None else "review")
        reasons.add(reason)
    assert {None, "first names unlike", "dates of birth differ"} <= reasons


def test_without_the_veto_only_the_threshold_decides() -> None:
    columns = ["first_name", "surname", "dob"]
    settings = lm.settings(columns)
    con = _scored_pairs(settings)
    veto = decisions.veto_sql(settings, household_veto=False)
    decided = decisions.decided_sql("scored", veto, 0.99)
    found = con.sql(f"SELECT match_probability, veto, decision FROM ({decided})").fetchall()
    assert {veto for _, veto, _ in found} == {None}
    assert all((d == "auto") == (p >= 0.99) for p, _, d in found)


# The ambiguity guard over a table of scored pairs: (a, b, dob_l, dob_r, first name level,
# dob level, probability). A blank dob is a record without a date of birth.
GUARD_COLUMNS = ["first_name", "surname", "dob"]
_SAME = "exact match"
_DIFF = "all other comparisons"
GUARD_PAIRS = [
    # father and son with one name at one address, and a record of that name without a dob
    ("father", "son", "1962-03-02", "1989-07-21", _SAME, _DIFF, 0.995),
    ("nodob", "father", None, "1962-03-02", _SAME, None, 0.999),
    ("nodob", "son", None, "1989-07-21", _SAME, None, 0.999),
    # one person with two dated records and a copy without a dob
    ("solo-a", "solo-b", "1958-04-19", "1958-04-19", _SAME, _SAME, 0.9999),
    ("solo-nodob", "solo-a", None, "1958-04-19", _SAME, None, 0.999),
    ("solo-nodob", "solo-b", None, "1958-04-19", _SAME, None, 0.999),
    # two dated records never compared: nothing shows they are one person
    ("w-nodob", "w1", None, "1970-01-01", _SAME, None, 0.999),
    ("w-nodob", "w2", None, "1971-02-02", _SAME, None, 0.999),
    # a copy without a dob and another without one: no evidence of a second person
    ("v-nodob", "v-nodob-2", None, None, _SAME, None, 0.999),
    # below the automatic threshold: held back, no guard needed
    ("u-nodob", "u", None, "1980-05-05", _SAME, None, 0.9),
    # first names unlike: the veto stands
    ("t-nodob", "t", None, "1980-05-05", _DIFF, None, 0.999),
]
# What the guard decides for each pair (veto reason, decision).
GUARD_EXPECTED = {
    ("father", "son"): ("dates of birth differ", "review"),
    ("nodob", "father"): (rules.DOB_MISSING_AMBIGUOUS, "review"),
    ("nodob", "son"): (rules.DOB_MISSING_AMBIGUOUS, "review"),
    ("solo-a", "solo-b"): (None, "auto"),
    ("solo-nodob", "solo-a"): (None, "auto"),
    ("solo-nodob", "solo-b"): (None, "auto"),
    ("w-nodob", "w1"): (rules.DOB_MISSING_AMBIGUOUS, "review"),
    ("w-nodob", "w2"): (rules.DOB_MISSING_AMBIGUOUS, "review"),
    ("v-nodob", "v-nodob-2"): (None, "auto"),
    ("u-nodob", "u"): (rules.DOB_MISSING, "review"),
    ("t-nodob", "t"): ("first names unlike", "review"),
}


def _gamma(settings: dict[str, Any], column: str, label: str | None) -> int:
    return next(g for g, lv in decisions.level_labels(settings, column).items() if lv == label)


def _guard_rows(settings: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (a, b, dl, dr, _gamma(settings, "first_name", fn), _gamma(settings, "dob", dob), p)
        for a, b, dl, dr, fn, dob, p in GUARD_PAIRS
    ]


GUARD_NAMES = [
    "unique_id_l",
    "unique_id_r",
    "dob_l",
    "dob_r",
    "gamma_first_name",
    "gamma_dob",
    "match_probability",
]


def _guard_table(settings: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE scored (unique_id_l VARCHAR, unique_id_r VARCHAR, dob_l VARCHAR,"
        " dob_r VARCHAR, gamma_first_name INTEGER, gamma_dob INTEGER, match_probability DOUBLE)"
    )
    con.executemany("INSERT INTO scored VALUES (?, ?, ?, ?, ?, ?, ?)", _guard_rows(settings))
    return con


def test_the_guard_lets_a_missing_dob_join_only_the_one_person_it_can_be() -> None:
    settings = lm.settings(GUARD_COLUMNS)
    con = _guard_table(settings)
    sql = decisions.pairs_sql("scored", settings, threshold_auto=0.99)
    found = con.sql(f"SELECT unique_id_l, unique_id_r, veto, decision FROM ({sql})").fetchall()
    assert {(a, b): (v, d) for a, b, v, d in found} == GUARD_EXPECTED


@pytest.mark.parametrize(
    ("missing_dob", "nodob_father", "solo"),
    [
        (rules.MISSING_DOB_REVIEW, (rules.DOB_MISSING, "review"), (rules.DOB_MISSING, "review")),
        (rules.MISSING_DOB_SCORE, (None, "auto"), (None, "auto")),
    ],
)
def test_the_other_choices_review_or_merge_every_missing_dob(
    missing_dob: str, nodob_father: tuple[str | None, str], solo: tuple[str | None, str]
) -> None:
    settings = lm.settings(GUARD_COLUMNS)
    con = _guard_table(settings)
    sql = decisions.pairs_sql("scored", settings, threshold_auto=0.99, missing_dob=missing_dob)
    found = {
        (a, b): (v, d)
        for a, b, v, d in con.sql(
            f"SELECT unique_id_l, unique_id_r, veto, decision FROM ({sql})"
        ).fetchall()
    }
    assert found[("nodob", "father")] == nodob_father
    assert found[("solo-nodob", "solo-a")] == solo


def test_an_unknown_missing_dob_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="one-person"):
        decisions.pairs_sql(
            "scored", lm.settings(GUARD_COLUMNS), threshold_auto=0.99, missing_dob="yes"
        )


def test_the_guard_in_sql_is_the_rule_in_python() -> None:
    """``guard_sql`` and ``rules.one_person`` agree on every record of the table above."""
    dobs: dict[str, str | None] = {}
    rel: dict[frozenset[str], tuple[bool, bool]] = {}
    reach: dict[str, list[str]] = {}
    for a, b, dl, dr, fn, dob, p in GUARD_PAIRS:
        dobs[a], dobs[b] = dl, dr
        strict = rules.household_veto(fn, dob)
        relaxed = rules.household_veto(fn, dob, allow_missing_dob=True)
        same = dob in rules.SAME_DOB or (p >= 0.99 and strict is None)
        rel[frozenset((a, b))] = (same, strict in rules.CONFLICTING)
        if p >= 0.99 and relaxed is None:
            for node, cand in ((a, b), (b, a)):
                if dobs[node] is None:
                    reach.setdefault(node, []).append(cand)
    for a, b, _, _, fn, dob, p in GUARD_PAIRS:
        if not (p >= 0.99 and rules.held_back_by_missing_dob(fn, dob)):
            continue
        ok = True
        for node in (n for n in (a, b) if dobs[n] is None):
            cands = reach.get(node, [])
            between = [
                rules.Between(
                    both_dob=dobs[y1] is not None and dobs[y2] is not None,
                    same=rel.get(frozenset((y1, y2)), (False, False))[0],
                    conflict=rel.get(frozenset((y1, y2)), (False, False))[1],
                )
                for i, y1 in enumerate(cands)
                for y2 in cands[i + 1 :]
            ]
            ok = ok and rules.one_person(between)
        assert GUARD_EXPECTED[(a, b)][1] == ("auto" if ok else "review"), (a, b)


@pytest.mark.slow
def test_the_guard_runs_on_spark_alike() -> None:
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java (make install brings openjdk-17-jre-headless)")
    from joinedup.linkage import engines

    settings = lm.settings(GUARD_COLUMNS)
    spark = engines.spark_session()
    spark.createDataFrame(
        _guard_rows(settings),
        "unique_id_l string, unique_id_r string, dob_l string, dob_r string,"
        " gamma_first_name int, gamma_dob int, match_probability double",
    ).createOrReplaceTempView("guard_scored")
    sql = decisions.pairs_sql("guard_scored", settings, threshold_auto=0.99)
    found = spark.sql(sql).select("unique_id_l", "unique_id_r", "veto", "decision").collect()
    assert {(row[0], row[1]): (row[2], row[3]) for row in found} == GUARD_EXPECTED
