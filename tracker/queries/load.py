"""Reading the stored workload: teams × weeks rows, never the task table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import TaskWeekLoad, Team, TeamWeekLoad


def team_week_hours(
    session: Session, weeks: list[date], team_ids: Iterable[int] | None = None
) -> dict[int, dict[date, float]]:
    """Planned hours by team and week for the given weeks (one query)."""
    stmt = select(TeamWeekLoad.team_id, TeamWeekLoad.week_start, TeamWeekLoad.planned_hours).where(
        TeamWeekLoad.week_start.between(weeks[0], weeks[-1])
    )
    if team_ids is not None:
        stmt = stmt.where(TeamWeekLoad.team_id.in_(list(team_ids)))
    result: dict[int, dict[date, float]] = defaultdict(dict)
    for row in session.execute(stmt):
        result[row.team_id][row.week_start] = row.planned_hours
    return result


def department_week_hours(session: Session, weeks: list[date]) -> dict[int, dict[date, float]]:
    """Planned hours by department and week: the sum over its teams (one query)."""
    stmt = (
        select(
            Team.department_id,
            TeamWeekLoad.week_start,
            func.sum(TeamWeekLoad.planned_hours).label("hours"),
        )
        .join(Team, Team.id == TeamWeekLoad.team_id)
        .where(TeamWeekLoad.week_start.between(weeks[0], weeks[-1]))
        .group_by(Team.department_id, TeamWeekLoad.week_start)
    )
    result: dict[int, dict[date, float]] = defaultdict(dict)
    for row in session.execute(stmt):
        result[row.department_id][row.week_start] = row.hours
    return result


def task_hours_in_week(session: Session, team_id: int, week: date) -> list[tuple[int, float]]:
    """(task id, hours) of the open tasks that make up a team's week."""
    stmt = (
        select(TaskWeekLoad.task_id, TaskWeekLoad.hours)
        .where(TaskWeekLoad.team_id == team_id, TaskWeekLoad.week_start == week)
        .order_by(TaskWeekLoad.hours.desc())
    )
    return [(row.task_id, row.hours) for row in session.execute(stmt)]
