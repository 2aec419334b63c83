"""API routes for tasks: filtered lists, optimistic-locked updates, history, load preview."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.api import bp
from tracker.api.helpers import (
    FieldReader,
    actor,
    get_or_404,
    json_body,
    paged,
    query_choice,
    query_date,
    query_int,
    read_body,
)
from tracker.api.initiatives import TASK_FIELD_SCHEMAS, TASK_KINDS_OF_FIELD
from tracker.api.openapi import (
    DATE,
    DATETIME,
    ID,
    NUMBER,
    PAGING,
    STRING,
    TEXT,
    items_of,
    nullable,
    obj,
    op,
    path_param,
    query_param,
    ref,
)
from tracker.api.serializers import preview_json, task_json, task_update_json
from tracker.extensions import db
from tracker.models import Task, TaskUpdate
from tracker.models.base import TASK_STATUSES
from tracker.queries.tasks import TaskFilters, filtered_tasks
from tracker.services.planning import preview_task_load
from tracker.services.tasks import get_task, update_task
from tracker.web.helpers import now, today

PATCH_KINDS = {**TASK_KINDS_OF_FIELD, "note": "string", "version": "integer"}
PREVIEW_KINDS = {
    "team_id": "id",
    "effort_hours": "number",
    "start_date": "date",
    "due_date": "date",
    "task_id": "id?",
    "initiative_id": "id?",
}


@bp.get("/tasks")
def list_tasks():
    filters = TaskFilters(
        team_id=query_int("team_id"),
        status=query_choice("status", TASK_STATUSES),
        initiative_id=query_int("initiative_id"),
        due_before=query_date("due_before"),
    )
    stmt = filtered_tasks(filters, today()).options(selectinload(Task.depends_on))
    return jsonify(paged(db.session, stmt, task_json))


@bp.get("/tasks/<int:task_id>")
def get_task_view(task_id: int):
    return jsonify(task_json(get_task(db.session, task_id)))


@bp.patch("/tasks/<int:task_id>")
def update_task_view(task_id: int):
    """Needs the `version` last read: missing or stale answers 409 and changes nothing."""
    changes = read_body(PATCH_KINDS)
    version = changes.pop("version", None)
    note = changes.pop("note", "")
    task = update_task(db.session, actor(), task_id, changes, version, now(), note=note)
    return jsonify(task_json(task))


@bp.get("/tasks/<int:task_id>/updates")
def list_task_updates(task_id: int):
    get_task(db.session, task_id)
    stmt = (
        select(TaskUpdate)
        .where(TaskUpdate.task_id == task_id)
        .order_by(TaskUpdate.created_at, TaskUpdate.id)
    )
    return jsonify(paged(db.session, stmt, task_update_json))


@bp.post("/tasks/preview")
def preview_task():
    """A team's weekly load before and after a new or rescheduled task; nothing is saved."""
    body = json_body(set(PREVIEW_KINDS), set(PREVIEW_KINDS) - {"task_id", "initiative_id"})
    reader = FieldReader(body)
    values = {name: reader.read(name, kind) for name, kind in PREVIEW_KINDS.items()}
    reader.check()
    if values["task_id"] is not None:
        get_or_404(db.session, Task, values["task_id"], "task")
    preview = preview_task_load(
        db.session,
        threshold=current_app.config["OVERLOAD_THRESHOLD"],
        **values,
    )
    return jsonify(preview_json(preview))


# OpenAPI -------------------------------------------------------------------

