"""SPEC §9: a team's capacity in a week follows its staffing and the week's working days.

Capacity in a week = base × (working days / 5)
                     − base / establishment × Σ (fte × working days the adjustment covers / 5),
vacancies and absences counting positive, agency cover negative; never below 0.
`base` is the team's `capacity_hours_per_week` (a full five-day week, fully staffed).
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ADJUSTMENT_KINDS = ("vacancy", "absence", "agency_cover")
# Vacancies and absences take capacity away, agency cover gives it back.
SIGN = {"vacancy": 1, "absence": 1, "agency_cover": -1}
KIND_LABELS = {"vacancy": "vacant", "absence": "absent", "agency_cover": "agency cover"}
FULL_WEEK_DAYS = 5


@dataclass(frozen=True)
class Adjustment:
    kind: str
    fte: float
    starts_on: date
    ends_on: date | None = None  # None: until further notice

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def week_working_days(monday: date, holidays: Container[date]) -> list[date]:
    """The Monday–Friday days of the week starting `monday` that are not bank holidays."""
    days = (monday + timedelta(days=i) for i in range(FULL_WEEK_DAYS))
    return [d for d in days if d not in holidays]


def covered_working_days(adjustment: Adjustment, working: Iterable[date]) -> int:
    return sum(1 for day in working if adjustment.covers(day))


@dataclass(frozen=True)
class WeekStaffing:
    """What an adjustment-covered week stores: the net FTE-days taken away (vacancies
    and absences less agency cover, in FTE × working days) and the FTE of each kind
    present at some point of the week, for messages ("2.0 FTE vacant")."""

    net_fte_days: float = 0.0
    vacant_fte: float = 0.0
    absent_fte: float = 0.0
    agency_fte: float = 0.0

    @property
    def empty(self) -> bool:
        return not (self.vacant_fte or self.absent_fte or self.agency_fte)


def week_staffing(
    monday: date, adjustments: Iterable[Adjustment], holidays: Container[date]
) -> WeekStaffing:
    """The staffing figures of one week from the adjustments (any that do not cover a
    working day of the week count for nothing)."""
    working = week_working_days(monday, holidays)
    net = 0.0
    by_kind = dict.fromkeys(ADJUSTMENT_KINDS, 0.0)
    for adjustment in adjustments:
        days = covered_working_days(adjustment, working)
        if days:
            net += SIGN[adjustment.kind] * adjustment.fte * days
            by_kind[adjustment.kind] += adjustment.fte
    return WeekStaffing(
        round(net, 6),
        round(by_kind["vacancy"], 6),
        round(by_kind["absence"], 6),
        round(by_kind["agency_cover"], 6),
    )


def capacity_from(
    base_hours: float, establishment_fte: float | None, working_days: int, net_fte_days: float
) -> float:
    """§9's formula from a week's working days and its net FTE-days taken away."""
    full = base_hours * working_days / FULL_WEEK_DAYS
    if not establishment_fte:
        return full
    return max(0.0, full - base_hours / establishment_fte * net_fte_days / FULL_WEEK_DAYS)


def week_capacity(
    base_hours: float,
    establishment_fte: float | None,
    monday: date,
    adjustments: Iterable[Adjustment],
    holidays: Container[date],
) -> float:
    """A team's capacity in hours in the week starting `monday` (SPEC §9)."""
    working = week_working_days(monday, holidays)
    staffing = week_staffing(monday, adjustments, holidays)
    return capacity_from(base_hours, establishment_fte, len(working), staffing.net_fte_days)


def full_hours(base_hours: float, working_days: int) -> float:
    """The week's capacity when fully staffed: the base scaled to its working days."""
    return base_hours * working_days / FULL_WEEK_DAYS


def staffing_words(vacant_fte: float, absent_fte: float, agency_fte: float) -> str:
    """ "2.0 FTE vacant, 1.0 FTE agency cover" (empty when fully staffed)."""
    parts = [
        f"{fte:.1f} FTE {KIND_LABELS[kind]}"
        for kind, fte in (
            ("vacancy", vacant_fte),
            ("absence", absent_fte),
            ("agency_cover", agency_fte),
        )
        if fte
    ]
    return ", ".join(parts)


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays of the weeks from the one holding `first` to the one holding `last`."""
    monday = first - timedelta(days=first.weekday())
    end = last - timedelta(days=last.weekday())
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    return weeks


def vacancy_rate(vacant_fte: float, establishment_fte: float | None) -> float | None:
    """Vacant FTE on a day over the establishment; None without an establishment."""
    if not establishment_fte:
        return None
    return vacant_fte / establishment_fte
