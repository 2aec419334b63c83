"""SPEC §9's capacity rule: bank-holiday weeks, partial weeks, overlaps, open ends, floor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.capacity import (
    Adjustment,
    capacity_from,
    staffing_words,
    vacancy_rate,
    week_capacity,
    week_staffing,
    week_working_days,
    weeks_between,
)
from tracker.domain.workload import WeekLoad, is_overloaded, load_ratio, ratio_or_none

MONDAY = date(2026, 3, 2)  # an ordinary week
EASTER_MONDAY = date(2026, 4, 6)
GOOD_FRIDAY = date(2026, 4, 3)
HOLIDAYS = frozenset({GOOD_FRIDAY, EASTER_MONDAY, date(2026, 12, 25), date(2026, 12, 28)})


def cap(base, est, monday, *adjustments):
    return week_capacity(base, est, monday, adjustments, HOLIDAYS)


def test_a_fully_staffed_full_week_has_the_base():
    assert cap(37.5, 5, MONDAY) == pytest.approx(37.5)


def test_a_bank_holiday_week_is_scaled_by_its_working_days():
    assert cap(37.5, 5, date(2026, 3, 30)) == pytest.approx(30.0)  # Good Friday
    assert cap(37.5, 5, EASTER_MONDAY) == pytest.approx(30.0)
    # Christmas Day (Friday) and the substitute Boxing Day (Monday) fall in two weeks.
    assert cap(50, None, date(2026, 12, 21)) == pytest.approx(40.0)
    assert cap(50, None, date(2026, 12, 28)) == pytest.approx(40.0)


def test_a_vacancy_takes_its_share_of_the_base():
    vacancy = Adjustment("vacancy", 1.0, date(2026, 1, 1))
    # 5 posts give 40 hours: one vacant post takes 8.
    assert cap(40, 5, MONDAY, vacancy) == pytest.approx(32.0)


def test_a_partial_week_counts_only_the_working_days_covered():
    # Starts on Wednesday: covers Wed, Thu, Fri = 3 of 5 days.
    absence = Adjustment("absence", 2.0, MONDAY + timedelta(days=2))
    assert cap(40, 5, MONDAY, absence) == pytest.approx(40 - 8 * 2 * 3 / 5)
    # Ends on Tuesday of the next week: covers Mon, Tue there.
    ending = Adjustment("absence", 1.0, date(2026, 1, 1), MONDAY + timedelta(days=1))
    assert cap(40, 5, MONDAY, ending) == pytest.approx(40 - 8 * 2 / 5)


def test_weekend_only_cover_counts_for_nothing():
    weekend = Adjustment("vacancy", 3.0, MONDAY + timedelta(days=5), MONDAY + timedelta(days=6))
    assert cap(40, 5, MONDAY, weekend) == pytest.approx(40)
    assert week_staffing(MONDAY, [weekend], HOLIDAYS).empty


def test_a_bank_holiday_is_not_taken_twice():
    # A vacancy over the Easter week covers its 4 working days, not 5.
    vacancy = Adjustment("vacancy", 1.0, date(2026, 1, 1))
    assert cap(40, 5, EASTER_MONDAY, vacancy) == pytest.approx(32 - 8 * 4 / 5)


def test_overlapping_adjustments_add_up_and_agency_gives_back():
    vacancy = Adjustment("vacancy", 2.0, date(2026, 1, 1))
    absence = Adjustment("absence", 0.5, date(2026, 2, 1), date(2026, 6, 30))
    agency = Adjustment("agency_cover", 1.0, MONDAY)
    assert cap(40, 5, MONDAY, vacancy, absence, agency) == pytest.approx(40 - 8 * 1.5)
    staffing = week_staffing(MONDAY, [vacancy, absence, agency], HOLIDAYS)
    assert (staffing.vacant_fte, staffing.absent_fte, staffing.agency_fte) == (2.0, 0.5, 1.0)
    assert staffing.net_fte_days == pytest.approx(1.5 * 5)


def test_an_open_ended_adjustment_runs_until_further_notice():
    vacancy = Adjustment("vacancy", 1.0, date(2026, 1, 5))
    for years in (0, 1, 10, 70):
        monday = MONDAY + timedelta(weeks=52 * years)
        monday -= timedelta(days=monday.weekday())
        assert cap(40, 4, monday, vacancy) < 40 * len(week_working_days(monday, HOLIDAYS)) / 5


def test_an_ended_adjustment_stops_after_its_end():
    vacancy = Adjustment("vacancy", 1.0, date(2026, 1, 5), date(2026, 2, 27))
    assert cap(40, 4, MONDAY, vacancy) == pytest.approx(40)


def test_capacity_never_goes_below_zero():
    everyone = Adjustment("vacancy", 5.0, date(2026, 1, 1))
    more = Adjustment("absence", 2.0, date(2026, 1, 1))
    assert cap(40, 5, MONDAY, everyone) == 0.0
    assert cap(40, 5, MONDAY, everyone, more) == 0.0


def test_without_an_establishment_adjustments_cannot_count():
    assert capacity_from(40, None, 5, 10.0) == pytest.approx(40)


def test_zero_capacity_with_work_is_overloaded_and_null_in_json():
    week = WeekLoad(MONDAY, 3.0, 0.0)
    assert is_overloaded(week.load_ratio, 1.0)
    assert ratio_or_none(week.load_ratio, week.capacity_hours) is None
    empty = WeekLoad(MONDAY, 0.0, 0.0)
    assert not is_overloaded(empty.load_ratio, 1.0)
    assert ratio_or_none(empty.load_ratio, empty.capacity_hours) is None
    assert load_ratio(10, 20) == 0.5


def test_words_and_rates():
    assert staffing_words(2.0, 0, 1.0) == "2.0 FTE vacant, 1.0 FTE agency cover"
    assert staffing_words(0, 0, 0) == ""
    assert vacancy_rate(2, 10) == pytest.approx(0.2)
    assert vacancy_rate(2, None) is None
    reduced = WeekLoad(EASTER_MONDAY, 10, 20, working_days=4, full_hours=30, vacant_fte=1.0)
    assert reduced.reduced and reduced.reason == "bank holiday week, 4 working days; 1.0 FTE vacant"
    assert reduced.lost_hours == pytest.approx(10)


def test_weeks_between_names_every_monday():
    assert weeks_between(date(2026, 3, 4), date(2026, 3, 16)) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]


days = st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 2, 1))
adjustments = st.builds(
    lambda kind, fte, start, length, open_ended: Adjustment(
        kind, fte, start, None if open_ended else start + timedelta(days=length)
    ),
    st.sampled_from(["vacancy", "absence", "agency_cover"]),
    st.floats(min_value=0.01, max_value=20, allow_nan=False),
    days,
    st.integers(min_value=0, max_value=120),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(
    base=st.floats(min_value=0.1, max_value=10_000),
    establishment=st.one_of(st.none(), st.floats(min_value=0.01, max_value=500)),
    week=days.map(lambda d: d - timedelta(days=d.weekday())),
    found=st.lists(adjustments, max_size=6),
)
def test_capacity_is_never_negative_nor_above_the_full_week_plus_agency(
    base, establishment, week, found
):
    capacity = week_capacity(base, establishment, week, found, HOLIDAYS)
    agency = sum(a.fte for a in found if a.kind == "agency_cover")
    ceiling = base + (base / establishment * agency if establishment else 0.0)
    assert capacity >= 0.0
    # Staffing is stored to a millionth of an FTE-day: allow that rounding.
    assert capacity <= ceiling * (1 + 1e-6) + 1e-6


@settings(max_examples=200, deadline=None)
@given(
    establishment=st.floats(min_value=0.5, max_value=50),
    week=days.map(lambda d: d - timedelta(days=d.weekday())),
    found=st.lists(adjustments, max_size=5),
    extra=adjustments,
)
def test_more_vacancy_never_gives_more_capacity(establishment, week, found, extra):
    before = week_capacity(40, establishment, week, found, HOLIDAYS)
    taken = Adjustment("vacancy", extra.fte, extra.starts_on, extra.ends_on)
    assert week_capacity(40, establishment, week, [*found, taken], HOLIDAYS) <= before + 1e-9
