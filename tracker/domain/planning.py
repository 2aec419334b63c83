"""SPEC §9's planning suggestions: when a task would overload its team, find a start,
a due date or another team that takes it without going over. Pure functions over the
team's planned hours and capacity by week; the search is bounded (52 weeks)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.domain.workload import (
    is_overloaded,
    load_ratio,
    week_start,
    weekly_shares,
    working_days,
)

SEARCH_WEEKS = 52


def fits(
    shares: Mapping[date, float],
    planned: Mapping[date, float],
    capacity: Mapping[date, float],
    threshold: float,
) -> bool:
    """Whether adding `shares` keeps every week they touch at or under the threshold
    (a week with no capacity takes nothing)."""
    for week, hours in shares.items():
        total = planned.get(week, 0.0) + hours
        if is_overloaded(load_ratio(total, capacity.get(week, 0.0)), threshold):
            return False
    return True


def peak_after(
    shares: Mapping[date, float], planned: Mapping[date, float], capacity: Mapping[date, float]
) -> float:
    return max(
        (load_ratio(planned.get(w, 0.0) + h, capacity.get(w, 0.0)) for w, h in shares.items()),
        default=0.0,
    )


def add_working_days(first: date, count: int, holidays: Container[date]) -> date:
    """The `count`-th working day from `first` on (`first` counts if it is one)."""
    day, seen = first, 0
    while True:
        if day.weekday() < 5 and day not in holidays:
            seen += 1
            if seen == count:
                return day
        day += timedelta(days=1)


def _fits_counts(
    counts: Mapping[date, int],
    per_day: float,
    planned: Mapping[date, float],
    capacity: Mapping[date, float],
    threshold: float,
) -> bool:
    return fits({w: c * per_day for w, c in counts.items() if c}, planned, capacity, threshold)


def earliest_start(
    effort: float,
    start: date,
    due: date,
    planned: Mapping[date, float],
    capacity: Mapping[date, float],
    threshold: float,
    holidays: Container[date],
) -> tuple[date, date] | None:
    """The earliest (start, due) on or after `start`, keeping the number of working days
    (calendar days for a task with none), at which the task fits; None within 52 weeks.

    A window of the task's working days slides over the working days ahead, its hours
    per week kept as counts, so each candidate costs the weeks it touches, not a new
    spreading of the effort day by day."""
    days = len(working_days(start, due, holidays))
    if not days:
        return _earliest_calendar_start(effort, start, due, planned, capacity, threshold, holidays)
    horizon_end = start + timedelta(weeks=SEARCH_WEEKS)
    ahead = working_days(start, horizon_end + timedelta(days=(due - start).days + 14), holidays)
    weeks = [week_start(d) for d in ahead]
    per_day = effort / days
    counts: Counter[date] = Counter(weeks[:days])
    for i in range(len(ahead) - days + 1):
        if ahead[i] > horizon_end:
            return None
        if i:
            counts[weeks[i - 1]] -= 1
            counts[weeks[i + days - 1]] += 1
        if _fits_counts(counts, per_day, planned, capacity, threshold):
            return ahead[i], ahead[i + days - 1]
    return None


def _earliest_calendar_start(effort, start, due, planned, capacity, threshold, holidays):
    """A task on weekend or bank-holiday days only: its calendar days move as one."""
    for offset in range(SEARCH_WEEKS * 7 + 1):
        first = start + timedelta(days=offset)
        last = first + (due - start)
        if fits(weekly_shares(effort, first, last, holidays), planned, capacity, threshold):
            return first, last
    return None


def due_date_that_fits(
    effort: float,
    start: date,
    due: date,
    planned: Mapping[date, float],
    capacity: Mapping[date, float],
    threshold: float,
    holidays: Container[date],
) -> date | None:
    """The earliest working day after `due`, keeping the start, that spreads the effort
    thin enough to fit; None within 52 weeks. Each longer candidate adds one day to
    the counts per week, so the search costs candidates × weeks, not days²."""
    days = working_days(start, due + timedelta(weeks=SEARCH_WEEKS), holidays)
    counts: Counter[date] = Counter()
    for index, day in enumerate(days):
        counts[week_start(day)] += 1
        if day <= due:
            continue
        if _fits_counts(counts, effort / (index + 1), planned, capacity, threshold):
            return day
    return None


def search_end(start: date, due: date) -> date:
    """The last day either search can reach: the grid of weeks it needs ends here."""
    # Starts move at most 52 weeks (so ends do too); due dates at most 52 weeks.
    return max(due, start) + timedelta(weeks=SEARCH_WEEKS + 1)


@dataclass(frozen=True)
class TeamOption:
    team_id: int
    name: str
    peak_load_ratio_after: float


@dataclass(frozen=True)
class Suggestions:
    earliest_start: tuple[date, date] | None
    due_date_that_fits: date | None
    other_teams: list[TeamOption]
