"""SPEC §4 spreading rules, with no app and no database."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.workload import (
    WeekLoad,
    horizon,
    is_overloaded,
    load_ratio,
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


# Properties ----------------------------------------------------------------

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@given(
    effort=st.floats(min_value=0.1, max_value=1_000_000),
    start=DAYS,
    length=st.integers(min_value=0, max_value=400),
)
@settings(max_examples=150, deadline=None)
def test_spreading_keeps_every_hour_in_the_tasks_weeks(effort, start, length):
    due = start + timedelta(days=length)
    shares = weekly_shares(effort, start, due, BANK_HOLIDAYS)
    assert sum(shares.values()) == pytest.approx(effort, rel=1e-9)
    assert all(share > 0 and math.isfinite(share) for share in shares.values())
    assert all(w.weekday() == 0 for w in shares)
    assert min(shares) == week_start(start) or min(shares) > week_start(start)
    assert max(shares) <= week_start(due)


@given(
    effort=st.floats(min_value=0.1, max_value=1_000),
    start=DAYS,
    length=st.integers(min_value=0, max_value=60),
)
@settings(max_examples=100, deadline=None)
def test_no_week_gets_more_than_its_working_days_share(effort, start, length):
    due = start + timedelta(days=length)
    days = working_days(start, due, BANK_HOLIDAYS)
    shares = weekly_shares(effort, start, due, BANK_HOLIDAYS)
    if days:
        per_day = effort / len(days)
        for monday, hours in shares.items():
            in_week = sum(1 for d in days if week_start(d) == monday)
            assert hours == pytest.approx(per_day * in_week, rel=1e-9)


@given(
    planned=st.floats(min_value=0, max_value=1e7),
    capacity=st.floats(min_value=0.1, max_value=10_000),
    threshold=st.floats(min_value=0.1, max_value=10),
)
@settings(max_examples=150, deadline=None)
def test_load_ratio_is_finite_and_overload_is_strictly_above(planned, capacity, threshold):
    ratio = load_ratio(planned, capacity)
    assert math.isfinite(ratio) and ratio >= 0
    assert is_overloaded(ratio, threshold) == (ratio > threshold + 1e-9)
    assert not is_overloaded(threshold, threshold)
