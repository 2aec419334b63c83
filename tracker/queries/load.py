"""Reading the stored workload: teams × weeks rows, never the task table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import TaskWeekLoad


def task_hours_in_week(session: Session, team_id: int, week: date) -> list[tuple[int, float]]:
    """(task id, hours) of the open tasks that make up a team's week."""
    stmt = (
        select(TaskWeekLoad.task_id, TaskWeekLoad.hours)
        .where(TaskWeekLoad.team_id == team_id, TaskWeekLoad.week_start == week)
        .order_by(TaskWeekLoad.hours.desc())
    )
    return [(row.task_id, row.hours) for row in session.execute(stmt)]
