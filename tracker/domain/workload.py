"""SPEC §4: spreading effort over working days, weekly load and overload."""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.domain.capacity import staffing_words


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
    """Planned over capacity. A week with no capacity (SPEC §9) and work in it is
    infinitely loaded, so it is overloaded at any threshold; JSON shows it as null
    (`ratio_or_none`), never Infinity."""
    if capacity_hours > 0:
        return planned_hours / capacity_hours
    return math.inf if planned_hours > 0 else 0.0


def ratio_or_none(ratio: float, capacity_hours: float | None = None) -> float | None:
    """A ratio for JSON and CSV: rounded; None when it is infinite or the week has no
    capacity at all (SPEC §9)."""
    if capacity_hours is not None and capacity_hours <= 0:
        return None
    return round(ratio, 4) if math.isfinite(ratio) else None


def is_overloaded(ratio: float, threshold: float) -> bool:
    """Overloaded means strictly above the threshold (SPEC §4)."""
    return ratio > threshold + 1e-9


@dataclass(frozen=True)
class WeekLoad:
    """Planned hours against capacity in one week. `full_hours` is the week's capacity
    fully staffed (the base scaled to its working days); the FTE figures say what
    staffing took away or gave back (SPEC §9)."""

    week_start: date
    planned_hours: float
    capacity_hours: float
    working_days: int = 5
    full_hours: float | None = None
    vacant_fte: float = 0.0
    absent_fte: float = 0.0
    agency_fte: float = 0.0

    @property
    def load_ratio(self) -> float:
        return load_ratio(self.planned_hours, self.capacity_hours)

    @property
    def bank_holiday(self) -> bool:
        return self.working_days < 5

    @property
    def staffing_changed(self) -> bool:
        return bool(self.vacant_fte or self.absent_fte or self.agency_fte)

    @property
    def reduced(self) -> bool:
        """Less capacity than a fully staffed five-day week: a bank holiday, or
        vacancies and absences not made up by agency cover."""
        full = self.capacity_hours if self.full_hours is None else self.full_hours
        return self.bank_holiday or self.capacity_hours < full - 1e-9

    @property
    def reduced_label(self) -> str:
        """A word or two for a reduced week on the heatmap: "staff down", "bank holiday"."""
        short = self.full_hours is not None and self.capacity_hours < self.full_hours - 1e-9
        if short:
            return "staff down, bank holiday" if self.bank_holiday else "staff down"
        return "bank holiday" if self.bank_holiday else ""

    @property
    def reason(self) -> str:
        """Why the week's capacity differs from a full, fully staffed week, in words:
        "bank holiday week, 4 working days; 2.0 FTE vacant, 1.0 FTE agency cover"."""
        parts = []
        if self.bank_holiday:
            days = self.working_days
            parts.append(f"bank holiday week, {days} working day{'s' if days != 1 else ''}")
        if words := staffing_words(self.vacant_fte, self.absent_fte, self.agency_fte):
            parts.append(words)
        return "; ".join(parts)

    @property
    def lost_hours(self) -> float:
        """Hours vacancies and absences took, less agency cover (negative when cover
        exceeds them); bank holidays are not lost, they are nobody's working time."""
        if self.full_hours is None:
            return 0.0
        return self.full_hours - self.capacity_hours


def week_loads(
    weeks: Iterable[date], planned: Mapping[date, float], capacity_hours: float
) -> list[WeekLoad]:
    """One WeekLoad per week at a fixed capacity, zero where nothing is planned."""
    return [WeekLoad(w, round(planned.get(w, 0.0), 4), capacity_hours) for w in weeks]


def peak_ratio(loads: Iterable[WeekLoad]) -> float:
    return max((w.load_ratio for w in loads), default=0.0)
