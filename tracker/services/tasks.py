"""Planning tasks and keeping their status: the use cases behind pages, API and CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.domain.access import Actor, can_edit_initiative, can_update_task_status
from tracker.domain.days import council_day
from tracker.domain.history import describe_changes
from tracker.domain.validation import EFFORT_HOURS
from tracker.models import Initiative, Task, TaskUpdate, Team
from tracker.models.base import TASK_STATUSES
from tracker.queries.subjects import task_titles, team_names
from tracker.queries.tasks import reachable_from
from tracker.services import load
from tracker.services.errors import Conflict, Forbidden, Invalid, NotFound
from tracker.services.queueing import queue_overload_check, record_overload_check
from tracker.services.validation import (
    check_choice,
    check_dates,
    check_name,
    check_number,
    check_task_span,
    check_text,
)

PLAN_FIELDS = ("title", "description", "team_id", "effort_hours", "start_date", "due_date")
STATUS_FIELDS = ("status", "blocked_reason")
LOAD_FIELDS = ("team_id", "effort_hours", "start_date", "due_date", "status")


@dataclass
class TaskData:
    """A task's fields, already parsed into Python types by the web or API layer."""

    title: str = ""
    description: str = ""
    team_id: int | None = None
    effort_hours: float | None = None
    start_date: date | None = None
    due_date: date | None = None
    status: str = "not_started"
    blocked_reason: str | None = None
    depends_on: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, task: Task) -> TaskData:
        return cls(
            title=task.title,
            description=task.description,
            team_id=task.team_id,
            effort_hours=task.effort_hours,
            start_date=task.start_date,
            due_date=task.due_date,
            status=task.status,
            blocked_reason=task.blocked_reason,
            depends_on=[t.id for t in task.depends_on],
        )


def get_task(session: Session, task_id: int) -> Task:
    task = session.get(
        Task,
        task_id,
        options=[selectinload(Task.initiative).selectinload(Initiative.departments)],
    )
    if task is None:
        raise NotFound(f"There is no task {task_id}")
    return task


def validate(
    session: Session, data: TaskData, initiative: Initiative, task_id: int | None = None
) -> dict[str, str]:
    """Every rule of SPEC §3 for a task; an empty dict means it may be saved."""
    errors: dict[str, str] = {}
    check_name(errors, "title", data.title, "a title")
    check_text(errors, "description", data.description, "the description")
    check_choice(errors, "status", data.status, TASK_STATUSES, "a status")
    check_text(errors, "blocked_reason", data.blocked_reason, "the blocked reason")
    if data.status == "blocked" and not (data.blocked_reason or "").strip():
        errors.setdefault("blocked_reason", "Say why the task is blocked")
    check_number(
        errors,
        "effort_hours",
        data.effort_hours,
        EFFORT_HOURS,
        "the effort",
        missing="Enter the effort in hours",
    )
    check_dates(errors, data.start_date, data.due_date, "start_date", "due_date", "due date")
    check_task_span(errors, data.start_date, data.due_date)
    if data.team_id is None:
        errors["team_id"] = "Select the team that will do the task"
    else:
        team = session.get(Team, data.team_id)
        if team is None:
            errors["team_id"] = "Select a team that exists"
        elif team.department_id not in initiative.department_ids:
            errors["team_id"] = "Select a team of a department the initiative affects"
    errors.update(_dependency_errors(session, data.depends_on, task_id))
    return errors


def _dependency_errors(session: Session, depends_on: list[int], task_id: int | None) -> dict:
    wanted = set(depends_on)
    if not wanted:
        return {}
    if task_id is not None and task_id in wanted:
        return {"depends_on": "A task cannot depend on itself"}
    found = set(session.scalars(select(Task.id).where(Task.id.in_(wanted))))
    if missing := wanted - found:
        return {"depends_on": f"No such task: {', '.join(map(str, sorted(missing)))}"}
    if task_id is not None and task_id in reachable_from(session, wanted):
        return {"depends_on": "These dependencies would make a cycle: a task would wait on itself"}
    return {}


def create_task(
    session: Session,
    actor: Actor,
    initiative_id: int,
    data: TaskData,
    now: datetime,
    note: str = "",
) -> Task:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise NotFound(f"There is no initiative {initiative_id}")
    if not can_edit_initiative(actor, initiative.owner_id, initiative.department_ids):
        raise Forbidden("Only a manager of an affected department can plan this initiative's tasks")
    errors = validate(session, data, initiative)
    check_text(errors, "note", note, "the note")
    if errors:
        raise Invalid("The task could not be saved", errors)
    task = Task(
        initiative_id=initiative.id,
        title=data.title.strip(),
        description=data.description or "",
        team_id=data.team_id,
        effort_hours=float(data.effort_hours),
        start_date=data.start_date,
        due_date=data.due_date,
        status=data.status,
        blocked_reason=data.blocked_reason if data.status == "blocked" else None,
        completed_at=now if data.status == "done" else None,
        created_at=now,
        updated_at=now,
    )
    task.depends_on = list(session.scalars(select(Task).where(Task.id.in_(data.depends_on))))
    session.add(task)
    session.flush()
    session.add(
        TaskUpdate(
            task_id=task.id,
            user_id=actor.id,
            created_at=now,
            old_status=None,
            new_status=task.status,
            note=note or "Task planned",
        )
    )
    teams = load.refresh_tasks_load(session, [task])
    record_overload_check(session, teams, now)
    session.commit()
    queue_overload_check(teams)
    return task


