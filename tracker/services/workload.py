"""SPEC §4 figures for teams and departments, one rule for pages, API, alerts, exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.domain.workload import WeekLoad, horizon, is_overloaded, peak_ratio, week_loads
from tracker.models import Team
from tracker.queries.load import department_week_hours, team_week_hours


@dataclass(frozen=True)
class TeamLoad:
    team_id: int
    team_name: str
    department_id: int
    capacity_hours: float
    weeks: list[WeekLoad]

    @property
    def peak_load_ratio(self) -> float:
        return peak_ratio(self.weeks)

    def overloaded(self, threshold: float) -> bool:
        return any(is_overloaded(w.load_ratio, threshold) for w in self.weeks)


def teams_load(
    session: Session, today: date, weeks: int, team_ids: list[int] | None = None
) -> list[TeamLoad]:
    """Load of the given teams (or all) over `weeks` weeks from the current one: two queries."""
    week_list = horizon(today, weeks)
    stmt = select(Team.id, Team.name, Team.department_id, Team.capacity_hours_per_week).order_by(
        Team.department_id, Team.name
    )
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(team_ids))
    teams = session.execute(stmt).all()
    hours = team_week_hours(session, week_list, [t.id for t in teams] if team_ids else None)
    return [
        TeamLoad(
            t.id,
            t.name,
            t.department_id,
            t.capacity_hours_per_week,
            week_loads(week_list, hours.get(t.id, {}), t.capacity_hours_per_week),
        )
        for t in teams
    ]


def team_load(session: Session, team_id: int, today: date, weeks: int) -> TeamLoad:
    return teams_load(session, today, weeks, [team_id])[0]


def departments_load(session: Session, today: date, weeks: int) -> dict[int, list[WeekLoad]]:
    """Each department's weekly load: its teams' hours against their summed capacity."""
    week_list = horizon(today, weeks)
    capacity = dict(
        session.execute(
            select(Team.department_id, func.sum(Team.capacity_hours_per_week)).group_by(
                Team.department_id
            )
        ).all()
    )
    hours = department_week_hours(session, week_list)
    return {dept: week_loads(week_list, hours.get(dept, {}), cap) for dept, cap in capacity.items()}
