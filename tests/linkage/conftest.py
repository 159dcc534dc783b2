"""Shared linkage fixtures: one model trained (without labels) on synthetic records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from joinedup.linkage import model as lm
from joinedup.linkage import synthetic


@pytest.fixture(scope="session")
def trained_model() -> dict[str, Any]:
    frame = synthetic.records(4000, seed=11).drop(columns=["truth"])
    return lm.train([lm.prepare(frame)], max_pairs_u=1e6, max_pairs_em=5e5)


@pytest.fixture(scope="session")
def model_file(trained_model: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lm.save_model(trained_model, tmp_path_factory.mktemp("model") / "person-test.json")
