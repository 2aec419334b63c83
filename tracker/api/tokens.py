"""POST /api/v1/tokens: a bearer token for a username and password; DELETE
/tokens/current ends it; GET /me, PATCH /me {email_mode}."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from tracker.api import bp
from tracker.api.errors import ApiError, error_response
from tracker.api.helpers import FieldReader, caller, json_body
from tracker.api.serializers import user_json
from tracker.extensions import db
from tracker.services.alerts import set_email_mode
from tracker.services.auth import TooManyAttempts, authenticate, issue_token, revoke_token
from tracker.web.auth import login_throttle
from tracker.web.helpers import now


@bp.post("/tokens")
def create_token():
    body = json_body({"username", "password"}, {"username", "password"})
    reader = FieldReader(body)
    username, password = reader.string("username"), reader.string("password")
    reader.check()
    try:
        user = authenticate(
            db.session, login_throttle(), username, password, request.remote_addr or "unknown"
        )
    except TooManyAttempts:
        return error_response(429, "Too many failed attempts: wait 15 minutes and try again")
    if user is None:
        raise ApiError(401, "The username or password is not right")
    token, expires = issue_token(db.session, user, now(), current_app.config["API_TOKEN_HOURS"])
    return jsonify({"token": token, "expires_at": expires.isoformat()}), 201


@bp.delete("/tokens/current")
def delete_current_token():
    """Its holder ends the token at once (leaving a shared machine, a leaked script)."""
    revoke_token(db.session, g.api_token)
    return "", 204


@bp.get("/me")
def me():
    return jsonify(user_json(caller()))


@bp.patch("/me")
def update_me():
    """The caller's own preference: `{email_mode}` (digest, immediate or off)."""
    body = json_body({"email_mode"}, {"email_mode"})
    user = set_email_mode(db.session, caller(), body["email_mode"], now())
    return jsonify(user_json(user))
