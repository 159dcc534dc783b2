"""Settings builder, input checks and the model file."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.linkage import batch, levels, synthetic
from joinedup.linkage import model as lm


def _frame(**extra: list[str]) -> pd.DataFrame:
    base = {
        "unique_id": ["1", "2"],
        "first_name": ["Ann", "Anne"],
        "surname": ["Lee", "Lee"],
        "dob": ["1980-01-02", ""],
        "postcode": ["gu1 4ab", "GU1 4AB"],
        "gender": ["female", ""],
    }
    return pd.DataFrame({**base, **extra})


def test_prepare_cleans_and_ignores_unknown_columns() -> None:
    prepared = lm.prepare(_frame(shoe_size=["5", "6"], address=["1 High St", "1 high st"]))
    assert "shoe_size" not in prepared.columns
    assert list(prepared["postcode"]) == ["GU1 4AB", "GU1 4AB"]
    assert list(prepared["postcode_sector"]) == ["GU1 4", "GU1 4"]
    assert list(prepared["address"]) == ["1 high st", "1 high st"]
    assert prepared.loc[1, "dob"] is None


def test_prepare_names_a_missing_column_and_duplicate_ids() -> None:
    with pytest.raises(lm.LinkageInputError, match="dob"):
        lm.prepare(_frame().drop(columns=["dob"]))
    with pytest.raises(lm.LinkageInputError, match="not unique"):
        lm.prepare(_frame().assign(unique_id=["1", "1"]))


def test_settings_follow_the_columns_present() -> None:
    names = [c["output_column_name"] for c in lm.settings(["postcode", "address"])["comparisons"]]
    assert names == ["first_name", "surname", "dob", "postcode", "address"]
    full = lm.settings(["postcode", "gender", "address", "birth_place", "identifier"])
    assert {c["output_column_name"] for c in full["comparisons"]} >= {"gender", "birth_place"}
    first = full["comparisons"][0]["comparison_levels"]
    assert first[1]["tf_adjustment_column"] == "first_name"
    assert any("swapped" in level["label_for_charts"] for level in first)


def test_model_json_round_trips(trained_model: dict[str, Any], tmp_path: Path) -> None:
    path = lm.save_model(trained_model, tmp_path / "person-9.json")
    loaded = lm.load_model(path)
    header = json.loads(path.read_text())[lm.HEADER_KEY]
    assert header["splink_version"].startswith("5.")
    assert header["record_count"] == 4000
    assert "trained_at" in header
    frame = synthetic.records(600, seed=5).drop(columns=["truth"])
    before = batch.dedupe(frame, model=trained_model).pairs
    after = batch.dedupe(frame, model=loaded).pairs
    key = ["unique_id_l", "unique_id_r"]
    before = before.sort_values(key).reset_index(drop=True)
    after = after.sort_values(key).reset_index(drop=True)
    assert len(before) > 0
    pd.testing.assert_series_equal(before["match_probability"], after["match_probability"])
    assert [c for c in before.columns if c.startswith("mw_")]


def test_load_model_refuses_other_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(lm.LinkageInputError, match="not a JoinedUp linkage model"):
        lm.load_model(path)


_EDIT_TEXT = st.text(alphabet="ab0-1 ", max_size=8)
_DUCKDB = duckdb.connect()


@settings(max_examples=300, deadline=None)
@given(left=_EDIT_TEXT, right=_EDIT_TEXT)
def test_one_edit_selects_the_pairs_damerau_levenshtein_does(left: str, right: str) -> None:
    # The Levenshtein pre-test must never drop a pair one edit or one transposition apart.
    found = _DUCKDB.execute(
        f"SELECT damerau_levenshtein(x_l, x_r) <= 1, {lm.one_edit('x')}"
        " FROM (SELECT $1 AS x_l, $2 AS x_r)",
        [left, right],
    ).fetchone()
    assert found is not None
    assert found[0] == found[1]
    assert levels.compile_condition(lm.one_edit("x"))({"x": left}, {"x": right}) is found[0]


def test_a_model_saved_with_the_slower_test_loads_with_the_faster(
    trained_model: dict[str, Any], tmp_path: Path
) -> None:
    older = copy.deepcopy(trained_model)
    conditions = []
    for comparison in older[lm.SETTINGS_KEY]["comparisons"]:
        for level in comparison["comparison_levels"]:
            text = level["sql_condition"]
            if text.startswith("levenshtein("):
                column = comparison["output_column_name"]
                level["sql_condition"] = f'damerau_levenshtein("{column}_l", "{column}_r") <= 1'
                conditions.append(text)
    assert conditions  # date of birth and postcode at least
    loaded = lm.load_model(lm.save_model(older, tmp_path / "person-old.json"))
    assert loaded[lm.SETTINGS_KEY] == trained_model[lm.SETTINGS_KEY]
    # A model stored in the database is read the same way; the stored document is not changed.
    kept = copy.deepcopy(older)
    assert lm.in_current_form(older) == loaded
    assert older == kept