def update_task(
    session: Session,
    actor: Actor,
    task_id: int,
    changes: dict[str, Any],
    version: int | None,
    now: datetime,
    note: str = "",
) -> Task:
    """Change any of a task's fields and/or add a note, as one history entry.

    `changes` holds only the fields being set (TaskData names). The caller must give
    the `version` it last read; a stale or missing one raises Conflict.
    """
    task = get_task(session, task_id)
    initiative = task.initiative
    unknown = set(changes) - set(PLAN_FIELDS) - set(STATUS_FIELDS) - {"depends_on"}
    if unknown:
        raise Invalid("Unknown fields", {f: "This field cannot be changed" for f in unknown})
    before = TaskData.of(task)
    after = TaskData(**{**before.__dict__, **changes})
    if after.status != "blocked":
        after.blocked_reason = None  # a reason belongs to a blocked task only
    changed = [f for f in before.__dict__ if getattr(before, f) != getattr(after, f)]
    if changed and any(f in PLAN_FIELDS or f == "depends_on" for f in changed):
        allowed = can_edit_initiative(actor, initiative.owner_id, initiative.department_ids)
        message = "Only a manager of an affected department can change the task's plan"
    else:
        allowed = can_update_task_status(
            actor, task.team_id, initiative.owner_id, initiative.department_ids
        )
        message = "Only the lead of the task's team (or its managers) can update this task"
    if not allowed:
        raise Forbidden(message)
    if version is None or version != task.version:
        raise Conflict(
            "The task has changed since you read it: reload it and try again",
            {"version": f"The current version is {task.version}"},
        )
    errors = validate(session, after, initiative, task.id)
    check_text(errors, "note", note, "the note")
    if errors:
        raise Invalid("The task could not be saved", errors)
    if not changed and not note.strip():
        raise Invalid("Nothing to save", {"note": "Change something or add a note"})

    try:
        teams = _apply_update(session, actor, task, before, after, changed, note, now)
    except StaleDataError as exc:
        # Someone saved between our version check and our UPDATE ... WHERE version = n.
        session.rollback()
        raise Conflict(
            "The task has changed since you read it: reload it and try again",
            {"version": "Someone else saved this task a moment ago"},
        ) from exc
    queue_overload_check(teams)
    return task


def _apply_update(
    session: Session,
    actor: Actor,
    task: Task,
    before: TaskData,
    after: TaskData,
    changed: list[str],
    note: str,
    now: datetime,
) -> set[int]:
    """Write the change and its history entry, refresh the stored load, commit."""
    old_team, old_due = task.team_id, task.due_date
    for name in PLAN_FIELDS + STATUS_FIELDS:
        setattr(task, name, getattr(after, name))
    if "depends_on" in changed:
        task.depends_on = list(session.scalars(select(Task).where(Task.id.in_(after.depends_on))))
    if before.status != after.status:
        task.completed_at = now if after.status == "done" else None
    if (
        "due_date" in changed
        and before.status != "done"
        and task.first_missed_on is None
        and before.due_date < council_day(now)
    ):
        # Re-dating an overdue task never hides its first miss (SPEC §5).
        task.first_missed_on = before.due_date
    task.updated_at = now  # always an UPDATE, so the version moves on
    session.add(
        TaskUpdate(
            task_id=task.id,
            user_id=actor.id,
            created_at=now,
            old_status=before.status,
            new_status=after.status,
            note=note.strip(),
            changes=_describe(session, before, after, changed),
        )
    )
    session.flush()
    teams: set[int] = set()
    if any(f in LOAD_FIELDS for f in changed):
        teams = load.refresh_tasks_load(session, [task], extra_due_cells=[(old_team, old_due)])
        record_overload_check(session, teams, now)
    session.commit()
    return teams


def _describe(session: Session, before: TaskData, after: TaskData, changed: list[str]) -> str:
    """The change as sentences, naming teams and tasks (two small look-ups at most)."""
    teams = team_names(session, {before.team_id, after.team_id} if "team_id" in changed else ())
    tasks = task_titles(
        session, set(before.depends_on) ^ set(after.depends_on) if "depends_on" in changed else ()
    )
    return "\n".join(describe_changes(before.__dict__, after.__dict__, changed, teams, tasks))
