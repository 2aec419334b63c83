"""API routes for a team's staffing (SPEC §9): capacity adjustments, read by everyone
signed in, written by admins, managers of the team's department and its lead."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from tracker.api import bp
from tracker.api.helpers import actor, get_or_404, read_body
from tracker.api.openapi import (
    DATE,
    ID,
    NUMBER,
    STRING,
    TEXT,
    items_of,
    nullable,
    obj,
    op,
    path_param,
    ref,
)
from tracker.extensions import db
from tracker.models import CapacityAdjustment, Team
from tracker.models.staffing import ADJUSTMENT_KINDS
from tracker.services import staffing
from tracker.web.helpers import now

ADJUSTMENT_KINDS_READ = {
    "kind": "string",
    "fte": "number",
    "starts_on": "date",
    "ends_on": "date?",
    "note": "string",
}


def adjustment_json(adjustment: CapacityAdjustment) -> dict[str, Any]:
    return {
        "id": adjustment.id,
        "team_id": adjustment.team_id,
        "kind": adjustment.kind,
        "fte": adjustment.fte,
        "starts_on": adjustment.starts_on.isoformat(),
        "ends_on": adjustment.ends_on.isoformat() if adjustment.ends_on else None,
        "note": adjustment.note,
    }


@bp.get("/teams/<int:team_id>/capacity-adjustments")
def list_capacity_adjustments(team_id: int):
    get_or_404(db.session, Team, team_id, "team")
    found = staffing.team_adjustments(db.session, team_id)
    return jsonify({"items": [adjustment_json(a) for a in found]})


@bp.post("/teams/<int:team_id>/capacity-adjustments")
def create_capacity_adjustment(team_id: int):
    get_or_404(db.session, Team, team_id, "team")
    body = read_body(ADJUSTMENT_KINDS_READ, {"kind", "fte", "starts_on"})
    data = staffing.AdjustmentData(**{"note": "", **body})
    adjustment = staffing.create_adjustment(db.session, actor(), team_id, data, now())
    return jsonify(adjustment_json(adjustment)), 201


@bp.get("/capacity-adjustments/<int:adjustment_id>")
def get_capacity_adjustment(adjustment_id: int):
    found = get_or_404(db.session, CapacityAdjustment, adjustment_id, "capacity adjustment")
    return jsonify(adjustment_json(found))


@bp.patch("/capacity-adjustments/<int:adjustment_id>")
def update_capacity_adjustment(adjustment_id: int):
    get_or_404(db.session, CapacityAdjustment, adjustment_id, "capacity adjustment")
    changes = read_body(ADJUSTMENT_KINDS_READ)
    adjustment = staffing.update_adjustment(db.session, actor(), adjustment_id, changes, now())
    return jsonify(adjustment_json(adjustment))


@bp.delete("/capacity-adjustments/<int:adjustment_id>")
def delete_capacity_adjustment(adjustment_id: int):
    get_or_404(db.session, CapacityAdjustment, adjustment_id, "capacity adjustment")
    staffing.delete_adjustment(db.session, actor(), adjustment_id, now())
    return "", 204


# OpenAPI -------------------------------------------------------------------

_fields = {
    "kind": {
        "enum": list(ADJUSTMENT_KINDS),
        "description": "vacancy (a funded post unfilled), absence (long-term sickness, "
        "maternity, secondment out) or agency_cover (agency or interim staff filling in)",
    },
    "fte": {"type": "number", "exclusiveMinimum": 0, "maximum": 10_000},
    "starts_on": DATE,
    "ends_on": {**nullable(DATE), "description": "null: until further notice"},
    "note": TEXT,
}

OPENAPI_SCHEMAS = {
    "CapacityAdjustment": obj(
        {
            "id": ID,
            "team_id": ID,
            "kind": {"enum": list(ADJUSTMENT_KINDS)},
            "fte": NUMBER,
            "starts_on": DATE,
            "ends_on": nullable(DATE),
            "note": STRING,
        }
    ),
    "CapacityAdjustmentInput": obj(_fields, required=["kind", "fte", "starts_on"]),
    "CapacityAdjustmentPatch": obj(_fields, required=[]),
}

_writer_errors = (401, 403, 404, 422)
_one = [path_param("adjustment_id")]

OPENAPI_PATHS = {
    "/teams/{team_id}/capacity-adjustments": {
        "get": op(
            "The team's vacancies, absences and agency cover, newest start first (SPEC §9)",
            {200: items_of(ref("CapacityAdjustment"))},
            params=[path_param("team_id")],
            errors=(401, 404),
        ),
        "post": op(
            "Record a vacancy, absence or agency cover (admins, managers of the team's "
            "department, the team's lead); the team needs an establishment first",
            {201: ref("CapacityAdjustment")},
            body=ref("CapacityAdjustmentInput"),
            params=[path_param("team_id")],
            errors=_writer_errors,
        ),
    },
    "/capacity-adjustments/{adjustment_id}": {
        "get": op(
            "One capacity adjustment",
            {200: ref("CapacityAdjustment")},
            params=_one,
            errors=(401, 404),
        ),
        "patch": op(
            "Change or end a capacity adjustment (set `ends_on` to end it)",
            {200: ref("CapacityAdjustment")},
            body=ref("CapacityAdjustmentPatch"),
            params=_one,
            errors=_writer_errors,
        ),
        "delete": op(
            "Remove a capacity adjustment recorded in error",
            {204: None},
            params=_one,
            errors=(401, 403, 404),
        ),
    },
}
