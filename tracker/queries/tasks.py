"""Task selections shared by the pages, the API and the exports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from tracker.models import Task, Team, task_dependencies


def reachable_from(session: Session, start_ids: Iterable[int]) -> set[int]:
    """Every task that the given tasks depend on, directly or not (one recursive query)."""
    start = list(start_ids)
    if not start:
        return set()
    deps = task_dependencies.c
    walk = (
        select(deps.depends_on_id.label("id"))
        .where(deps.task_id.in_(start))
        .cte("walk", recursive=True)
    )
    walk = walk.union(select(deps.depends_on_id).join(walk, deps.task_id == walk.c.id))
    return set(session.scalars(select(walk.c.id)))


@dataclass
class TaskFilters:
    team_id: int | None = None
    team_ids: list[int] | None = None
    status: str | None = None
    open_only: bool = False
    initiative_id: int | None = None
    department_id: int | None = None
    due_before: date | None = None


def filtered_tasks(filters: TaskFilters, today: date | None = None) -> Select:
    """select(Task) with the filters applied, overdue first (when `today` is given),
    then by due date and id."""
    stmt = select(Task)
    if filters.team_id is not None:
        stmt = stmt.where(Task.team_id == filters.team_id)
    if filters.team_ids is not None:
        stmt = stmt.where(Task.team_id.in_(filters.team_ids))
    if filters.status:
        stmt = stmt.where(Task.status == filters.status)
    if filters.open_only:
        stmt = stmt.where(Task.status != "done")
    if filters.initiative_id is not None:
        stmt = stmt.where(Task.initiative_id == filters.initiative_id)
    if filters.department_id is not None:
        stmt = stmt.join(Team, Team.id == Task.team_id).where(
            Team.department_id == filters.department_id
        )
    if filters.due_before is not None:
        stmt = stmt.where(Task.due_date < filters.due_before)
    order = [Task.due_date, Task.id]
    if today is not None:
        overdue = case((Task.status != "done", case((Task.due_date < today, 0), else_=1)), else_=1)
        order.insert(0, overdue)
    return stmt.order_by(*order)
