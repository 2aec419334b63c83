"""The OpenAPI 3.1 document at /api/v1/openapi.json, merged from the route modules.

Convention: each route module may expose `OPENAPI_PATHS` (paths as in the document,
relative to /api/v1, e.g. "/teams/{team_id}") and `OPENAPI_SCHEMAS` (component schemas);
this module merges them. For the modules that do not (yet) say, the entries below
describe their routes, and only those routes that exist.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify

from tracker.api import bp
from tracker.models.base import (
    ALERT_KINDS,
    CONFIDENCE_LEVELS,
    EMAIL_MODES,
    INITIATIVE_KINDS,
    INITIATIVE_STATUSES,
    NAME_MAX,
    ROLES,
    SUBJECT_TYPES,
    TASK_STATUSES,
    TEXT_MAX,
)

PREFIX = "/api/v1"

# Building blocks ------------------------------------------------------------


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra) -> dict:
    """A closed object schema; every property is required unless `required` says."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


def items_of(schema: dict[str, Any], paged: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"items": {"type": "array", "items": schema}}
    if paged:
        props |= {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
        }
    return obj(props)


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def query_param(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


PAGING = [
    query_param("page", {"type": "integer", "minimum": 1}, "Page number, from 1"),
    query_param(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
        "Items per page; more than 200 is refused with 422 (never clamped)",
    ),
]

ERROR_TEXT = {
    400: "Malformed: not JSON, not an object, or the wrong content type",
    401: "No token, or an unknown or expired one",
    403: "Your role (or, for a team lead, your teams) does not allow this",
    404: "No such object",
    409: "Conflict: a stale or missing `version`, or a name already taken",
    413: "The body is larger than the server accepts",
    422: "Invalid: unknown, missing or mistyped fields, rule broken; see `fields`",
    429: "Too many failed attempts",
}


def op(
    summary: str,
    responses: dict[int, dict[str, Any] | None],
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    errors: tuple[int, ...] = (401, 403, 404, 422),
    public: bool = False,
) -> dict[str, Any]:
    """One operation: success responses by status (schema or None for no body), the
    error statuses it may answer (all with the Error object), and an optional body."""
    answers: dict[str, Any] = {}
    for status, schema in responses.items():
        answers[str(status)] = {"description": "Success"}
        if schema is not None:
            answers[str(status)]["content"] = {"application/json": {"schema": schema}}
    for status in sorted(set(errors) | ({400, 413} if body else set())):
        answers[str(status)] = {
            "description": ERROR_TEXT[status],
            "content": {"application/json": {"schema": ref("Error")}},
        }
    operation: dict[str, Any] = {"summary": summary, "responses": answers}
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    if public:
        operation["security"] = []
    return operation


# Shared shapes -------------------------------------------------------------

STRING = {"type": "string"}
NAME = {"type": "string", "minLength": 1, "maxLength": NAME_MAX}
TEXT = {"type": "string", "maxLength": TEXT_MAX}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1}
NUMBER = {"type": "number"}

SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": STRING,
                    "message": STRING,
                    "fields": {"type": "object", "additionalProperties": STRING},
                }
            )
        }
    ),
    "Token": obj({"token": STRING, "expires_at": DATETIME}),
    "MeUpdate": obj({"email_mode": {"enum": list(EMAIL_MODES)}}, required=["email_mode"]),
    "TokenRequest": obj({"username": STRING, "password": STRING}),
    "User": obj(
        {
            "id": ID,
            "username": STRING,
            "display_name": STRING,
            "email": STRING,
            "role": {"enum": list(ROLES)},
            "department_id": nullable(ID),
            "active": {"type": "boolean"},
            "email_mode": {"enum": list(EMAIL_MODES)},
        }
    ),
}

# Entries for route modules that do not describe themselves ---------------

FALLBACK_SCHEMAS: dict[str, Any] = {
    "Alert": obj(
        {
            "id": ID,
            "kind": {"enum": list(ALERT_KINDS)},
            "subject_type": {"enum": list(SUBJECT_TYPES)},
            "subject_id": ID,
            "message": STRING,
            "created_at": DATETIME,
            "read_at": nullable(DATETIME),
        },
        required=["id", "kind", "subject_type", "subject_id", "message", "created_at", "read_at"],
    )
    | {"additionalProperties": True},
    "DepartmentLoad": obj(
        {
            "department_id": ID,
            "name": STRING,
            "active_initiatives": {"type": "integer"},
            "open_tasks": {"type": "integer"},
            "overdue_tasks": {"type": "integer"},
            "open_effort_hours": NUMBER,
            "capacity_hours_per_week": NUMBER,
            "peak_load_ratio": NUMBER,
            "overloaded_teams": {"type": "integer"},
            "overloaded_team_ids": {"type": "array", "items": ID},
        }
    )
    | {"additionalProperties": True},
}

