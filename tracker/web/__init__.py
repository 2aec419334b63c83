"""The server-rendered pages: one blueprint per user-facing area."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, select

from tracker.extensions import db, login_manager
from tracker.models import Alert, User
from tracker.services.errors import ServiceError


def register_web(app: Flask) -> None:
    from tracker.web import (
        admin,
        alerts,
        auth,
        dashboard,
        exports,
        initiatives,
        operations,
        tasks,
        teams,
    )

    for module in (auth, initiatives, tasks, teams, admin, alerts, operations, dashboard, exports):
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


def _error_page(status: int, title: str, message: str | None):
    if request.blueprint == "api" or request.path.startswith("/api/"):
        from tracker.api.errors import error_response

        return error_response(status, message or title)
    return render_template("error.html", title=title, message=message, status=status), status
