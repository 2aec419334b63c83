"""Working time for email: quiet hours, weekends, bank holidays and the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.working_time import WorkingTime, parse_quiet_hours
from tracker.services.calendar import BANK_HOLIDAYS

WORK = WorkingTime()  # 18:00-08:00, weekends and bank holidays quiet, London


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "instant, quiet",
    [
        (utc(2026, 11, 30, 7, 59), True),  # Monday 07:59 GMT
        (utc(2026, 11, 30, 8, 0), False),  # Monday 08:00
        (utc(2026, 11, 30, 17, 59), False),
        (utc(2026, 11, 30, 18, 0), True),
        (utc(2026, 12, 5, 12, 0), True),  # Saturday
        (utc(2026, 12, 25, 12, 0), True),  # Christmas Day, a Friday
        (utc(2026, 12, 28, 12, 0), True),  # Boxing Day's substitute, a Monday
        (utc(2026, 7, 1, 7, 30), False),  # 08:30 BST
        (utc(2026, 7, 1, 17, 30), True),  # 18:30 BST
    ],
)
def test_quiet(instant, quiet):
    assert WORK.is_quiet(instant, BANK_HOLIDAYS) is quiet


@pytest.mark.parametrize(
    "instant, released",
    [
        # Friday evening waits for Monday morning.
        (utc(2026, 12, 4, 19, 0), utc(2026, 12, 7, 8, 0)),
        # Christmas Eve evening: Christmas, the weekend and Boxing Day's substitute pass.
        (utc(2026, 12, 24, 19, 0), utc(2026, 12, 29, 8, 0)),
        # The spring change: Friday in GMT, Monday 08:00 BST is 07:00 UTC.
        (utc(2026, 3, 27, 19, 0), utc(2026, 3, 30, 7, 0)),
        # The autumn change: Friday in BST, Monday 08:00 GMT is 08:00 UTC.
        (utc(2026, 10, 23, 18, 0), utc(2026, 10, 26, 8, 0)),
        # Working time: at once.
        (utc(2026, 11, 30, 9, 0), utc(2026, 11, 30, 9, 0)),
    ],
)
def test_next_working_moment(instant, released):
    assert WORK.next_working_moment(instant, BANK_HOLIDAYS) == released


def test_without_quiet_weekends_every_day_is_a_working_day():
    every_day = WorkingTime(quiet_weekends=False)
    assert every_day.is_working_day(date(2026, 12, 5), BANK_HOLIDAYS)
    assert not every_day.is_quiet(utc(2026, 12, 25, 12, 0), BANK_HOLIDAYS)
    assert every_day.is_quiet(utc(2026, 12, 25, 20, 0), BANK_HOLIDAYS)


def test_quiet_hours_are_parsed_or_refused():
    assert parse_quiet_hours("18:00-08:00")[1].hour == 8
    with pytest.raises(ValueError, match="18:00-08:00"):
        parse_quiet_hours("evenings")


def test_digest_time_follows_the_clock():
    assert WORK.digest_time(date(2026, 12, 1), 8) == utc(2026, 12, 1, 8, 0)
    assert WORK.digest_time(date(2026, 7, 1), 8) == utc(2026, 7, 1, 7, 0)


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)))
def test_released_emails_never_land_in_quiet_time(naive):
    instant = naive.replace(tzinfo=UTC)
    released = WORK.next_working_moment(instant, BANK_HOLIDAYS)
    assert released >= instant and not WORK.is_quiet(released, BANK_HOLIDAYS)
    if released > instant:
        # Held back: released as a working day begins.
        assert released.astimezone(WORK.zone).strftime("%H:%M") == "08:00"
        assert released - instant < timedelta(days=6)
