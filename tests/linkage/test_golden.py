"""Golden cases (LNK-1) amid a synthetic population, scored by a model trained without labels."""

from __future__ import annotations

import shutil
from typing import Any

import pandas as pd
import pytest

from joinedup.linkage import batch, rules, synthetic

pytestmark = pytest.mark.slow

COLUMNS = ["unique_id", "first_name", "surname", "dob", "postcode", "gender", "address"]
HOME = ("14 acacia avenue guildford", "GU1 4AB")
GOLDEN = [
    # twins: same surname, address and date of birth, different first names
    ("twin-1", "Amelia", "Okonkwo", "2001-05-14", HOME[1], "female", HOME[0]),
    ("twin-2", "Grace", "Okonkwo", "2001-05-14", HOME[1], "female", HOME[0]),
    # father and son, one name, one address
    ("father", "David", "Hargreaves", "1962-03-02", "KT10 9AA", "male", "3 mill lane esher"),
    ("son", "David", "Hargreaves", "1989-07-21", "KT10 9AA", "male", "3 mill lane esher"),
    # a woman who changed surname and address
    ("maiden", "Sarah", "Whitfield", "1985-09-30", "GU21 5QP", "female", "4 mill lane woking"),
    ("married", "Sarah", "Pemberton", "1985-09-30", "KT12 2BN", "female", "77 station road walton"),
    # transposed day and month
    ("dob-a", "Oliver", "Bennett", "1990-03-07", "RH1 6PL", "male", "9 grange road redhill"),
    ("dob-b", "Oliver", "Bennett", "1990-07-03", "RH1 6PL", "male", "9 grange road redhill"),
    # typos in both names
    ("typo-a", "Charlotte", "Harrison", "1977-11-23", "SM2 5HT", "female", "21 york road sutton"),
    ("typo-b", "Charlote", "Harisson", "1977-11-23", "SM2 5HT", "female", "21 york road sutton"),
    # a parent and a child at one address
    ("parent", "Emma", "Clarke", "1980-02-11", "GU2 7XH", "female", "5 the green guildford"),
    ("child", "Lily", "Clarke", "2015-06-30", "GU2 7XH", "female", "5 the green guildford"),
]
# Records without a date of birth (the ambiguity guard, docs/linkage.md).
MISSING_DOB = [
    # the father's and son's one name at their address: it could be either of them
    ("hargreaves-nodob", "David", "Hargreaves", "", "KT10 9AA", "male", "3 mill lane esher"),
    # one person, and a copy of them without a date of birth: it can be only them
    (
        "solo",
        "Margaret",
        "Ellison",
        "1958-04-19",
        "GU7 1DX",
        "female",
        "12 bridge street godalming",
    ),
    ("solo-nodob", "Margaret", "Ellison", "", "GU7 1DX", "female", "12 bridge street godalming"),
]


@pytest.fixture(scope="module")
def result(trained_model: dict[str, Any]) -> batch.LinkageResult:
    background = synthetic.records(3000, seed=21).drop(columns=["truth"])
    golden = pd.DataFrame(GOLDEN + MISSING_DOB, columns=COLUMNS)
    return batch.dedupe(pd.concat([background, golden], ignore_index=True), model=trained_model)


def _cluster(result: batch.LinkageResult, uid: str) -> str:
    clusters = result.clusters.set_index("unique_id")["cluster_id"]
    return str(clusters[uid])


def _apart(result: batch.LinkageResult, a: str, b: str) -> bool:
    return _cluster(result, a) != _cluster(result, b)


def test_twins_kept_apart(result: batch.LinkageResult) -> None:
    assert _apart(result, "twin-1", "twin-2")


def test_father_and_son_kept_apart(result: batch.LinkageResult) -> None:
    assert _apart(result, "father", "son")


def test_parent_and_child_kept_apart(result: batch.LinkageResult) -> None:
    assert _apart(result, "parent", "child")


def test_changed_name_never_merged_automatically_with_someone_else(
    result: batch.LinkageResult,
) -> None:
    # Linked, sent for review, or left apart — but never in a cluster with anyone else.
    for uid in ("maiden", "married"):
        members = result.clusters[result.clusters["cluster_id"] == _cluster(result, uid)]
        assert set(members["unique_id"]) <= {"maiden", "married"}


def test_transposed_dob_linked(result: batch.LinkageResult) -> None:
    assert not _apart(result, "dob-a", "dob-b")


def test_typos_linked(result: batch.LinkageResult) -> None:
    assert not _apart(result, "typo-a", "typo-b")


def test_pairs_carry_weights_and_decisions(result: batch.LinkageResult) -> None:
    pairs = result.pairs
    assert {"match_probability", "match_weight", "decision", "veto"} <= set(pairs.columns)
    assert {"mw_first_name", "mw_surname", "mw_dob", "mw_postcode"} <= set(pairs.columns)
    twins = pairs[
        (pairs["unique_id_l"].isin(["twin-1", "twin-2"]))
        & (pairs["unique_id_r"].isin(["twin-1", "twin-2"]))
    ]
    assert (twins["decision"] == "review").all()


def _pair(result: batch.LinkageResult, a: str, b: str) -> pd.Series:
    pairs = result.pairs
    found = pairs[
        ((pairs["unique_id_l"] == a) & (pairs["unique_id_r"] == b))
        | ((pairs["unique_id_l"] == b) & (pairs["unique_id_r"] == a))
    ]
    assert len(found) == 1, (a, b)
    return found.iloc[0]


def test_missing_dob_that_could_be_father_or_son_goes_to_review(
    result: batch.LinkageResult,
) -> None:
    for other in ("father", "son"):
        assert _apart(result, "hargreaves-nodob", other)
        pair = _pair(result, "hargreaves-nodob", other)
        assert pair["match_probability"] >= batch.DEFAULT_THRESHOLD_AUTO
        assert pair["decision"] == "review"
        assert pair["veto"] == rules.DOB_MISSING_AMBIGUOUS


def test_missing_dob_that_can_be_only_one_person_is_linked(result: batch.LinkageResult) -> None:
    assert not _apart(result, "solo", "solo-nodob")
    assert _pair(result, "solo", "solo-nodob")["decision"] == "auto"


def test_spark_decides_the_missing_dob_cases_alike(trained_model: dict[str, Any]) -> None:
    """The ambiguity guard is SQL over the scored pairs: Spark runs the same and agrees."""
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java (make install brings openjdk-17-jre-headless)")
    background = synthetic.records(400, seed=21).drop(columns=["truth"])
    records = pd.concat(
        [background, pd.DataFrame(GOLDEN + MISSING_DOB, columns=COLUMNS)], ignore_index=True
    )
    found = {}
    for engine in ("duckdb", "spark"):
        run = batch.dedupe(records, model=trained_model, engine=engine)
        pairs = run.pairs
        nodob = pairs[
            (pairs["unique_id_l"] == "hargreaves-nodob")
            | (pairs["unique_id_r"] == "hargreaves-nodob")
        ]
        found[engine] = (
            _apart(run, "hargreaves-nodob", "father"),
            _apart(run, "hargreaves-nodob", "son"),
            _apart(run, "solo", "solo-nodob"),
            sorted(nodob["veto"].dropna()),
        )
    assert found["duckdb"] == found["spark"]
    assert found["spark"] == (True, True, False, [rules.DOB_MISSING_AMBIGUOUS] * 2)
