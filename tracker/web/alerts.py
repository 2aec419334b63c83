"""Pages of the alerts area: the inbox and the email preference."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tracker.extensions import db
from tracker.services import alerts as alert_service
from tracker.services.email import alert_path
from tracker.web.helpers import now

bp = Blueprint("alerts", __name__)

EMAIL_CHOICES = [
    SelectChoice("digest", "Once a working day: one email with your new alerts"),
    SelectChoice("immediate", "As they happen: one email per alert, in working hours"),
    SelectChoice("off", "Never: I will look at my alerts inbox"),
]


# The link under each alert's action, by kind: where the action is done.
ACTION_LINKS = {
    "due_soon": "Update the task",
    "overdue": "Update the task",
    "escalation": "View the task",
    "team_overload": "See the team's overloaded weeks",
    "department_overload": "See the department's load",
}


class PreferencesForm(FlaskForm):
    email_mode = RadioField(
        "How do you want alert emails?",
        choices=EMAIL_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired("Choose how you want alert emails")],
    )
    submit = SubmitField("Save preferences", widget=GovSubmitInput())


@bp.route("/alerts")
@login_required
def inbox():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    unread_only = request.args.get("unread") == "1"
    rows, total, unread = alert_service.inbox(db.session, current_user.id, page, unread_only)
    return render_template(
        "alerts/inbox.html",
        alerts=rows,
        total=total,
        unread=unread,
        unread_only=unread_only,
        page=page,
        pages=max(1, -(-total // alert_service.PAGE_SIZE)),
        alert_path=alert_path,
        action_links=ACTION_LINKS,
    )


@bp.post("/alerts/<int:alert_id>/read")
@login_required
def mark_read(alert_id: int):
    alert_service.mark_read(db.session, current_user.id, alert_id, now())
    flash("Alert marked as read")
    return redirect(url_for("alerts.inbox"))


@bp.post("/alerts/read-all")
@login_required
def mark_all_read():
    count = alert_service.mark_all_read(db.session, current_user.id, now())
    flash(f"{count} alert{'' if count == 1 else 's'} marked as read")
    return redirect(url_for("alerts.inbox"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm(email_mode=current_user.email_mode)
    if form.validate_on_submit():
        alert_service.set_email_mode(db.session, current_user, form.email_mode.data, now())
        flash("Your preferences have been saved")
        return redirect(url_for("alerts.preferences"))
    status = 422 if form.errors else 200
    config = current_app.config
    return render_template(
        "alerts/preferences.html",
        form=form,
        digest_hour=config["DIGEST_HOUR"],
        quiet_hours=config["QUIET_HOURS"],
        quiet_weekends=config["QUIET_WEEKENDS"],
    ), status
