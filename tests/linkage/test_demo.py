"""The demo partnership's person records against its ground truth (docs/demo.md)."""

from __future__ import annotations

import pytest

from joinedup.linkage.evaluation import demo_runs

pytestmark = pytest.mark.slow


def test_demo_population_precision_first() -> None:
    runs = {r.dataset: r.scores for r in demo_runs(2026, 5000)}
    # The default: the household veto keeps every automatic merge right.
    assert runs["demo (veto)"].precision >= 0.999
    # Letting pairs with one missing date of birth merge on their score meets the recall target.
    allowed = runs["demo (veto, missing dob allowed)"]
    assert allowed.precision >= 0.999
    assert allowed.recall >= 0.97
