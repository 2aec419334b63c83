"""The JSON API under /api/v1 (SPEC §7): bearer tokens, error objects, OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, g, request
from werkzeug.exceptions import HTTPException

from tracker.api.errors import ApiError, error_response
from tracker.extensions import db
from tracker.services.actors import actor_for
from tracker.services.auth import user_for_token
from tracker.services.errors import ServiceError
from tracker.web.helpers import now

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Endpoints that answer without a token.
PUBLIC_ENDPOINTS = {"api.create_token", "api.openapi"}


@bp.before_request
def authenticate_bearer():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error_response(401, "Send 'Authorization: Bearer <token>' (POST /api/v1/tokens)")
    user = user_for_token(db.session, token.strip(), now())
    if user is None:
        return error_response(401, "The token is unknown or has expired")
    g.api_user = user
    g.api_token = token.strip()
    g.api_actor = actor_for(db.session, user)
    return None


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error_response(error.status, error.message, error.fields)


@bp.errorhandler(ServiceError)
def service_error(error: ServiceError):
    db.session.rollback()
    return error_response(
        error.status, error.message, error.fields, error.code if error.status == 422 else None
    )


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return error_response(error.code or 500, error.description or error.name)


# Route modules register themselves on `bp`.
from tracker.api import (  # noqa: E402
    alerts,  # noqa: F401
    dashboard,  # noqa: F401
    initiatives,  # noqa: F401
    openapi,  # noqa: F401
    org,  # noqa: F401
    staffing,  # noqa: F401
    tasks,  # noqa: F401
    tokens,  # noqa: F401
)
