"""SPEC §9's planning suggestions as pure functions: bounded searches that find a fit."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.planning import (
    add_working_days,
    due_date_that_fits,
    earliest_start,
    fits,
)
from tracker.domain.workload import week_start, weekly_shares, working_days

HOLIDAYS = frozenset({date(2027, 3, 26), date(2027, 3, 29)})  # Good Friday, Easter Monday
MONDAY = date(2027, 3, 1)


def weeks(n, hours):
    return {MONDAY + timedelta(weeks=i): hours for i in range(n)}


def test_a_full_team_is_offered_the_first_week_with_room():
    planned = weeks(60, 0.0)
    planned |= {MONDAY: 30.0, MONDAY + timedelta(weeks=1): 30.0}
    capacity = weeks(60, 30.0)
    found = earliest_start(20, MONDAY, MONDAY + timedelta(days=4), planned, capacity, 1.0, HOLIDAYS)
    assert found == (MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=2, days=4))


def test_the_same_number_of_working_days_is_kept_across_a_bank_holiday():
    planned = weeks(60, 0.0) | {MONDAY + timedelta(weeks=i): 30.0 for i in range(3)}
    capacity = weeks(60, 30.0)
    # Five working days from Monday 22 March run to Thursday 25th; from there the next
    # fit skips Good Friday and Easter Monday.
    start, due = earliest_start(
        10, MONDAY, MONDAY + timedelta(days=4), planned, capacity, 1.0, HOLIDAYS
    )
    assert start == date(2027, 3, 22)
    assert len(working_days(start, due, HOLIDAYS)) == 5 and due == date(2027, 3, 30)


def test_a_longer_due_date_spreads_the_effort_thin_enough():
    planned, capacity = weeks(60, 0.0), weeks(60, 10.0)
    due = due_date_that_fits(25, MONDAY, MONDAY + timedelta(days=4), planned, capacity, 1.0,
                             HOLIDAYS)  # fmt: skip
    # 25 hours at 2 hours a working day (10 a week) take 13 working days at least.
    assert due == add_working_days(MONDAY, 13, HOLIDAYS)
    assert fits(weekly_shares(25, MONDAY, due, HOLIDAYS), planned, capacity, 1.0)


def test_nothing_fits_a_team_with_no_capacity():
    planned, capacity = weeks(60, 0.0), weeks(60, 0.0)
    args = (1, MONDAY, MONDAY, planned, capacity, 1.0, HOLIDAYS)
    assert earliest_start(*args) is None
    assert due_date_that_fits(*args) is None


@settings(max_examples=60, deadline=None)
@given(
    effort=st.floats(0.5, 200),
    length=st.integers(0, 120),
    offset=st.integers(0, 30),
    load=st.lists(st.floats(0, 60), min_size=70, max_size=70),
    cap=st.floats(1, 60),
)
def test_what_is_found_fits_and_starts_on_or_after_the_start(effort, length, offset, load, cap):
    start = MONDAY + timedelta(days=offset)
    due = start + timedelta(days=length)
    planned = {MONDAY + timedelta(weeks=i): h for i, h in enumerate(load)}
    capacity = weeks(70, cap)
    found = earliest_start(effort, start, due, planned, capacity, 1.0, HOLIDAYS)
    if found is not None:
        first, last = found
        assert first >= start and first <= start + timedelta(weeks=52, days=7)
        assert fits(weekly_shares(effort, first, last, HOLIDAYS), planned, capacity, 1.0)
        n = len(working_days(start, due, HOLIDAYS))
        assert not n or len(working_days(first, last, HOLIDAYS)) == n
    later = due_date_that_fits(effort, start, due, planned, capacity, 1.0, HOLIDAYS)
    if later is not None:
        assert due < later <= due + timedelta(weeks=52)
        assert fits(weekly_shares(effort, start, later, HOLIDAYS), planned, capacity, 1.0)
    assert week_start(start) >= MONDAY
