"""Golden cases (LNK-1) amid a synthetic population, scored by a model trained without labels."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from joinedup.linkage import batch, synthetic

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


@pytest.fixture(scope="module")
def result(trained_model: dict[str, Any]) -> batch.LinkageResult:
    background = synthetic.records(3000, seed=21).drop(columns=["truth"])
    golden = pd.DataFrame(GOLDEN, columns=COLUMNS)
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