OPENAPI_SCHEMAS = {
    "Task": obj(
        {
            "id": ID,
            "initiative_id": ID,
            "team_id": ID,
            "title": STRING,
            "description": STRING,
            "effort_hours": NUMBER,
            "start_date": DATE,
            "due_date": DATE,
            "status": {"enum": list(TASK_STATUSES)},
            "blocked_reason": nullable(STRING),
            "depends_on": {"type": "array", "items": ID},
            "version": {"type": "integer", "minimum": 1},
            "completed_at": nullable(DATETIME),
            "created_at": DATETIME,
            "updated_at": DATETIME,
        }
    ),
    "TaskPatch": obj(
        {**TASK_FIELD_SCHEMAS, "note": TEXT, "version": {"type": "integer"}},
        required=["version"],
        description=(
            "Only the fields to change, and the `version` last read (missing or stale: 409). "
            "A team lead of the task's team may change status and blocked_reason and add a "
            "note; plan fields need a manager who may edit the initiative."
        ),
    ),
    "TaskUpdate": obj(
        {
            "id": ID,
            "task_id": ID,
            "user_id": ID,
            "created_at": DATETIME,
            "old_status": nullable({"enum": list(TASK_STATUSES)}),
            "new_status": nullable({"enum": list(TASK_STATUSES)}),
            "note": STRING,
            "changes": STRING,
        }
    ),
    "PreviewInput": obj(
        {
            "team_id": ID,
            "effort_hours": {"type": "number", "exclusiveMinimum": 0},
            "start_date": DATE,
            "due_date": DATE,
            "task_id": nullable(ID),
            "initiative_id": nullable(ID),
        },
        required=["team_id", "effort_hours", "start_date", "due_date"],
        description="task_id names the task being rescheduled: its current share is "
        "replaced. initiative_id (or the task's) says whose departments' teams are "
        "suggested instead; without either, the team's own department's. The same rules "
        "as the task form apply (422 otherwise).",
    ),
    "LoadPreview": obj(
        {
            "team_id": ID,
            "overloaded": {"type": "boolean"},
            "suggestions": {
                **nullable(
                    obj(
                        {
                            "earliest_start": nullable(obj({"start_date": DATE, "due_date": DATE})),
                            "due_date_that_fits": nullable(DATE),
                            "other_teams": {
                                "type": "array",
                                "maxItems": 5,
                                "items": obj(
                                    {
                                        "team_id": ID,
                                        "name": STRING,
                                        "peak_load_ratio_after": NUMBER,
                                    }
                                ),
                            },
                        }
                    )
                ),
                "description": "SPEC §9, only when the task would overload the team (else "
                "null): the earliest start keeping its working days, the earliest due date "
                "keeping its start (each searched 52 weeks ahead, null when nothing fits), "
                "and up to 5 other teams that take it as proposed, least loaded first",
            },
            "weeks": {
                "type": "array",
                "items": obj(
                    {
                        "week_start": DATE,
                        "capacity_hours": NUMBER,
                        "before_hours": NUMBER,
                        "after_hours": NUMBER,
                        "before_ratio": {
                            **nullable(NUMBER),
                            "description": "null when the week has no capacity (SPEC §9)",
                        },
                        "after_ratio": nullable(NUMBER),
                        "reason": {
                            "type": "string",
                            "description": "Why the week has less capacity than a full, "
                            "fully staffed week (bank holiday, vacancies, absences), or empty",
                        },
                        "overloaded": {"type": "boolean"},
                    }
                ),
            },
        }
    ),
}

_id = [path_param("task_id")]

OPENAPI_PATHS = {
    "/tasks": {
        "get": op(
            "Tasks, paged, overdue first then by due date",
            {200: items_of(ref("Task"), paged=True)},
            params=[
                query_param("team_id", {"type": "integer"}),
                query_param("status", {"enum": list(TASK_STATUSES)}),
                query_param("initiative_id", {"type": "integer"}),
                query_param("due_before", DATE, "Due strictly before this date"),
                *PAGING,
            ],
            errors=(401, 422),
        )
    },
    "/tasks/{task_id}": {
        "get": op("One task", {200: ref("Task")}, params=_id, errors=(401, 404)),
        "patch": op(
            "Change a task and/or add a note, as one history entry",
            {200: ref("Task")},
            body=ref("TaskPatch"),
            params=_id,
            errors=(401, 403, 404, 409, 422),
        ),
    },
    "/tasks/{task_id}/updates": {
        "get": op(
            "The task's history, oldest first",
            {200: items_of(ref("TaskUpdate"), paged=True)},
            params=_id + PAGING,
            errors=(401, 404, 422),
        )
    },
    "/tasks/preview": {
        "post": op(
            "A team's weekly load before and after a task change (nothing is saved)",
            {200: ref("LoadPreview")},
            body=ref("PreviewInput"),
            errors=(401, 404, 422),
        )
    },
}
