"""Keeping the stored workload (models/load.py) in step with tasks as they change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, func, insert, select, tuple_
from sqlalchemy.orm import Session

from tracker.domain.workload import weekly_shares
from tracker.models import Task, TaskWeekLoad, TeamDueDay, TeamWeekLoad
from tracker.services.calendar import BANK_HOLIDAYS


def task_shares(task: Task) -> dict[date, float]:
    """The task's planned hours by week, or nothing once it is done."""
    if task.status == "done":
        return {}
    return weekly_shares(task.effort_hours, task.start_date, task.due_date, BANK_HOLIDAYS)


def write_task_load(session: Session, tasks: Iterable[Task]) -> tuple[set, set]:
    """Replace the weekly shares of `tasks` (already flushed) and return the
    (team, week) and (team, due date) cells to refresh — including the cells the
    tasks occupied before, so moving a task clears its old place."""
    tasks = list(tasks)
    ids = [t.id for t in tasks]
    week_cells: set[tuple[int, date]] = set()
    due_cells: set[tuple[int, date]] = set()
    if not ids:
        return week_cells, due_cells
    old = session.execute(
        select(TaskWeekLoad.team_id, TaskWeekLoad.week_start).where(TaskWeekLoad.task_id.in_(ids))
    ).all()
    week_cells.update((row.team_id, row.week_start) for row in old)
    session.execute(delete(TaskWeekLoad).where(TaskWeekLoad.task_id.in_(ids)))
    rows = []
    for task in tasks:
        due_cells.add((task.team_id, task.due_date))
        for week, hours in task_shares(task).items():
            rows.append(
                {"task_id": task.id, "week_start": week, "team_id": task.team_id, "hours": hours}
            )
            week_cells.add((task.team_id, week))
    if rows:
        session.execute(insert(TaskWeekLoad), rows)
    return week_cells, due_cells


def refresh_cells(
    session: Session,
    week_cells: Iterable[tuple[int, date]],
    due_cells: Iterable[tuple[int, date]],
) -> None:
    """Recompute the named aggregate cells from their source rows (exact, no drift)."""
    week_cells = sorted(set(week_cells))
    due_cells = sorted(set(due_cells))
    for chunk in _chunks(week_cells, 300):
        session.execute(
            delete(TeamWeekLoad).where(
                tuple_(TeamWeekLoad.team_id, TeamWeekLoad.week_start).in_(chunk)
            )
        )
        sums = session.execute(
            select(
                TaskWeekLoad.team_id,
                TaskWeekLoad.week_start,
                func.sum(TaskWeekLoad.hours).label("hours"),
            )
            .where(tuple_(TaskWeekLoad.team_id, TaskWeekLoad.week_start).in_(chunk))
            .group_by(TaskWeekLoad.team_id, TaskWeekLoad.week_start)
        ).all()
        if sums:
            session.execute(
                insert(TeamWeekLoad),
                [
                    {"team_id": r.team_id, "week_start": r.week_start, "planned_hours": r.hours}
                    for r in sums
                ],
            )
    for chunk in _chunks(due_cells, 300):
        session.execute(
            delete(TeamDueDay).where(tuple_(TeamDueDay.team_id, TeamDueDay.due_date).in_(chunk))
        )
        sums = session.execute(
            select(
                Task.team_id,
                Task.due_date,
                func.count().label("n"),
                func.sum(Task.effort_hours).label("effort"),
            )
            .where(Task.status != "done", tuple_(Task.team_id, Task.due_date).in_(chunk))
            .group_by(Task.team_id, Task.due_date)
        ).all()
        if sums:
            session.execute(
                insert(TeamDueDay),
                [
                    {
                        "team_id": r.team_id,
                        "due_date": r.due_date,
                        "open_tasks": r.n,
                        "open_effort_hours": r.effort,
                    }
                    for r in sums
                ],
            )


def refresh_tasks_load(session: Session, tasks: Iterable[Task], extra_due_cells=()) -> set[int]:
    """Write the tasks' shares and refresh every cell they touch; return the teams touched."""
    week_cells, due_cells = write_task_load(session, tasks)
    due_cells.update(extra_due_cells)
    refresh_cells(session, week_cells, due_cells)
    return {team for team, _ in week_cells} | {team for team, _ in due_cells}


def rebuild_all(session: Session) -> None:
    """Recompute both aggregate tables from scratch (after a bulk load)."""
    session.execute(delete(TeamWeekLoad))
    session.execute(delete(TeamDueDay))
    session.execute(
        insert(TeamWeekLoad).from_select(
            ["team_id", "week_start", "planned_hours"],
            select(
                TaskWeekLoad.team_id, TaskWeekLoad.week_start, func.sum(TaskWeekLoad.hours)
            ).group_by(TaskWeekLoad.team_id, TaskWeekLoad.week_start),
        )
    )
    session.execute(
        insert(TeamDueDay).from_select(
            ["team_id", "due_date", "open_tasks", "open_effort_hours"],
            select(Task.team_id, Task.due_date, func.count(), func.sum(Task.effort_hours))
            .where(Task.status != "done")
            .group_by(Task.team_id, Task.due_date),
        )
    )


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]
