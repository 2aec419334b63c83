"""Pages of the tasks area: plan a task with its team's load in view, follow its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from tracker.domain.access import can_edit_initiative, can_update_task_status
from tracker.domain.history import differences
from tracker.domain.wording import day_in_words
from tracker.extensions import db
from tracker.models import Initiative, Task, TaskUpdate
from tracker.queries import pages
from tracker.queries.subjects import task_titles, team_names
from tracker.services.errors import Conflict, Invalid
from tracker.services.planning import LoadPreview, preview_task_load
from tracker.services.tasks import TaskData, create_task, update_task
from tracker.web.auth import safe_next
from tracker.web.forms import StatusForm, TaskForm, form_version, opt
from tracker.web.helpers import apply_service_errors, current_actor, now, today

bp = Blueprint("tasks", __name__)

STALE = (
    "Someone else saved this task after you opened it, so nothing was saved yet. "
    "Check what changed below: your changes are kept in the form, and saving again "
    "applies them to the current version."
)


@dataclass
class EditConflict:
    """What a person needs after a stale save: what others saved since they read the
    task, and what saving their form now would change."""

    since: list[TaskUpdate]
    differences: list[tuple[str, str, str]]


@bp.route("/initiatives/<int:initiative_id>/tasks/new", methods=["GET", "POST"])
@login_required
def new(initiative_id: int):
    initiative = pages.initiative_page(db.session, initiative_id) or abort(404)
    _require_planner(initiative)
    form = _task_form(initiative, None)
    used = _use_suggestion(form)
    checking = used or (form.check_load.data and form.validate_on_submit())
    preview = _preview(form, None, initiative.id) if checking else None
    if form.submit.data and form.validate_on_submit():
        try:
            task = create_task(
                db.session,
                current_actor(),
                initiative.id,
                _data(form),
                now(),
                note=_note(form, _preview(form, None, initiative.id)),
            )
        except Invalid as error:
            db.session.rollback()
            apply_service_errors(form, error.fields)
        else:
            flash(f"Task “{task.title}” planned")
            return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
    return _render_form(form, initiative, None, preview, used=used)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(task_id: int):
    task = pages.task_page(db.session, task_id) or abort(404)
    _require_planner(task.initiative)
    form = _task_form(task.initiative, task)
    used = _use_suggestion(form)
    checking = used or (form.check_load.data and form.validate_on_submit())
    preview = _preview(form, task, task.initiative_id) if checking else None
    status, conflict = 200, None
    if form.submit.data and form.validate_on_submit():
        changes = _data(form).__dict__
        moved = _moves_load(task, changes)
        note = _note(form, _preview(form, task, task.initiative_id) if moved else None)
        refused, conflict = _save(form, task, changes, note)
        if refused is None:
            flash("Task saved")
            return redirect(url_for("tasks.detail", task_id=task.id))
        if refused == 409:
            status = 409  # an invalid plan re-renders the form as before, with 200
    return _render_form(form, task.initiative, task, preview, status, conflict, used)


@bp.route("/tasks/<int:task_id>")
@login_required
def detail(task_id: int):
    task = pages.task_page(db.session, task_id) or abort(404)
    form = StatusForm(obj=task, formdata=None)
    form.version.data = str(task.version)
    return _render_detail(task, form)


@bp.route("/tasks/<int:task_id>/status", methods=["POST"])
@login_required
def update_status(task_id: int):
    task = pages.task_page(db.session, task_id) or abort(404)
    initiative = task.initiative
    if not can_update_task_status(
        current_actor(), task.team_id, initiative.owner_id, initiative.department_ids
    ):
        abort(403, description="Only the lead of the task's team (or its managers) can update it.")
    form = StatusForm()
    status, conflict = 422, None
    if form.validate_on_submit():
        # The service drops a reason once the task is no longer blocked.
        changes = {"status": form.status.data, "blocked_reason": form.blocked_reason.data or None}
        refused, conflict = _save(form, task, changes, (form.note.data or "").strip())
        if refused is None:
            flash(f"“{task.title}” updated")
            return redirect(safe_next(form.next.data) or url_for("tasks.detail", task_id=task.id))
        status = refused
    return _render_detail(pages.task_page(db.session, task_id), form, status, conflict)


def _save(form, task: Task, changes: dict, note: str) -> tuple[int | None, EditConflict | None]:
    """Apply the form's changes through the service; (None, None) when saved, else the
    status to answer with the form's errors (409 stale version, 422 invalid)."""
    task_id = task.id
    try:
        update_task(
            db.session, current_actor(), task_id, changes, form_version(form.version), now(), note
        )
    except Conflict:
        db.session.rollback()
        form.form_errors.append(STALE)
        return 409, _conflict(form, task_id, changes)
    except Invalid as error:
        db.session.rollback()
        apply_service_errors(form, error.fields)
        return 422, None
    return None, None


def _conflict(form, task_id: int, typed: dict) -> EditConflict:
    """Move the form on to the current version (so saving again works) and say what
    changed since the version it was read at."""
    task = pages.task_page(db.session, task_id) or abort(404)
    read = form_version(form.version)
    form.version.data = str(task.version)
    current = TaskData.of(task).__dict__
    teams = team_names(db.session, {current["team_id"], typed.get("team_id")})
    titles = task_titles(db.session, {*current["depends_on"], *typed.get("depends_on", ())})
    # Every save adds one history entry and one version: the newest (current - read).
    newer = task.version - read if read is not None and 0 < read < task.version else 1
    since = pages.task_history(db.session, task_id)[: min(newer, 10)]
    return EditConflict(since, differences(current, typed, teams, titles))


