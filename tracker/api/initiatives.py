"""API routes for initiatives, their tasks and their delivery confidence."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.api import bp
from tracker.api.helpers import actor, paged, query_choice, query_int, read_body, require_role
from tracker.api.openapi import (
    DATE,
    DATETIME,
    ID,
    NAME,
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
from tracker.api.serializers import confidence_json, initiative_json, task_json
from tracker.extensions import db
from tracker.models import ConfidenceRating, Initiative, Task, initiative_departments
from tracker.models.base import CONFIDENCE_LEVELS, INITIATIVE_KINDS, INITIATIVE_STATUSES
from tracker.services.initiatives import (
    InitiativeData,
    create_initiative,
    get_initiative,
    set_confidence,
    update_initiative,
)
from tracker.services.tasks import TaskData, create_task
from tracker.web.helpers import now

INITIATIVE_KINDS_OF_FIELD = {
    "title": "string",
    "source": "string",
    "kind": "string",
    "summary": "string",
    "rationale": "string",
    "budget_pence": "integer?",
    "start_date": "date",
    "deadline": "date",
    "status": "string",
    "owner_id": "id",
    "department_ids": "ids",
}
TASK_KINDS_OF_FIELD = {
    "title": "string",
    "description": "string",
    "team_id": "id",
    "effort_hours": "number",
    "start_date": "date",
    "due_date": "date",
    "status": "string",
    "blocked_reason": "string?",
    "depends_on": "ids",
}


@bp.get("/initiatives")
def list_initiatives():
    stmt = select(Initiative).options(selectinload(Initiative.departments))
    if status := query_choice("status", INITIATIVE_STATUSES):
        stmt = stmt.where(Initiative.status == status)
    if kind := query_choice("kind", INITIATIVE_KINDS):
        stmt = stmt.where(Initiative.kind == kind)
    if (department_id := query_int("department_id")) is not None:
        affected = select(initiative_departments.c.initiative_id).where(
            initiative_departments.c.department_id == department_id
        )
        stmt = stmt.where(Initiative.id.in_(affected))
    stmt = stmt.order_by(Initiative.deadline, Initiative.id)
    return jsonify(paged(db.session, stmt, initiative_json))


@bp.post("/initiatives")
def create_initiative_view():
    require_role("manager")
    body = read_body(INITIATIVE_KINDS_OF_FIELD)
    initiative = create_initiative(db.session, actor(), InitiativeData(**body), now())
    return jsonify(initiative_json(initiative)), 201


@bp.get("/initiatives/<int:initiative_id>")
def get_initiative_view(initiative_id: int):
    return jsonify(initiative_json(get_initiative(db.session, initiative_id)))


@bp.patch("/initiatives/<int:initiative_id>")
def update_initiative_view(initiative_id: int):
    body = read_body(INITIATIVE_KINDS_OF_FIELD)
    initiative = update_initiative(db.session, actor(), initiative_id, body, now())
    return jsonify(initiative_json(initiative))


@bp.get("/initiatives/<int:initiative_id>/tasks")
def list_initiative_tasks(initiative_id: int):
    get_initiative(db.session, initiative_id)
    stmt = (
        select(Task)
        .where(Task.initiative_id == initiative_id)
        .options(selectinload(Task.depends_on))
        .order_by(Task.due_date, Task.id)
    )
    return jsonify(paged(db.session, stmt, task_json))


@bp.post("/initiatives/<int:initiative_id>/tasks")
def create_initiative_task(initiative_id: int):
    body = read_body({**TASK_KINDS_OF_FIELD, "note": "string"})
    note = body.pop("note", "")
    task = create_task(db.session, actor(), initiative_id, TaskData(**body), now(), note=note)
    return jsonify(task_json(task)), 201


@bp.get("/initiatives/<int:initiative_id>/confidence")
def list_confidence(initiative_id: int):
    get_initiative(db.session, initiative_id)
    rows = db.session.scalars(
        select(ConfidenceRating)
        .where(ConfidenceRating.initiative_id == initiative_id)
        .order_by(ConfidenceRating.set_at.desc(), ConfidenceRating.id.desc())
    )
    return jsonify({"items": [confidence_json(r) for r in rows]})


@bp.post("/initiatives/<int:initiative_id>/confidence")
def rate_confidence(initiative_id: int):
    body = read_body({"rating": "string", "comment": "string"}, {"rating", "comment"})
    entry = set_confidence(
        db.session, actor(), initiative_id, body["rating"], body["comment"], now()
    )
    return jsonify(confidence_json(entry)), 201


# OpenAPI -------------------------------------------------------------------

_initiative_fields = {
    "title": NAME,
    "source": {"type": "string", "maxLength": 200},
    "kind": {"enum": list(INITIATIVE_KINDS)},
    "summary": TEXT,
    "rationale": TEXT,
    "budget_pence": nullable({"type": "integer", "minimum": 0}),
    "start_date": DATE,
    "deadline": DATE,
    "status": {"enum": list(INITIATIVE_STATUSES)},
    "owner_id": ID,
    "department_ids": {"type": "array", "items": ID, "minItems": 1},
}
TASK_FIELD_SCHEMAS = {
    "title": NAME,
    "description": TEXT,
    "team_id": ID,
    "effort_hours": {"type": "number", "exclusiveMinimum": 0},
    "start_date": DATE,
    "due_date": DATE,
    "status": {"enum": ["not_started", "in_progress", "blocked", "done"]},
    "blocked_reason": nullable(TEXT),
    "depends_on": {"type": "array", "items": ID},
}

OPENAPI_SCHEMAS = {
    "Initiative": obj(
        {
            "id": ID,
            "title": STRING,
            "source": STRING,
            "kind": {"enum": list(INITIATIVE_KINDS)},
            "summary": STRING,
            "rationale": STRING,
            "budget_pence": nullable({"type": "integer"}),
            "start_date": DATE,
            "deadline": DATE,
            "status": {"enum": list(INITIATIVE_STATUSES)},
            "owner_id": ID,
            "department_ids": {"type": "array", "items": ID},
            "confidence": nullable({"enum": list(CONFIDENCE_LEVELS)}),
            "created_at": DATETIME,
            "updated_at": DATETIME,
        }
    ),
    "InitiativeInput": obj(
        _initiative_fields,
        required=["title", "kind", "start_date", "deadline", "department_ids"],
        description="owner_id defaults to the caller",
    ),
    "InitiativePatch": obj(_initiative_fields, required=[]),
    "TaskInput": obj(
        {**TASK_FIELD_SCHEMAS, "note": TEXT},
        required=["title", "team_id", "effort_hours", "start_date", "due_date"],
    ),
    "ConfidenceRating": obj(
        {
            "id": ID,
            "initiative_id": ID,
            "rating": {"enum": list(CONFIDENCE_LEVELS)},
            "comment": STRING,
            "set_by_id": ID,
            "set_at": DATETIME,
        }
    ),
    "ConfidenceInput": obj({"rating": {"enum": list(CONFIDENCE_LEVELS)}, "comment": TEXT}),
}

_id = [path_param("initiative_id")]

OPENAPI_PATHS = {
    "/initiatives": {
        "get": op(
            "Initiatives, paged, by deadline",
            {200: items_of(ref("Initiative"), paged=True)},
            params=[
                query_param("status", {"enum": list(INITIATIVE_STATUSES)}),
                query_param("kind", {"enum": list(INITIATIVE_KINDS)}),
                query_param("department_id", {"type": "integer"}, "Initiatives affecting it"),
                *PAGING,
            ],
            errors=(401, 422),
        ),
        "post": op(
            "Record an initiative (manager)",
            {201: ref("Initiative")},
            body=ref("InitiativeInput"),
            errors=(401, 403, 422),
        ),
    },
    "/initiatives/{initiative_id}": {
        "get": op("One initiative", {200: ref("Initiative")}, params=_id, errors=(401, 404)),
        "patch": op(
            "Change an initiative (a manager of an affected department, or its owner)",
            {200: ref("Initiative")},
            body=ref("InitiativePatch"),
            params=_id,
        ),
    },
    "/initiatives/{initiative_id}/tasks": {
        "get": op(
            "The initiative's tasks, paged, by due date",
            {200: items_of(ref("Task"), paged=True)},
            params=_id + PAGING,
            errors=(401, 404, 422),
        ),
        "post": op(
            "Plan a task of the initiative (a manager who may edit it)",
            {201: ref("Task")},
            body=ref("TaskInput"),
            params=_id,
        ),
    },
    "/initiatives/{initiative_id}/confidence": {
        "get": op(
            "The delivery-confidence history, newest first",
            {200: items_of(ref("ConfidenceRating"))},
            params=_id,
            errors=(401, 404),
        ),
        "post": op(
            "Rate delivery confidence with a comment (the initiative's owner)",
            {201: ref("ConfidenceRating")},
            body=ref("ConfidenceInput"),
            params=_id,
        ),
    },
}
