"""Working days in England: Monday to Friday, skipping England's bank holidays.

Statutory clocks (the ASB Case Review's acknowledge / threshold decision / review meeting) are
counted in working days. Bank holidays come from the ``holidays`` package
(``country_holidays("GB", subdiv="ENG")``), which includes substitute days ("Boxing Day
(observed)") and one-off holidays such as a coronation or a state funeral.

Counting follows the usual "within N working days of receipt" reading: the day of receipt is
day 0, the next working day is day 1. A request received at the weekend or on a bank holiday
starts counting from the next working day.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

_SATURDAY = 5


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    """True when ``day`` is a bank holiday in England (substitute days included)."""
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """True for Monday to Friday that is not a bank holiday in England."""
    return day.weekday() < _SATURDAY and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is day 0).

    ``add_working_days(Friday 19 Dec 2025, 1)`` is Monday 22 Dec; over Christmas,
    ``add_working_days(Wed 24 Dec 2025, 1)`` is Monday 29 Dec (25, 26 Dec and the weekend skipped).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is
    earlier (so "days left" until a due date reads as minus the days overdue)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
