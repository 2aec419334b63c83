"""The director's pages: department load, heatmap, drill-downs, confidence and timeline."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from tracker.domain.access import can_set_confidence
from tracker.domain.validation import parse_date
from tracker.domain.workload import is_overloaded
from tracker.extensions import db
from tracker.models.base import CONFIDENCE_LEVELS, TEXT_MAX
from tracker.services import dashboard as service
from tracker.services.errors import Invalid
from tracker.services.initiatives import set_confidence
from tracker.services.workload import teams_load
from tracker.web import charts
from tracker.web.filters import label
from tracker.web.forms import choices
from tracker.web.helpers import (
    apply_service_errors,
    current_actor,
    now,
    roles_required,
    today,
)

bp = Blueprint("dashboard", __name__)

VIEW_ROLES = ("admin", "director", "manager")
COLUMNS = [
    ("name", "Department"),
    ("active_initiatives", "Active initiatives"),
    ("open_tasks", "Open tasks"),
    ("overdue_tasks", "Overdue tasks"),
    ("open_effort_hours", "Open effort (hours)"),
    ("capacity_hours_per_week", "Capacity (hours a week)"),
    ("peak_load_ratio", "Peak load ratio (average)"),
    ("peak_team_load_ratio", "Worst team's peak"),
    ("overloaded_teams", "Overloaded teams"),
    ("vacancy_rate", "Vacancy rate today"),
    ("capacity_lost_hours", "Capacity lost (hours)"),
]


def settings() -> tuple[int, float, int]:
    config = current_app.config
    return (
        config["LOAD_HORIZON_WEEKS"],
        config["OVERLOAD_THRESHOLD"],
        config["DEPARTMENT_INITIATIVE_LIMIT"],
    )


def figures() -> list[service.DepartmentFigures]:
    weeks, threshold, limit = settings()
    return service.department_figures(db.session, today(), weeks, threshold, limit)


@bp.route("/dashboard")
@roles_required(*VIEW_ROLES)
def departments():
    sort = request.args.get("sort", "name")
    sort = sort if sort in service.SORT_KEYS else "name"
    descending = request.args.get("dir") == "desc"
    rows = service.sort_figures(figures(), sort, descending)
    threshold = settings()[1]
    # Each department's average beside its worst team: an average hides a team at 3×.
    bars = []
    for r in rows:
        bars.append(
            (
                f"{r.name} (all teams)",
                r.peak_load_ratio,
                r.load_overloaded,
                url_for(".department", dept_id=r.department_id),
            )
        )
        if r.worst_team_id is not None:
            bars.append(
                (
                    f"↳ worst: {r.worst_team_name}",
                    r.peak_team_load_ratio,
                    is_overloaded(r.peak_team_load_ratio, threshold),
                    url_for("teams.detail", team_id=r.worst_team_id),
                )
            )
    chart = charts.bar_chart(bars, threshold)
    # A department's average can hide one team at three times its capacity: name them.
    over_ids = [team_id for r in rows for team_id in r.overloaded_team_ids]
    over_teams = sorted(
        teams_load(db.session, today(), settings()[0], over_ids) if over_ids else [],
        key=lambda t: -t.peak_load_ratio,
    )
    team_chart = charts.bar_chart(
        [
            (t.team_name, t.peak_load_ratio, True, url_for("teams.detail", team_id=t.team_id))
            for t in over_teams
        ],
        threshold,
    )
    return render_template(
        "dashboard/departments.html",
        rows=rows,
        over_teams=over_teams,
        over_teams_by_id={t.team_id: t for t in over_teams},
        team_chart=team_chart,
        columns=COLUMNS,
        sort=sort,
        descending=descending,
        chart=chart,
        threshold=threshold,
        initiative_limit=settings()[2],
        at_risk=service.at_risk_initiatives(db.session),
        confidence_levels=service.CONFIDENCE_ORDER,
    )


@bp.route("/dashboard/heatmap")
@roles_required(*VIEW_ROLES)
def heatmap():
    weeks, threshold, _ = settings()
    data = service.heatmap(db.session, today(), weeks, threshold)
    return render_template("dashboard/heatmap.html", heatmap=data, shade=charts.shade_class)


@bp.route("/dashboard/departments/<int:dept_id>")
@roles_required(*VIEW_ROLES)
def department(dept_id: int):
    dept = service.get_department(db.session, dept_id)
    weeks, threshold, _ = settings()
    data = service.heatmap(db.session, today(), weeks, threshold, department_id=dept_id)
    row = next(r for r in figures() if r.department_id == dept_id)
    return render_template(
        "dashboard/department.html",
        department=dept,
        row=row,
        heatmap=data,
        shade=charts.shade_class,
        initiatives=service.department_initiatives(db.session, dept_id),
    )


@bp.route("/dashboard/teams/<int:team_id>/weeks/<week>")
@roles_required(*VIEW_ROLES)
def team_week(team_id: int, week: str):
    try:
        day = parse_date(week)
    except ValueError:
        abort(404)
    data = service.team_week(db.session, team_id, day, settings()[1])
    if data.week_start != day:
        return redirect(url_for(".team_week", team_id=team_id, week=data.week_start.isoformat()))
    return render_template("dashboard/team_week.html", data=data)


class ConfidenceForm(FlaskForm):
    rating = RadioField(
        "Delivery confidence",
        choices=choices(CONFIDENCE_LEVELS),
        widget=GovRadioInput(),
        validators=[InputRequired("Select a delivery confidence rating")],
    )
    comment = TextAreaField(
        "Why this rating",
        widget=GovCharacterCount(),
        validators=[
            InputRequired("Say why you give this rating"),
            Length(max=TEXT_MAX, message=f"The comment must be {TEXT_MAX:,} characters or fewer"),
        ],
    )
    submit = SubmitField("Save rating", widget=GovSubmitInput())


@bp.route("/initiatives/<int:initiative_id>/confidence", methods=["GET", "POST"])
@login_required
def confidence(initiative_id: int):
    initiative = service.get_initiative_with_history(db.session, initiative_id)
    may_set = can_set_confidence(current_actor(), initiative.owner_id)
    if request.method == "POST" and not may_set:
        abort(403, description="Only the initiative's owner can set its delivery confidence.")
    form = ConfidenceForm() if may_set else None
    status = 200
    if form is not None and form.validate_on_submit():
        try:
            set_confidence(
                db.session,
                current_actor(),
                initiative_id,
                form.rating.data,
                form.comment.data,
                now(),
            )
        except Invalid as error:
            db.session.rollback()
            apply_service_errors(form, error.fields)
            initiative = service.get_initiative_with_history(db.session, initiative_id)
            status = 422
        else:
            flash(f"Delivery confidence set to {label(form.rating.data)}")
            return redirect(url_for(".confidence", initiative_id=initiative_id))
    elif form is not None and form.errors:
        status = 400
    return render_template("dashboard/confidence.html", initiative=initiative, form=form), status


@bp.route("/initiatives/<int:initiative_id>/timeline")
@login_required
def timeline(initiative_id: int):
    data = service.initiative_timeline(db.session, initiative_id)
    chart = charts.timeline_chart(data.tasks, data.dependencies, today(), data.initiative.deadline)
    titles = {t.id: t.title for t in data.tasks}
    depends: dict[int, list[int]] = {}
    for task_id, on in data.dependencies:
        depends.setdefault(task_id, []).append(on)
    return render_template(
        "dashboard/timeline.html",
        data=data,
        chart=chart,
        titles=titles,
        depends=depends,
        today=today(),
    )
