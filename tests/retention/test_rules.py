"""Retention rules (RET-1), pure."""

from __future__ import annotations

from datetime import UTC, datetime

from joinedup.retention import rules


def test_ret1_period_measured_from_the_latest_activity() -> None:
    now = datetime(2032, 2, 29, 12, 0, tzinfo=UTC)
    cutoff = rules.years_before(now, 6)
    assert cutoff == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    old, recent = datetime(2025, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    assert rules.is_past_retention(rules.latest_activity(old, None), cutoff)
    assert not rules.is_past_retention(rules.latest_activity(old, recent), cutoff)
    assert not rules.is_past_retention(None, cutoff)
