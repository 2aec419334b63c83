"""Exports: CSV of the dashboard, the heatmap and the task list; iCalendar feeds."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from sqlalchemy import select
from sqlalchemy.orm import aliased
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

from tracker.domain.validation import parse_date
from tracker.domain.workload import is_overloaded, ratio_or_none
from tracker.extensions import db
from tracker.models import Department, Initiative, Task, Team
from tracker.models.base import TASK_STATUSES
from tracker.queries.tasks import TaskFilters, filtered_tasks
from tracker.services import calendar_feeds
from tracker.services import dashboard as service
from tracker.services.errors import Invalid
from tracker.web.dashboard import VIEW_ROLES, figures, settings
from tracker.web.forms import opt
from tracker.web.helpers import apply_service_errors, current_actor, now, roles_required, today

bp = Blueprint("exports", __name__)

# Spreadsheets run a cell as a formula when it starts with one of these, also after
# leading spaces or line breaks, and Excel reads the full-width forms (＝＋－＠) too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", " ", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[object]]) -> Response:
    """Stream rows as CSV, a chunk at a time, formula-safe."""

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for i, row in enumerate(rows, 1):
            writer.writerow([safe_cell(v) for v in row])
            if i % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        generate(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_value(value):
    """A figure as a CSV cell: lists space-separated, yes/no, empty for null."""
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


@bp.route("/dashboard/departments.csv")
@roles_required(*VIEW_ROLES)
def dashboard_csv():
    header = list(service.DEPARTMENT_FIELDS)
    rows = [[_csv_value(r.api_json()[k]) for k in header] for r in figures()]
    return csv_response(f"department-load-{today().isoformat()}.csv", header, rows)


@bp.route("/dashboard/heatmap.csv")
@roles_required(*VIEW_ROLES)
def heatmap_csv():
    weeks, threshold, _ = settings()
    data = service.heatmap(db.session, today(), weeks, threshold)
    header = [
        "team_id",
        "team",
        "department",
        "week_start",
        "planned_hours",
        "capacity_hours",
        "load_ratio",
        "overloaded",
        "capacity_reduced_by",
    ]
    rows = [
        [
            team.team_id,
            team.team_name,
            group.name,
            cell.week_start.isoformat(),
            cell.planned_hours,
            cell.capacity_hours,
            ratio_or_none(cell.load_ratio, cell.capacity_hours),
            "yes" if is_overloaded(cell.load_ratio, threshold) else "no",
            cell.reason,
        ]
        for group in data.groups
        for team in group.teams
        for cell in team.weeks
    ]
    return csv_response(f"team-load-{today().isoformat()}.csv", header, rows)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        abort(400, description=f"'{name}' must be a whole number")
    return int(raw)


def task_filters() -> TaskFilters:
    """The task list's filters from the query string; bad values answer 400."""
    status = request.args.get("status") or None
    if status is not None and status not in TASK_STATUSES:
        abort(400, description=f"'status' must be one of {', '.join(TASK_STATUSES)}")
    due_before = None
    if raw := request.args.get("due_before"):
        try:
            due_before = parse_date(raw, "'due_before'")
        except ValueError as exc:
            abort(400, description=str(exc))
    return TaskFilters(
        team_id=_int_arg("team_id"),
        status=status,
        initiative_id=_int_arg("initiative_id"),
        department_id=_int_arg("department_id"),
        due_before=due_before,
    )


