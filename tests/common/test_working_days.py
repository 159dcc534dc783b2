"""Working days in England: weekends and England's bank holidays are skipped."""

from __future__ import annotations

from datetime import date

import pytest

from joinedup.common.working_days import (
    add_working_days,
    is_bank_holiday,
    is_working_day,
    working_days_between,
)


def test_weekdays_are_working_days_and_weekends_are_not() -> None:
    assert is_working_day(date(2026, 11, 30))  # Monday
    assert not is_working_day(date(2026, 12, 5))  # Saturday
    assert not is_working_day(date(2026, 12, 6))  # Sunday


def test_englands_bank_holidays_including_substitute_days() -> None:
    assert is_bank_holiday(date(2026, 12, 25))
    assert is_bank_holiday(date(2026, 12, 28))  # Boxing Day (observed): 26th is a Saturday
    assert is_bank_holiday(date(2027, 1, 1))
    assert is_bank_holiday(date(2026, 8, 31))  # late summer bank holiday (England only)
    assert not is_bank_holiday(date(2026, 8, 3))  # Scotland's summer holiday is not England's


def test_a_plain_week_adds_five_working_days() -> None:
    assert add_working_days(date(2026, 11, 2), 5) == date(2026, 11, 9)
    assert add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)  # Friday -> Monday


def test_zero_days_is_the_same_day() -> None:
    assert add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 25)


def test_over_christmas_and_new_year() -> None:
    # Received Wed 23 Dec 2026: 24 Dec (Thu) is day 1; 25 Dec, the weekend and 28 Dec are not.
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    assert add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)
    # 29, 30, 31 Dec, then 1 Jan 2027 (bank holiday) skipped, then 4 Jan.
    assert add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 4)
    # The statutory 10 working days from Christmas Eve.
    assert add_working_days(date(2026, 12, 24), 10) == date(2027, 1, 12)


def test_over_easter() -> None:
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert working_days_between(date(2027, 3, 22), date(2027, 4, 2)) == 7
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    assert add_working_days(date(2026, 4, 2), 15) == date(2026, 4, 27)


def test_received_on_a_weekend_counts_from_the_next_working_day() -> None:
    assert add_working_days(date(2026, 11, 7), 1) == date(2026, 11, 9)  # Saturday -> Monday


def test_working_days_between_is_negative_when_overdue() -> None:
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 9)) == 5
    assert working_days_between(date(2026, 11, 9), date(2026, 11, 2)) == -5
    assert working_days_between(date(2026, 11, 9), date(2026, 11, 9)) == 0


def test_add_and_between_agree() -> None:
    start = date(2026, 12, 1)
    for n in range(0, 40):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)


def test_the_documented_example() -> None:
    # docs/public-portal.md: received 23 December 2026.
    assert add_working_days(date(2026, 12, 23), 10) == date(2027, 1, 11)
    assert add_working_days(date(2026, 12, 23), 15) == date(2027, 1, 18)
