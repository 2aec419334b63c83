"""SPEC §4: spreading effort over working days, weekly load and overload."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


def week_start(day: date) -> date:
    """The Monday of the week (Monday to Sunday) that holds `day`."""
    return day - timedelta(days=day.weekday())


def horizon(today: date, weeks: int) -> list[date]:
    """The `weeks` week starts from the current week on."""
    first = week_start(today)
    return [first + timedelta(weeks=i) for i in range(weeks)]


def working_days(start: date, due: date, holidays: Container[date]) -> list[date]:
    """Monday–Friday days from start to due inclusive that are not bank holidays."""
    days = []
    day = start
    while day <= due:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def weekly_shares(
    effort_hours: float, start: date, due: date, holidays: Container[date]
) -> dict[date, float]:
    """A task's effort spread evenly over its working days, summed by week start.

    A task whose whole span is weekend or bank holiday still needs doing: its effort
    then falls evenly on its calendar days, so no hours vanish from the load.
    """
    if due < start:
        raise ValueError("start_date must not be after due_date")
    days = working_days(start, due, holidays)
    if not days:
        days = [start + timedelta(days=i) for i in range((due - start).days + 1)]
    per_day = effort_hours / len(days)
    shares: dict[date, float] = {}
    for day in days:
        monday = week_start(day)
        shares[monday] = shares.get(monday, 0.0) + per_day
    return shares


def load_ratio(planned_hours: float, capacity_hours: float) -> float:
    return planned_hours / capacity_hours if capacity_hours > 0 else 0.0


def is_overloaded(ratio: float, threshold: float) -> bool:
    """Overloaded means strictly above the threshold (SPEC §4)."""
    return ratio > threshold + 1e-9


@dataclass(frozen=True)
class WeekLoad:
    week_start: date
    planned_hours: float
    capacity_hours: float

    @property
    def load_ratio(self) -> float:
        return load_ratio(self.planned_hours, self.capacity_hours)


def week_loads(
    weeks: Iterable[date], planned: Mapping[date, float], capacity_hours: float
) -> list[WeekLoad]:
    """One WeekLoad per week, zero where nothing is planned."""
    return [WeekLoad(w, round(planned.get(w, 0.0), 4), capacity_hours) for w in weeks]


def peak_ratio(loads: Iterable[WeekLoad]) -> float:
    return max((w.load_ratio for w in loads), default=0.0)