@bp.route("/tasks/export.csv")
@login_required
def tasks_csv():
    filters = task_filters()
    day = today()
    team, dept = aliased(Team), aliased(Department)
    stmt = (
        filtered_tasks(filters, day)
        .with_only_columns(
            Task.id,
            Task.title,
            Task.initiative_id,
            Initiative.title,
            Task.team_id,
            team.name,
            dept.name,
            Task.status,
            Task.blocked_reason,
            Task.effort_hours,
            Task.start_date,
            Task.due_date,
            Task.version,
        )
        .join_from(Task, Initiative, Initiative.id == Task.initiative_id)
        .join_from(Task, team, team.id == Task.team_id)
        .join(dept, dept.id == team.department_id)
        .execution_options(yield_per=1000)
    )
    header = [
        "id",
        "title",
        "initiative_id",
        "initiative",
        "team_id",
        "team",
        "department",
        "status",
        "blocked_reason",
        "effort_hours",
        "start_date",
        "due_date",
        "version",
        "overdue",
    ]

    app = current_app._get_current_object()

    def rows():
        # Streamed after the view returns: the rows are read in an app context of their own.
        with app.app_context():
            yield from _task_rows(db.session.execute(stmt), day)

    return csv_response(f"tasks-{day.isoformat()}.csv", header, rows())


def _task_rows(result, day: date):
    for row in result:
        overdue = row.status != "done" and row.due_date < day
        dates = [row[10].isoformat(), row[11].isoformat()]
        yield [*row[:10], *dates, row[12], "yes" if overdue else "no"]


class FeedForm(FlaskForm):
    scope = SelectField(
        "Whose due dates",
        choices=[],
        widget=GovSelect(),
        validators=[InputRequired("Select whose due dates the feed shows")],
    )
    submit = SubmitField("Create a calendar feed", widget=GovSubmitInput())


# Only team leads and managers have tasks of their own (SPEC §2): offer "Mine" to them only.
PERSONAL_ROLES = ("team_lead", "manager")


def feed_form(teams: list[tuple[int, str, str]], role: str) -> FeedForm:
    form = FeedForm()
    mine = [opt("personal", "Mine: my teams' or my initiatives' tasks")]
    form.scope.choices = [
        *(mine if role in PERSONAL_ROLES else []),
        *(opt(f"team-{tid}", f"{dept}: {name}") for tid, name, dept in teams),
    ]
    return form


def _teams() -> list[tuple[int, str, str]]:
    rows = db.session.execute(
        select(Team.id, Team.name, Department.name)
        .join(Department, Department.id == Team.department_id)
        .order_by(Department.name, Team.name)
    )
    return [tuple(r) for r in rows]


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    form = feed_form(_teams(), current_user.role)
    new_url, status = None, 200
    if form.validate_on_submit():
        scope = form.scope.data
        team_id = int(scope.removeprefix("team-")) if scope.startswith("team-") else None
        try:
            _, token = calendar_feeds.create_feed(db.session, current_actor(), team_id, now())
        except Invalid as error:
            db.session.rollback()
            apply_service_errors(form, error.fields)
            status = 422
        else:
            new_url = url_for("exports.calendar_feed", token=token, _external=True)
    elif form.errors:
        status = 400
    feeds = calendar_feeds.feeds_of(db.session, current_user.id)
    return render_template("exports/calendar.html", form=form, feeds=feeds, new_url=new_url), status


@bp.route("/calendar/<int:feed_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_feed(feed_id: int):
    """GET asks to confirm (a revoked address cannot be brought back); POST revokes."""
    if request.method == "GET":
        mine = calendar_feeds.feeds_of(db.session, current_user.id)
        row = next((f for f in mine if f.feed.id == feed_id and not f.feed.revoked_at), None)
        if row is None:
            abort(404)
        return render_template("exports/revoke.html", row=row)
    calendar_feeds.revoke_feed(db.session, current_actor(), feed_id, now())
    flash("The calendar feed is revoked: its address no longer works")
    return redirect(url_for("exports.calendar"))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    """No sign-in: the token is the secret (calendar apps cannot sign in)."""
    feed = calendar_feeds.feed_for_token(db.session, token)
    if feed is None:
        abort(404)
    body = calendar_feeds.render_calendar(
        calendar_feeds.feed_name(db.session, feed),
        calendar_feeds.feed_tasks(db.session, feed),
        current_app.config["BASE_URL"],
        now(),
    )
    return Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="due-dates.ics"',
            "Cache-Control": "private, max-age=300",
            "Referrer-Policy": "no-referrer",
        },
    )
