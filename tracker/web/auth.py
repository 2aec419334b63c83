"""Signing in and out, and the home page that sends each role to its work."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from tracker.domain.validation import has_control_characters
from tracker.extensions import db, get_redis
from tracker.services.auth import LoginThrottle, TooManyAttempts, authenticate
from tracker.web.forms import OneLine

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    "admin": "dashboard.departments",
    "director": "dashboard.departments",
    "manager": "initiatives.index",
    "team_lead": "teams.my_tasks",
}


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your username"), OneLine("your username")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=200)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def login_throttle() -> LoginThrottle:
    config = current_app.config
    try:
        conn = get_redis()
    except Exception:
        conn = None
    return LoginThrottle.for_redis(
        conn,
        config["LOGIN_FAILURE_LIMIT"],
        config["LOGIN_ADDRESS_FAILURE_LIMIT"],
        config["LOGIN_ACCOUNT_FAILURE_LIMIT"],
    )


def safe_next(target: str | None) -> str | None:
    """`next` is honoured only for a path on this site."""
    if not target or len(target) > 2000 or has_control_characters(target) or " " in target:
        return None  # a line break in a Location header would fail the response
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.route("/sign-in", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(
                db.session,
                login_throttle(),
                form.username.data,
                form.password.data,
                request.remote_addr or "unknown",
            )
        except TooManyAttempts:
            form.form_errors.append(
                "Too many failed sign-in attempts. Wait 15 minutes and try again."
            )
            status = 429
        else:
            if user is None:
                form.password.errors.append("The username or password is not right")
                status = 401
            else:
                login_user(user)
                return redirect(safe_next(request.args.get("next")) or url_for("auth.index"))
    elif form.errors:
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    user.end_sessions()  # a copied cookie stops working too
    db.session.commit()
    logout_user()
    flash("You have signed out")
    return redirect(url_for("auth.login"))
