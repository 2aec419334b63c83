"""Pages of a team's staffing (SPEC §9): record, change, end and remove vacancies,
absences and agency cover. Everyone signed in reads them on the team page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from tracker.domain.access import can_adjust_capacity
from tracker.extensions import db
from tracker.models import CapacityAdjustment, Team
from tracker.services import staffing
from tracker.services.errors import Forbidden, Invalid
from tracker.web.forms import AdjustmentForm
from tracker.web.helpers import apply_service_errors, current_actor, now, today

bp = Blueprint("staffing", __name__)


def _team(team_id: int) -> Team:
    return db.session.get(Team, team_id) or abort(404)


def _adjustment(adjustment_id: int) -> CapacityAdjustment:
    return db.session.get(CapacityAdjustment, adjustment_id) or abort(404)


def _require_may_adjust(team: Team) -> None:
    """Refuse the form itself to those who may not use it (the service checks again)."""
    if not can_adjust_capacity(current_actor(), team.id, team.department_id):
        raise Forbidden(
            f"Only the lead of {team.name}, managers of its department and administrators "
            "can record its staffing"
        )


def _data(form: AdjustmentForm) -> staffing.AdjustmentData:
    return staffing.AdjustmentData(
        kind=form.kind.data,
        fte=form.fte.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        note=form.note.data or "",
    )


def _render(form: AdjustmentForm, team: Team, adjustment: CapacityAdjustment | None = None):
    status = 422 if form.errors else 200
    page = render_template("staffing/form.html", form=form, team=team, adjustment=adjustment)
    return page, status


@bp.route("/teams/<int:team_id>/staffing/new", methods=["GET", "POST"])
@login_required
def new(team_id: int):
    team = _team(team_id)
    _require_may_adjust(team)
    form = AdjustmentForm()
    if form.validate_on_submit():
        try:
            staffing.create_adjustment(db.session, current_actor(), team.id, _data(form), now())
        except Invalid as error:
            db.session.rollback()
            apply_service_errors(form, error.fields or {"": error.message})
        else:
            flash("Staffing change saved: the team's capacity now reflects it")
            return redirect(url_for("teams.detail", team_id=team.id, _anchor="staffing"))
    return _render(form, team)


@bp.route("/staffing/<int:adjustment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(adjustment_id: int):
    adjustment = _adjustment(adjustment_id)
    team = _team(adjustment.team_id)
    _require_may_adjust(team)
    form = AdjustmentForm(obj=adjustment)
    if form.validate_on_submit():
        changes = dict(_data(form).__dict__)
        try:
            staffing.update_adjustment(db.session, current_actor(), adjustment.id, changes, now())
        except Invalid as error:
            db.session.rollback()
            apply_service_errors(form, error.fields or {"": error.message})
        else:
            flash("Staffing change saved")
            return redirect(url_for("teams.detail", team_id=team.id, _anchor="staffing"))
    return _render(form, team, adjustment)


@bp.route("/staffing/<int:adjustment_id>/end", methods=["POST"])
@login_required
def end(adjustment_id: int):
    """End it today: the post is filled, the person is back, the cover has stopped."""
    adjustment = _adjustment(adjustment_id)
    staffing.end_adjustment(db.session, current_actor(), adjustment.id, today(), now())
    flash("Ended today: capacity from tomorrow is back to what the other entries leave")
    return redirect(url_for("teams.detail", team_id=adjustment.team_id, _anchor="staffing"))


@bp.route("/staffing/<int:adjustment_id>/remove", methods=["GET", "POST"])
@login_required
def remove(adjustment_id: int):
    """Remove an entry made in error (ending one keeps it on record)."""
    adjustment = _adjustment(adjustment_id)
    team = _team(adjustment.team_id)
    _require_may_adjust(team)
    if request.method == "POST":  # CSRF is checked for every POST (extensions.csrf)
        staffing.delete_adjustment(db.session, current_actor(), adjustment.id, now())
        flash("Staffing entry removed")
        return redirect(url_for("teams.detail", team_id=team.id, _anchor="staffing"))
    return render_template("staffing/remove.html", adjustment=adjustment, team=team)
