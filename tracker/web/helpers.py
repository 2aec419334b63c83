"""Small things every view needs: the acting user, the clock, form parsing."""

from __future__ import annotations

from datetime import date, datetime
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from tracker import clock
from tracker.domain.access import Actor
from tracker.extensions import db
from tracker.services.actors import actor_for


def now() -> datetime:
    return clock.now()


def today() -> date:
    return clock.today()


def current_actor() -> Actor:
    return actor_for(db.session, current_user._get_current_object())


def roles_required(*roles: str):
    """Login required, and one of these roles, else 403 with a clear page."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403, description="Your role does not allow this page.")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def apply_service_errors(form, fields: dict[str, str]) -> None:
    """Show a service's per-field messages on the form's fields (or the form)."""
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), message]
        else:
            form.form_errors.append(message)
