"""The director's figures, read from the stored aggregates: never a scan of the tasks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from tracker.models import (
    CapacityAdjustment,
    Department,
    Initiative,
    Task,
    TaskWeekLoad,
    Team,
    TeamDueDay,
    initiative_departments,
    task_dependencies,
)
from tracker.models.base import ACTIVE_INITIATIVE_STATUSES


@dataclass(frozen=True)
class DueFigures:
    open_tasks: int = 0
    overdue_tasks: int = 0
    open_effort_hours: float = 0.0


def departments(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every department, by name."""
    rows = session.execute(select(Department.id, Department.name).order_by(Department.name))
    return [(row.id, row.name) for row in rows]


def department_due_figures(session: Session, today: date) -> dict[int, DueFigures]:
    """Open and overdue task counts and open effort per department, from team_due_days."""
    stmt = (
        select(
            Team.department_id,
            func.sum(TeamDueDay.open_tasks).label("open"),
            func.sum(case((TeamDueDay.due_date < today, TeamDueDay.open_tasks), else_=0)).label(
                "overdue"
            ),
            func.sum(TeamDueDay.open_effort_hours).label("effort"),
        )
        .join(Team, Team.id == TeamDueDay.team_id)
        .group_by(Team.department_id)
    )
    return {
        row.department_id: DueFigures(
            int(row.open or 0), int(row.overdue or 0), round(float(row.effort or 0.0), 4)
        )
        for row in session.execute(stmt)
    }


def vacant_fte_on(session: Session, day: date) -> dict[int, float]:
    """Vacant FTE per team on `day` (SPEC §9's vacancy rate): one GROUP BY over the
    adjustments covering that day, by their (kind, starts_on, ends_on) index."""
    stmt = (
        select(CapacityAdjustment.team_id, func.sum(CapacityAdjustment.fte))
        .where(
            CapacityAdjustment.kind == "vacancy",
            CapacityAdjustment.starts_on <= day,
            or_(CapacityAdjustment.ends_on.is_(None), CapacityAdjustment.ends_on >= day),
        )
        .group_by(CapacityAdjustment.team_id)
    )
    return {team_id: float(fte) for team_id, fte in session.execute(stmt)}


def active_initiatives_by_confidence(session: Session) -> dict[int, dict[str | None, int]]:
    """Per department, its active initiatives counted by delivery confidence (None: unrated)."""
    links = initiative_departments.c
    stmt = (
        select(links.department_id, Initiative.confidence, func.count())
        .join(Initiative, Initiative.id == links.initiative_id)
        .where(Initiative.status.in_(ACTIVE_INITIATIVE_STATUSES))
        .group_by(links.department_id, Initiative.confidence)
    )
    result: dict[int, dict[str | None, int]] = defaultdict(dict)
    for dept, confidence, count in session.execute(stmt):
        result[dept][confidence] = count
    return result


def active_initiatives(
    session: Session, department_id: int | None = None, confidences: tuple[str, ...] | None = None
) -> list[Initiative]:
    """Active initiatives (of one department, or at these confidence levels), by deadline."""
    stmt = select(Initiative).where(Initiative.status.in_(ACTIVE_INITIATIVE_STATUSES))
    if department_id is not None:
        links = initiative_departments.c
        stmt = stmt.where(
            Initiative.id.in_(
                select(links.initiative_id).where(links.department_id == department_id)
            )
        )
    if confidences is not None:
        stmt = stmt.where(Initiative.confidence.in_(confidences))
    return list(session.scalars(stmt.order_by(Initiative.deadline, Initiative.id)))


@dataclass(frozen=True)
class WeekTask:
    task_id: int
    title: str
    status: str
    start_date: date
    due_date: date
    effort_hours: float
    hours: float
    initiative_id: int
    initiative_title: str


def tasks_in_team_week(session: Session, team_id: int, week: date) -> list[WeekTask]:
    """The open tasks that make up a team's planned hours in one week, largest first (one join)."""
    stmt = (
        select(
            TaskWeekLoad.task_id,
            TaskWeekLoad.hours,
            Task.title,
            Task.status,
            Task.start_date,
            Task.due_date,
            Task.effort_hours,
            Task.initiative_id,
            Initiative.title.label("initiative_title"),
        )
        .join(Task, Task.id == TaskWeekLoad.task_id)
        .join(Initiative, Initiative.id == Task.initiative_id)
        .where(TaskWeekLoad.team_id == team_id, TaskWeekLoad.week_start == week)
        .order_by(TaskWeekLoad.hours.desc(), TaskWeekLoad.task_id)
    )
    return [
        WeekTask(
            r.task_id,
            r.title,
            r.status,
            r.start_date,
            r.due_date,
            r.effort_hours,
            r.hours,
            r.initiative_id,
            r.initiative_title,
        )
        for r in session.execute(stmt)
    ]


@dataclass(frozen=True)
class TimelineTask:
    id: int
    title: str
    status: str
    start_date: date
    due_date: date
    effort_hours: float
    team_id: int
    team_name: str


def initiative_timeline_tasks(
    session: Session, initiative_id: int, limit: int | None = None
) -> list[TimelineTask]:
    """An initiative's first `limit` tasks with their team names, by start date (one join)."""
    stmt = (
        select(
            Task.id,
            Task.title,
            Task.status,
            Task.start_date,
            Task.due_date,
            Task.effort_hours,
            Task.team_id,
            Team.name.label("team_name"),
        )
        .join(Team, Team.id == Task.team_id)
        .where(Task.initiative_id == initiative_id)
        .order_by(Task.start_date, Task.due_date, Task.id)
        .limit(limit)
    )
    return [TimelineTask(*row) for row in session.execute(stmt)]


def count_initiative_tasks(session: Session, initiative_id: int) -> int:
    stmt = select(func.count()).select_from(Task).where(Task.initiative_id == initiative_id)
    return session.scalar(stmt) or 0


def initiative_dependencies(session: Session, initiative_id: int) -> list[tuple[int, int]]:
    """(task, depends_on) pairs of the initiative's tasks, whichever initiative the
    prerequisite belongs to."""
    deps = task_dependencies.c
    stmt = (
        select(deps.task_id, deps.depends_on_id)
        .join(Task, Task.id == deps.task_id)
        .where(Task.initiative_id == initiative_id)
        .order_by(deps.task_id, deps.depends_on_id)
    )
    return [(row.task_id, row.depends_on_id) for row in session.execute(stmt)]
