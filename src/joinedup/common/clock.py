"""Time: timezone-aware UTC inside, Europe/London for people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive value is taken to be UTC already (SQLite drops zones)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def london(value: datetime) -> datetime:
    """Return ``value`` in Europe/London for display."""
    return as_utc(value).astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    """A date and time as people in England read it, e.g. ``3 March 2024, 14:05``."""
    if value is None:
        return ""
    local = london(value)
    return f"{local.day} {local:%B %Y}, {local:%H:%M}"


def format_date(value: date | datetime | None) -> str:
    """A date as people in England read it, e.g. ``3 March 2024``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = london(value).date()
    return f"{value.day} {value:%B %Y}"
