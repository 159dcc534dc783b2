"""The demo partnership's person records against its ground truth (docs/demo.md)."""

from __future__ import annotations

import pytest

from joinedup.linkage.evaluation import demo_runs

pytestmark = pytest.mark.slow


def test_demo_population_precision_first() -> None:
    runs = {r.dataset: r.scores for r in demo_runs(2026, 5000)}
    # The default: the household veto with the ambiguity guard meets the target.
    default = runs["demo (veto, missing dob: one-person (default))"]
    assert default.precision >= 0.999
    assert default.recall >= 0.97
    # Every missing date of birth to review: every automatic merge right, recall lower.
    strict = runs["demo (veto, missing dob: review)"]
    assert strict.precision >= 0.999
    assert strict.recall < default.recall