FALLBACK_PATHS: dict[str, dict[str, Any]] = {
    "tokens": {
        "/tokens": {
            "post": op(
                "A bearer token for a username and password",
                {201: ref("Token")},
                body=ref("TokenRequest"),
                errors=(401, 422, 429),
                public=True,
            )
        },
        "/tokens/current": {
            "delete": op(
                "End the token this request carries (sign out of the API)",
                {204: None},
                errors=(401,),
            )
        },
        "/me": {
            "get": op("The caller", {200: ref("User")}, errors=(401,)),
            "patch": op(
                "Choose how the caller gets alert emails (SPEC §5)",
                {200: ref("User")},
                body=ref("MeUpdate"),
                errors=(400, 401, 413, 422),
            ),
        },
    },
    "alerts": {
        "/alerts": {
            "get": op(
                "The caller's alerts, newest first",
                {200: items_of(ref("Alert"))},
                params=[query_param("unread", {"type": "boolean"}, "Only unread ones")],
                errors=(401, 422),
            )
        },
        "/alerts/{alert_id}/read": {
            "post": op(
                "Mark one of the caller's alerts read",
                {200: ref("Alert")},
                params=[path_param("alert_id")],
                errors=(401, 403, 404),
            )
        },
    },
    "dashboard": {
        "/dashboard/departments": {
            "get": op(
                "Initiative load per department (SPEC §6)",
                {200: items_of(ref("DepartmentLoad"))},
                errors=(401, 403),
            )
        }
    },
}

ENUMS = {
    "initiative_kind": list(INITIATIVE_KINDS),
    "initiative_status": list(INITIATIVE_STATUSES),
    "task_status": list(TASK_STATUSES),
    "confidence": list(CONFIDENCE_LEVELS),
}


def _route_templates() -> set[str]:
    """The API's routes as document paths: '/teams/<int:team_id>' → '/teams/{team_id}'."""
    rules = current_app.url_map.iter_rules()
    return {
        re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", r.rule[len(PREFIX) :])
        for r in rules
        if r.rule.startswith(PREFIX + "/")
    }


UNAVAILABLE = {
    "description": "The database or Redis is briefly unavailable (code `unavailable`); "
    "try again after the seconds in Retry-After",
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": ref("Error")}},
}


def _with_error_bodies(operations: dict[str, Any]) -> dict[str, Any]:
    """Every 4xx answer carries the Error object, even where a module left it unsaid;
    every operation may answer 503 during an outage."""
    for operation in operations.values():
        responses = operation.get("responses", {})
        for status, answer in responses.items():
            if status.startswith("4") and "content" not in answer:
                answer["content"] = {"application/json": {"schema": ref("Error")}}
        responses.setdefault("503", UNAVAILABLE)
    return operations


def build_document() -> dict[str, Any]:
    from tracker.api import alerts, dashboard, initiatives, org, staffing, tasks, tokens

    modules = {
        "tokens": tokens,
        "org": org,
        "staffing": staffing,
        "initiatives": initiatives,
        "tasks": tasks,
        "alerts": alerts,
        "dashboard": dashboard,
    }
    routes = _route_templates()
    paths: dict[str, Any] = {
        "/openapi.json": {
            "get": op("This document", {200: {"type": "object"}}, errors=(), public=True)
        }
    }
    schemas = dict(SCHEMAS)
    for name, module in modules.items():
        own = getattr(module, "OPENAPI_PATHS", {})
        fallback = {p: v for p, v in FALLBACK_PATHS.get(name, {}).items() if p in routes}
        for path, operations in (own or fallback).items():
            paths.setdefault(path, {}).update(_with_error_bodies(operations))
        if not own and fallback:
            schemas |= FALLBACK_SCHEMAS
        schemas |= getattr(module, "OPENAPI_SCHEMAS", {})
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Initiative Tracker API",
            "version": "1",
            "description": (
                "SPEC §7. Send `Authorization: Bearer <token>` from POST /tokens. "
                'Errors answer {"error": {"code", "message", "fields"}}; an outage of the '
                "database or Redis answers 503 with Retry-After and code `unavailable`. "
                'Collections answer {"items"}; paged ones add total, page and per_page '
                "(per_page at most 200: more is refused with 422)."
            ),
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_document())
