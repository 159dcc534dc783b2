"""Retention rules (RET-1): when a record's period ends, measured from its latest activity."""

from __future__ import annotations

from datetime import datetime, timedelta


def years_before(now: datetime, years: int) -> datetime:
    """``now`` moved back ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def days_before(now: datetime, days: int) -> datetime:
    """``now`` moved back ``days`` days."""
    return now - timedelta(days=days)


def latest_activity(*moments: datetime | None) -> datetime | None:
    """The latest of the known moments (record update, incident involvement ...)."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def is_past_retention(latest: datetime | None, cutoff: datetime) -> bool:
    """A record is past its period when its latest activity is before the cutoff."""
    return latest is not None and latest < cutoff
