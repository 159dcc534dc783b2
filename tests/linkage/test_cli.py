"""The ``joinedup link`` contract: columns written, figures printed, clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.linkage import synthetic

runner = CliRunner()


@pytest.fixture(scope="module")
def input_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("link") / "people.csv"
    frame = synthetic.records(800, seed=3)
    frame["birth_place"] = ""  # an optional column, blank throughout
    frame["favourite_colour"] = "blue"  # ignored
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_dedupe_writes_unique_id_and_cluster_id(
    input_csv: Path, model_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "clusters.csv"
    result = runner.invoke(
        app, ["link", "dedupe", str(input_csv), "--out", str(out), "--model", str(model_file)]
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, dtype=str)
    assert list(written.columns) == ["unique_id", "cluster_id"]
    assert sorted(written["unique_id"]) == sorted(pd.read_csv(input_csv, dtype=str)["unique_id"])
    assert written["cluster_id"].nunique() < len(written)


@pytest.mark.slow
def test_evaluate_prints_the_figures(input_csv: Path, model_file: Path) -> None:
    result = runner.invoke(
        app,
        ["link", "evaluate", str(input_csv), "--truth-column", "truth", "--model", str(model_file)],
    )
    assert result.exit_code == 0, result.output
    for label in ("precision", "recall", "F1", "clusters", "wall time"):
        assert label in result.output


@pytest.mark.slow
def test_train_writes_a_model(input_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    result = runner.invoke(app, ["link", "train", str(input_csv), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "joinedup_linkage_model" in out.read_text()


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    pd.DataFrame({"unique_id": ["1"], "first_name": ["a"], "surname": ["b"]}).to_csv(path)
    result = runner.invoke(app, ["link", "dedupe", str(path), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code != 0
    assert "dob" in result.output and "postcode" in result.output


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = runner.invoke(app, ["link", "dedupe", str(missing), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "nope.csv" in result.output


def test_missing_truth_column_is_named(input_csv: Path) -> None:
    result = runner.invoke(app, ["link", "evaluate", str(input_csv), "--truth-column", "who"])
    assert result.exit_code != 0
    assert "who" in result.output


def test_too_few_records_to_train_says_so(tmp_path: Path) -> None:
    path = tmp_path / "tiny.csv"
    synthetic.records(4, seed=1).to_csv(path, index=False)
    result = runner.invoke(app, ["link", "dedupe", str(path), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "too few records" in result.output


@pytest.mark.slow
def test_missing_dob_choices_review_guard_or_score(
    input_csv: Path, model_file: Path, tmp_path: Path
) -> None:
    clusters = {}
    for choice in ("review", "one-person", "score"):
        out = tmp_path / f"{choice}.csv"
        args = ["link", "dedupe", str(input_csv), "--out", str(out), "--model", str(model_file)]
        result = runner.invoke(app, [*args, "--missing-dob", choice])
        assert result.exit_code == 0, result.output
        clusters[choice] = pd.read_csv(out, dtype=str)["cluster_id"].nunique()
    # Fewer people when undated copies may join: the guard lets most of them, not every one.
    assert clusters["review"] > clusters["one-person"] >= clusters["score"]


@pytest.mark.parametrize("command", ["dedupe", "run"])
def test_an_unknown_missing_dob_choice_is_refused(
    command: str, input_csv: Path, tmp_path: Path
) -> None:
    args = [str(input_csv), "--out", str(tmp_path / "o.csv")] if command == "dedupe" else []
    result = runner.invoke(app, ["link", command, *args, "--missing-dob", "yes"])
    assert result.exit_code == 2
    assert "one-person" in result.output
