"""Real-time scoring reproduces Splink's match weights; blocking keys find Splink's pairs."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

from joinedup.linkage import model as lm
from joinedup.linkage import realtime, scoring, synthetic


@pytest.fixture(scope="module")
def prepared() -> pd.DataFrame:
    frame = synthetic.records(1500, seed=5).drop(columns=["truth"])
    return lm.prepare(frame)


@pytest.fixture(scope="module")
def predictions(trained_model: dict[str, Any], prepared: pd.DataFrame) -> pd.DataFrame:
    linker = lm.linker_for([prepared], lm.for_link_type(trained_model, "dedupe_only"))
    return linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()


def _records(prepared: pd.DataFrame) -> dict[str, dict[str, str | None]]:
    out: dict[str, dict[str, str | None]] = {}
    for row in prepared.to_dict("records"):
        out[str(row["unique_id"])] = {c: row.get(c) for c in scoring.CLEAN_COLUMNS}
    return out


def _tf(prepared: pd.DataFrame, columns: set[str]) -> dict[tuple[str, str], float]:
    found: dict[tuple[str, str], float] = {}
    for column in columns:
        values = prepared[column].dropna()
        for value, count in values.value_counts().items():
            found[(column, str(value))] = count / len(values)
    return found


def test_clean_one_is_prepare_row_by_row(prepared: pd.DataFrame) -> None:
    raw = synthetic.records(1500, seed=5).drop(columns=["truth"])
    records = _records(prepared)
    for row in raw.head(400).to_dict("records"):
        cleaned = scoring.clean_one(row)
        expected = records[str(row["unique_id"])]
        assert {k: v for k, v in cleaned.items() if k in prepared.columns} == {
            k: v for k, v in expected.items() if k in prepared.columns
        }


def test_match_weights_equal_splinks(
    trained_model: dict[str, Any], prepared: pd.DataFrame, predictions: pd.DataFrame
) -> None:
    scorer = scoring.Scorer(trained_model)
    records = _records(prepared)
    tf = _tf(prepared, scorer.tf_columns())
    sample = predictions.head(600)
    assert len(sample) > 100
    for row in sample.itertuples():
        left, right = records[str(row.unique_id_l)], records[str(row.unique_id_r)]
        (scored,) = scorer.score(right, [left], tf, household_veto=False)
        assert scored.match_weight == pytest.approx(row.match_weight, abs=1e-6)
        assert scored.match_probability == pytest.approx(row.match_probability, abs=1e-9)
        assert sum(e.weight for e in scored.evidence) == pytest.approx(scored.match_weight)


def test_blocking_keys_find_every_pair_splink_scores(
    trained_model: dict[str, Any], prepared: pd.DataFrame, predictions: pd.DataFrame
) -> None:
    keys = scoring.BlockingKeys.of_model(trained_model)
    records = _records(prepared)
    for row in predictions.itertuples():
        left, right = records[str(row.unique_id_l)], records[str(row.unique_id_r)]
        # Whichever of the two arrived second finds the other.
        assert keys.stored(left) & keys.probe(right) or keys.stored(right) & keys.probe(left)


def test_swapped_names_are_found_through_the_asymmetric_rule(
    trained_model: dict[str, Any],
) -> None:
    keys = scoring.BlockingKeys.of_model(trained_model)
    old = scoring.clean_one({"first_name": "Megan", "surname": "Price", "dob": "1990-01-02"})
    new = scoring.clean_one({"first_name": "Price", "surname": "Megan", "dob": "1991-03-04"})
    assert keys.stored(old) & keys.probe(new)


def test_a_rule_it_cannot_index_is_refused() -> None:
    with pytest.raises(lm.LinkageInputError, match="real-time matching"):
        scoring.BlockingKeys(["levenshtein(l.surname, r.surname) < 2"])


def test_household_veto_applies_to_twins(trained_model: dict[str, Any]) -> None:
    scorer = scoring.Scorer(trained_model)
    one = scoring.clean_one(
        {"first_name": "Amy", "surname": "Cole", "dob": "2001-04-05", "postcode": "GU1 1AA"}
    )
    two = scoring.clean_one(
        {"first_name": "Zoe", "surname": "Cole", "dob": "2001-04-05", "postcode": "GU1 1AA"}
    )
    (scored,) = scorer.score(two, [one])
    assert scored.veto == "first names unlike"
    (same,) = scorer.score(one, [dict(one)])
    assert same.veto is None and same.match_probability > 0.99


def test_levels_run_in_python_for_the_shipped_model_and_agree_with_duckdb(
    trained_model: dict[str, Any], prepared: pd.DataFrame
) -> None:
    scorer = scoring.Scorer(trained_model)
    shipped = scoring.Scorer(realtime.default_document())
    assert scorer.in_python and shipped.in_python
    records = list(_records(prepared).values())
    pairs = [(records[i], records[(i * 7 + 3) % len(records)]) for i in range(400)]
    pairs += [(records[i], dict(records[i], dob=None)) for i in range(50)]
    for each in (scorer, shipped):
        assert each.gammas(pairs) == each._gammas_duckdb(pairs)


def test_an_unknown_function_falls_back_to_duckdb(trained_model: dict[str, Any]) -> None:
    changed = copy.deepcopy(trained_model)
    level = changed[lm.SETTINGS_KEY]["comparisons"][0]["comparison_levels"][3]
    level["sql_condition"] = 'levenshtein(upper("first_name_l"), upper("first_name_r")) <= 1'
    scorer = scoring.Scorer(changed)
    assert not scorer.in_python
    one = scoring.clean_one({"first_name": "Megan", "surname": "Price"})
    two = scoring.clean_one({"first_name": "Megann", "surname": "Price"})
    assert scorer.gammas([(one, two)]) == scorer._gammas_duckdb([(one, two)])
