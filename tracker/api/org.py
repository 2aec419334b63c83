"""API routes for departments, teams (with their weekly load) and users (admin only)."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import select

from tracker.api import bp
from tracker.api.helpers import (
    MAX_ID,
    actor,
    get_or_404,
    paged,
    query_int,
    read_body,
    require_role,
)
from tracker.api.openapi import (
    DATE,
    ID,
    NAME,
    NUMBER,
    PAGING,
    STRING,
    items_of,
    nullable,
    obj,
    op,
    path_param,
    query_param,
    ref,
)
from tracker.api.serializers import department_json, team_json, user_json, week_load_json
from tracker.extensions import db
from tracker.models import Department, Team, User
from tracker.models.base import EMAIL_MODES, ROLES
from tracker.services.org import save_department, save_team, save_user
from tracker.services.workload import team_load
from tracker.web.helpers import today

TEAM_KINDS = {
    "name": "string",
    "department_id": "id",
    "lead_id": "id?",
    "capacity_hours_per_week": "number",
    "establishment_fte": "number?",
}
USER_KINDS = {
    "username": "string",
    "display_name": "string",
    "email": "string",
    "role": "string",
    "department_id": "id?",
    "active": "boolean",
    "password": "string",  # nosec B105 # the field's kind, not a password
    "email_mode": "string",
}


# Departments ---------------------------------------------------------------


@bp.get("/departments")
def list_departments():
    rows = db.session.scalars(select(Department).order_by(Department.name))
    return jsonify({"items": [department_json(d) for d in rows]})


@bp.post("/departments")
def create_department():
    require_role("admin")
    body = read_body({"name": "string"}, {"name"})
    dept = save_department(db.session, actor(), body["name"])
    return jsonify(department_json(dept)), 201


@bp.get("/departments/<int:department_id>")
def get_department(department_id: int):
    return jsonify(department_json(get_or_404(db.session, Department, department_id, "department")))


@bp.patch("/departments/<int:department_id>")
def update_department(department_id: int):
    require_role("admin")
    get_or_404(db.session, Department, department_id, "department")
    body = read_body({"name": "string"})
    if "name" not in body:
        return get_department(department_id)
    dept = save_department(db.session, actor(), body["name"], department_id)
    return jsonify(department_json(dept))


# Teams ---------------------------------------------------------------------


@bp.get("/teams")
def list_teams():
    stmt = select(Team).order_by(Team.department_id, Team.name)
    if (department_id := query_int("department_id")) is not None:
        stmt = stmt.where(Team.department_id == department_id)
    return jsonify({"items": [team_json(t) for t in db.session.scalars(stmt)]})


@bp.post("/teams")
def create_team():
    require_role("admin")
    body = read_body(TEAM_KINDS, {"name", "department_id", "capacity_hours_per_week"})
    team = save_team(db.session, actor(), body)
    return jsonify(team_json(team)), 201


@bp.get("/teams/<int:team_id>")
def get_team(team_id: int):
    return jsonify(team_json(get_or_404(db.session, Team, team_id, "team")))


@bp.patch("/teams/<int:team_id>")
def update_team(team_id: int):
    require_role("admin")
    get_or_404(db.session, Team, team_id, "team")
    team = save_team(db.session, actor(), read_body(TEAM_KINDS), team_id)
    return jsonify(team_json(team))


@bp.get("/teams/<int:team_id>/load")
def get_team_load(team_id: int):
    get_or_404(db.session, Team, team_id, "team")
    weeks = query_int("weeks", current_app.config["LOAD_HORIZON_WEEKS"], low=1, high=52)
    load = team_load(db.session, team_id, today(), weeks)
    return jsonify({"items": [week_load_json(w) for w in load.weeks]})


# Users ---------------------------------------------------------------------


@bp.get("/users")
def list_users():
    require_role("admin")
    return jsonify(paged(db.session, select(User).order_by(User.id), user_json))


@bp.post("/users")
def create_user():
    require_role("admin")
    body = read_body(USER_KINDS, {"username", "display_name", "role", "password"})
    user = save_user(db.session, actor(), body)
    return jsonify(user_json(user)), 201


@bp.get("/users/<int:user_id>")
def get_user(user_id: int):
    require_role("admin")
    return jsonify(user_json(get_or_404(db.session, User, user_id, "user")))


@bp.patch("/users/<int:user_id>")
def update_user(user_id: int):
    require_role("admin")
    get_or_404(db.session, User, user_id, "user")
    user = save_user(db.session, actor(), read_body(USER_KINDS), user_id)
    return jsonify(user_json(user))


# OpenAPI -------------------------------------------------------------------

_team_fields = {
    "name": NAME,
    "department_id": ID,
    "lead_id": nullable(ID),
    "capacity_hours_per_week": {"type": "number", "exclusiveMinimum": 0, "maximum": 10_000},
    "establishment_fte": {
        **nullable({"type": "number", "exclusiveMinimum": 0, "maximum": 10_000}),
        "description": "Funded posts in FTE (SPEC §3); needed before staffing is recorded",
    },
}
_user_fields = {
    "username": NAME,
    "display_name": NAME,
    "email": {"type": "string", "maxLength": 254},
    "role": {"enum": list(ROLES)},
    "department_id": nullable({**ID, "maximum": MAX_ID}),
    "active": {"type": "boolean"},
    "password": {"type": "string", "minLength": 10, "maxLength": 200, "writeOnly": True},
    "email_mode": {"enum": list(EMAIL_MODES)},
}

OPENAPI_SCHEMAS = {
    "Department": obj({"id": ID, "name": STRING}),
    "DepartmentInput": obj({"name": NAME}),
    "DepartmentPatch": obj({"name": NAME}, required=[]),
    "Team": obj(
        {
            "id": ID,
            "name": STRING,
            "department_id": ID,
            "lead_id": nullable(ID),
            "capacity_hours_per_week": NUMBER,
            "establishment_fte": nullable(NUMBER),
        }
    ),
    "TeamInput": obj(_team_fields, required=["name", "department_id", "capacity_hours_per_week"]),
    "TeamPatch": obj(_team_fields, required=[]),
    "WeekLoad": obj(
        {
            "week_start": DATE,
            "planned_hours": NUMBER,
            "capacity_hours": {
                **NUMBER,
                "description": "SPEC §9: the base scaled to the week's working days, less "
                "vacancies and absences, plus agency cover; never below 0",
            },
            "load_ratio": {
                **nullable(NUMBER),
                "description": "planned ÷ capacity; null when the week has no capacity",
            },
        }
    ),
    "UserInput": obj(_user_fields, required=["username", "display_name", "role", "password"]),
    "UserPatch": obj(_user_fields, required=[]),
}

_admin_errors = (401, 403, 404, 409, 422)

OPENAPI_PATHS = {
    "/departments": {
        "get": op("Every department", {200: items_of(ref("Department"))}, errors=(401,)),
        "post": op(
            "Create a department (admin)",
            {201: ref("Department")},
            body=ref("DepartmentInput"),
            errors=(401, 403, 409, 422),
        ),
    },
    "/departments/{department_id}": {
        "get": op(
            "One department",
            {200: ref("Department")},
            params=[path_param("department_id")],
            errors=(401, 404),
        ),
        "patch": op(
            "Rename a department (admin)",
            {200: ref("Department")},
            body=ref("DepartmentPatch"),
            params=[path_param("department_id")],
            errors=_admin_errors,
        ),
    },
    "/teams": {
        "get": op(
            "Every team, or a department's",
            {200: items_of(ref("Team"))},
            params=[query_param("department_id", {"type": "integer"})],
            errors=(401, 422),
        ),
        "post": op(
            "Create a team (admin)",
            {201: ref("Team")},
            body=ref("TeamInput"),
            errors=(401, 403, 409, 422),
        ),
    },
    "/teams/{team_id}": {
        "get": op(
            "One team", {200: ref("Team")}, params=[path_param("team_id")], errors=(401, 404)
        ),
        "patch": op(
            "Change a team (admin); a team cannot move department",
            {200: ref("Team")},
            body=ref("TeamPatch"),
            params=[path_param("team_id")],
            errors=_admin_errors,
        ),
    },
    "/teams/{team_id}/load": {
        "get": op(
            "The team's planned hours against capacity, week by week (SPEC §4)",
            {200: items_of(ref("WeekLoad"))},
            params=[
                path_param("team_id"),
                query_param(
                    "weeks",
                    {"type": "integer", "minimum": 1, "maximum": 52},
                    "Weeks from the current one (default LOAD_HORIZON_WEEKS)",
                ),
            ],
            errors=(401, 404, 422),
        )
    },
    "/users": {
        "get": op(
            "Every user, paged (admin)",
            {200: items_of(ref("User"), paged=True)},
            params=PAGING,
            errors=(401, 403, 422),
        ),
        "post": op(
            "Create a user (admin); the password is never returned",
            {201: ref("User")},
            body=ref("UserInput"),
            errors=(401, 403, 409, 422),
        ),
    },
    "/users/{user_id}": {
        "get": op(
            "One user (admin)",
            {200: ref("User")},
            params=[path_param("user_id")],
            errors=(401, 403, 404),
        ),
        "patch": op(
            "Change a user (admin); `active: false` deactivates and ends their sessions",
            {200: ref("User")},
            body=ref("UserPatch"),
            params=[path_param("user_id")],
            errors=_admin_errors,
        ),
    },
}
