"""The server-rendered pages: one blueprint per user-facing area."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, make_response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, select

from tracker.extensions import db, login_manager
from tracker.models import Alert, User
from tracker.outages import OUTAGE_CANDIDATES, RETRY_AFTER_SECONDS, is_outage
from tracker.services.errors import ServiceError

log = logging.getLogger(__name__)


def register_web(app: Flask) -> None:
    from tracker.web import (
        admin,
        alerts,
        auth,
        dashboard,
        exports,
        initiatives,
        operations,
        staffing,
        tasks,
        teams,
    )

    for module in (
        auth,
        initiatives,
        tasks,
        teams,
        staffing,
        admin,
        alerts,
        operations,
        dashboard,
        exports,
    ):
        app.register_blueprint(module.bp)

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(cookie_id: str) -> User | None:
        user_id, _, token = cookie_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        # A rotated token (sign-out, deactivation, new password) ends every session.
        if user is None or not user.active or user.session_token != token:
            return None
        return user

    @app.context_processor
    def inject_unread_count() -> dict:
        if not current_user.is_authenticated or request.blueprint == "api":
            return {}
        unread = db.session.scalar(
            select(func.count())
            .select_from(Alert)
            .where(
                Alert.recipient_id == current_user.id,
                Alert.read_at.is_(None),
                Alert.resolved_at.is_(None),  # SPEC §5: a resolved alert leaves the count
            )
        )
        return {"unread_alerts": unread}

    @app.errorhandler(403)
    def forbidden(error):
        return _error_page(403, "You cannot do this", getattr(error, "description", None))

    @app.errorhandler(404)
    def not_found(error):
        return _error_page(
            404, "Page not found", "If you typed the web address, check it is correct."
        )

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _error_page(
            405, "This address does not accept that method", getattr(error, "description", None)
        )

    @app.errorhandler(413)
    def too_large(error):
        return _error_page(413, "What you sent is too large", "Shorten it and try again.")

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error_page(
            400, "Your form has expired", "Go back, reload the page and submit the form again."
        )

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        return _error_page(
            error.status,
            "You cannot do this" if error.status == 403 else "There is a problem",
            error.message,
        )

    for error_class in OUTAGE_CANDIDATES:
        app.register_error_handler(error_class, _unavailable)


def _unavailable(error: Exception):
    """503 with Retry-After when the database or Redis is down; any other error of
    those classes is a bug and stays a 500."""
    if not is_outage(error):
        raise error
    log.warning("service unavailable (%s: %s)", type(error).__name__, error)
    with contextlib.suppress(Exception):
        db.session.rollback()  # nothing half-saved; a dead connection may refuse even this
    # Signed in or not, the page must not ask the database who is looking: the header,
    # the unread count and the response headers all read current_user.
    g._login_user = login_manager.anonymous_user()
    if request.path.startswith("/api/"):
        from tracker.api.errors import error_response

        response = error_response(
            503, f"The service is briefly unavailable. Try again in {RETRY_AFTER_SECONDS} seconds."
        )
    else:
        response = make_response(
            render_template("unavailable.html", retry_after=RETRY_AFTER_SECONDS), 503
        )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(status: int, title: str, message: str | None):
    if request.blueprint == "api" or request.path.startswith("/api/"):
        from tracker.api.errors import error_response

        return error_response(status, message or title)
    try:
        return render_template("error.html", title=title, message=message, status=status), status
    except OUTAGE_CANDIDATES as error:  # the header asks who is signed in
        return _unavailable(error)
