"""SPEC §4 and §9 figures for teams and departments, one rule for pages, API, alerts,
exports: planned hours from team_week_loads, capacity from queries/capacity.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.workload import WeekLoad, horizon, is_overloaded, peak_ratio
from tracker.models import Team
from tracker.queries.capacity import CapacityCell, capacity_cells
from tracker.services.staffing import week_days


@dataclass(frozen=True)
class TeamLoad:
    team_id: int
    team_name: str
    department_id: int
    capacity_hours: float  # the base: a full five-day week, fully staffed
    weeks: list[WeekLoad]
    establishment_fte: float | None = None

    @property
    def peak_load_ratio(self) -> float:
        return peak_ratio(self.weeks)

    def overloaded(self, threshold: float) -> bool:
        return any(is_overloaded(w.load_ratio, threshold) for w in self.weeks)

    def overloaded_weeks(self, threshold: float) -> list[WeekLoad]:
        return [w for w in self.weeks if is_overloaded(w.load_ratio, threshold)]

    @property
    def reduced_weeks(self) -> list[WeekLoad]:
        return [w for w in self.weeks if w.reduced]

    @property
    def lost_hours(self) -> float:
        return sum(w.lost_hours for w in self.weeks)


def week_load_of(cell: CapacityCell) -> WeekLoad:
    return WeekLoad(
        cell.week_start,
        round(cell.planned_hours, 4),
        round(cell.capacity_hours, 4),
        working_days=cell.working_days,
        full_hours=round(cell.full_hours, 4),
        vacant_fte=cell.vacant_fte,
        absent_fte=cell.absent_fte,
        agency_fte=cell.agency_fte,
    )


def team_weeks(
    session: Session, weeks: list[date], team_ids: Iterable[int] | None = None
) -> dict[int, list[WeekLoad]]:
    """Each team's WeekLoads over the given weeks (one query)."""
    result: dict[int, list[WeekLoad]] = {}
    for cell in capacity_cells(session, week_days(weeks), team_ids):
        result.setdefault(cell.team_id, []).append(week_load_of(cell))
    return result


def teams_load(
    session: Session, today: date, weeks: int, team_ids: list[int] | None = None
) -> list[TeamLoad]:
    """Load of the given teams (or all) over `weeks` weeks from the current one: two queries."""
    week_list = horizon(today, weeks)
    stmt = select(
        Team.id,
        Team.name,
        Team.department_id,
        Team.capacity_hours_per_week,
        Team.establishment_fte,
    ).order_by(Team.department_id, Team.name)
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(team_ids))
    teams = session.execute(stmt).all()
    loads = team_weeks(session, week_list, team_ids) if week_list else {}
    return [
        TeamLoad(
            t.id,
            t.name,
            t.department_id,
            t.capacity_hours_per_week,
            loads.get(t.id, []),
            t.establishment_fte,
        )
        for t in teams
    ]


def team_load(session: Session, team_id: int, today: date, weeks: int) -> TeamLoad:
    return teams_load(session, today, weeks, [team_id])[0]


def departments_load_of(teams: Iterable[TeamLoad]) -> dict[int, list[WeekLoad]]:
    """Each department's weekly load: its teams' planned hours against the sum of their
    capacities in that week (no query: the teams' loads already hold it)."""
    sums: dict[int, dict[date, list[float]]] = {}
    for team in teams:
        weeks = sums.setdefault(team.department_id, {})
        for w in team.weeks:
            cell = weeks.setdefault(w.week_start, [0.0, 0.0, 0.0, w.working_days])
            cell[0] += w.planned_hours
            cell[1] += w.capacity_hours
            cell[2] += w.full_hours if w.full_hours is not None else w.capacity_hours
    return {
        dept: [
            WeekLoad(
                week,
                round(planned, 4),
                round(capacity, 4),
                working_days=days,
                full_hours=round(full, 4),
            )
            for week, (planned, capacity, full, days) in sorted(weeks.items())
        ]
        for dept, weeks in sums.items()
    }
