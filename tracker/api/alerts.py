"""GET /api/v1/alerts (the caller's, newest first, ?unread=true) and POST /alerts/{id}/read."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from tracker.api import bp
from tracker.api.errors import ApiError
from tracker.api.helpers import caller, paged
from tracker.api.openapi import (
    DATETIME,
    ID,
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
from tracker.extensions import db
from tracker.models import Alert
from tracker.models.base import ALERT_KINDS, SUBJECT_TYPES
from tracker.queries.alerts import inbox_select
from tracker.services import alerts as alert_service
from tracker.services.email import alert_path
from tracker.web.helpers import now


def alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "subject_type": alert.subject_type,
        "subject_id": alert.subject_id,
        "message": alert.message,
        "action": alert.action,
        "url": base_url() + alert_path(alert),
        "created_at": alert.created_at.isoformat(),
        "read_at": alert.read_at.isoformat() if alert.read_at else None,
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        "resolved_reason": alert.resolved_reason,
    }


def base_url() -> str:
    return current_app.config["BASE_URL"]


@bp.get("/alerts")
def list_alerts():
    raw = request.args.get("unread", "").lower()
    if raw not in ("", "true", "false", "1", "0"):
        raise ApiError(400, "'unread' must be true or false", {"unread": "Must be true or false"})
    stmt = inbox_select(caller().id, unread_only=raw in ("true", "1"))
    return jsonify(paged(db.session, stmt, alert_json))


@bp.post("/alerts/<int:alert_id>/read")
def read_alert(alert_id: int):
    alert = alert_service.mark_read(db.session, caller().id, alert_id, now())
    return jsonify(alert_json(alert))


OPENAPI_SCHEMAS = {
    "Alert": obj(
        {
            "id": ID,
            "kind": {"enum": list(ALERT_KINDS)},
            "subject_type": {"enum": list(SUBJECT_TYPES)},
            "subject_id": ID,
            "message": STRING,
            "action": STRING,
            "url": STRING,
            "created_at": DATETIME,
            "read_at": nullable(DATETIME),
            "resolved_at": nullable(DATETIME),
            "resolved_reason": nullable(STRING),
        }
    )
}

OPENAPI_PATHS = {
    "/alerts": {
        "get": op(
            "The caller's alerts, newest first (SPEC §5, §7)",
            {200: items_of(ref("Alert"), paged=True)},
            params=[
                query_param(
                    "unread", {"type": "boolean"}, "Only alerts not yet read and not resolved"
                ),
                *PAGING,
            ],
            errors=(400, 401, 422),
        )
    },
    "/alerts/{alert_id}/read": {
        "post": op(
            "Mark one of the caller's alerts read (another person's answers 404)",
            {200: ref("Alert")},
            params=[path_param("alert_id")],
            errors=(401, 404),
        )
    },
}
