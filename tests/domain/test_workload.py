"""SPEC §4 spreading rules, with no app and no database."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.workload import (
    WeekLoad,
    horizon,
    is_overloaded,
    peak_ratio,
    week_start,
    weekly_shares,
    working_days,
)
from tracker.services.calendar import BANK_HOLIDAYS

NO_HOLIDAYS: frozenset[date] = frozenset()


def test_week_start_is_the_monday():
    assert week_start(date(2026, 12, 2)) == date(2026, 11, 30)  # Wednesday
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30)  # Sunday
    assert week_start(date(2026, 11, 30)) == date(2026, 11, 30)


def test_horizon_starts_with_the_current_week():
    assert horizon(date(2026, 12, 3), 3) == [
        date(2026, 11, 30),
        date(2026, 12, 7),
        date(2026, 12, 14),
    ]


def test_effort_is_spread_evenly_over_working_days_by_week():
    # Thursday 3 Dec to Wednesday 9 Dec 2026: Thu, Fri | Mon, Tue, Wed = 5 working days.
    shares = weekly_shares(10.0, date(2026, 12, 3), date(2026, 12, 9), NO_HOLIDAYS)
    assert shares == {date(2026, 11, 30): pytest.approx(4.0), date(2026, 12, 7): pytest.approx(6.0)}


def test_bank_holidays_in_england_and_wales_are_not_working_days():
    # Christmas 2026: Fri 25 Dec, Boxing Day observed Mon 28 Dec.
    days = working_days(date(2026, 12, 24), date(2026, 12, 29), BANK_HOLIDAYS)
    assert days == [date(2026, 12, 24), date(2026, 12, 29)]
    shares = weekly_shares(8.0, date(2026, 12, 24), date(2026, 12, 29), BANK_HOLIDAYS)
    assert shares == {
        date(2026, 12, 21): pytest.approx(4.0),
        date(2026, 12, 28): pytest.approx(4.0),
    }


def test_scottish_holidays_do_not_count():
    # 2 January is a bank holiday in Scotland only.
    assert date(2026, 1, 2) not in BANK_HOLIDAYS
    assert date(2026, 12, 25) in BANK_HOLIDAYS


def test_a_weekend_only_task_keeps_its_hours():
    shares = weekly_shares(6.0, date(2026, 12, 5), date(2026, 12, 6), NO_HOLIDAYS)
    assert sum(shares.values()) == pytest.approx(6.0)


def test_the_whole_effort_is_always_spread():
    shares = weekly_shares(123.0, date(2026, 1, 1), date(2026, 6, 30), BANK_HOLIDAYS)
    assert sum(shares.values()) == pytest.approx(123.0)


def test_start_after_due_is_refused():
    with pytest.raises(ValueError):
        weekly_shares(1.0, date(2026, 2, 2), date(2026, 2, 1), NO_HOLIDAYS)


def test_overloaded_is_strictly_above_the_threshold():
    assert not is_overloaded(1.0, 1.0)
    assert is_overloaded(1.01, 1.0)
    loads = [WeekLoad(date(2026, 1, 5), 10, 20), WeekLoad(date(2026, 1, 12), 30, 20)]
    assert peak_ratio(loads) == pytest.approx(1.5)