def _require_planner(initiative: Initiative) -> None:
    if not can_edit_initiative(current_actor(), initiative.owner_id, initiative.department_ids):
        abort(403, description="Only a manager of an affected department can plan its tasks.")


def _task_form(initiative: Initiative, task: Task | None) -> TaskForm:
    form = TaskForm(obj=task)
    if task is not None and not form.is_submitted():
        form.version.data = str(task.version)
        own = {t.id for t in pages.other_tasks_of_initiative(db.session, initiative.id, task.id)}
        form.depends_on.data = [t.id for t in task.depends_on if t.id in own]
        form.other_depends_on.data = ", ".join(
            str(t.id) for t in task.depends_on if t.id not in own
        )
    teams = pages.teams_of_departments(db.session, initiative.department_ids)
    form.team_id.choices = [opt("", "Select a team")] + [
        opt(t.id, f"{t.name} ({t.department.name})") for t in teams
    ]
    form.depends_on.choices = [
        opt(t.id, f"#{t.id} {t.title} (due {day_in_words(t.due_date)})")
        for t in pages.other_tasks_of_initiative(
            db.session, initiative.id, getattr(task, "id", None)
        )
    ]
    return form


def _data(form: TaskForm) -> TaskData:
    blocked = form.status.data == "blocked"
    return TaskData(
        title=(form.title.data or "").strip(),
        description=form.description.data or "",
        team_id=form.team_id.data,
        effort_hours=form.effort_hours.data,
        start_date=form.start_date.data,
        due_date=form.due_date.data,
        status=form.status.data,
        blocked_reason=(form.blocked_reason.data or "").strip() or None if blocked else None,
        depends_on=form.dependency_ids(),
    )


def _use_suggestion(form: TaskForm) -> str | None:
    """One click on a suggestion's "Use this" fills the form with it (nothing is saved):
    `start:<start>:<due>`, `due:<due>` or `team:<id>`. Answers what it filled in."""
    choice = request.form.get("use", "") if request.method == "POST" else ""
    kind, _, value = choice.partition(":")
    try:
        if kind == "start":
            start, due = (date.fromisoformat(v) for v in value.split(":"))
            _set_date(form.start_date, start)
            _set_date(form.due_date, due)
            return f"Start and due dates changed to {day_in_words(start)} and {day_in_words(due)}"
        if kind == "due":
            due = date.fromisoformat(value)
            _set_date(form.due_date, due)
            return f"Due date changed to {day_in_words(due)}"
        if kind == "team":
            team_id = int(value)
            if team_id in {c.value for c in form.team_id.choices}:
                form.team_id.data = team_id
                return "Team changed"
    except ValueError:
        return None
    return None


def _set_date(field, day: date) -> None:
    field.data = day
    field.raw_data = [str(day.day), str(day.month), str(day.year)]
    field.errors = []


def _preview(
    form: TaskForm, task: Task | None, initiative_id: int | None = None
) -> LoadPreview | None:
    """The team's load with this task as typed, or None (with form errors) if it cannot tell."""
    missing = {}
    if form.team_id.data is None:
        missing["team_id"] = "Select a team to check its load"
    if not form.effort_hours.data or form.effort_hours.data <= 0:
        missing["effort_hours"] = "Effort must be more than 0 hours to check the load"
    if missing:
        if form.check_load.data:
            apply_service_errors(form, missing)
        return None
    try:
        return preview_task_load(
            db.session,
            form.team_id.data,
            form.effort_hours.data,
            form.start_date.data,
            form.due_date.data,
            current_app.config["OVERLOAD_THRESHOLD"],
            task_id=task.id if task else None,
            initiative_id=initiative_id,
        )
    except Invalid as error:
        if form.check_load.data:
            apply_service_errors(form, error.fields)
        return None


def _moves_load(task: Task, changes: dict) -> bool:
    fields = ("team_id", "effort_hours", "start_date", "due_date")
    reopened = task.status == "done" and changes["status"] != "done"
    return reopened or any(changes[f] != getattr(task, f) for f in fields)


def _note(form: TaskForm, preview: LoadPreview | None) -> str:
    """The manager's note, plus a record of the choice to save over capacity."""
    note = (form.note.data or "").strip()
    if preview is not None and preview.overloaded and form.status.data != "done":
        weeks = ", ".join(day_in_words(w.week_start) for w in preview.weeks if w.overloaded_after)
        choice = f"Saved although {preview.team_name} is over capacity in weeks starting {weeks}."
        note = f"{note}\n{choice}".strip()
    return note


def _render_form(form, initiative, task, preview, status: int = 200, conflict=None, used=None):
    if status == 200 and form.errors and not used:
        status = 422
    return render_template(
        "tasks/form.html",
        form=form,
        initiative=initiative,
        task=task,
        preview=preview,
        conflict=conflict,
        used=used,
    ), status


def _render_detail(task: Task, form: StatusForm, status: int = 200, conflict=None):
    actor = current_actor()
    initiative = task.initiative
    return render_template(
        "tasks/detail.html",
        task=task,
        form=form,
        history=pages.task_history(db.session, task.id),
        dependants=pages.dependants(db.session, task.id),
        may_update=can_update_task_status(
            actor, task.team_id, initiative.owner_id, initiative.department_ids
        ),
        may_plan=can_edit_initiative(actor, initiative.owner_id, initiative.department_ids),
        today=today(),
        next_url=request.args.get("next", ""),
        conflict=conflict,
    ), status
