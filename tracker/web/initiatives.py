"""Pages of the initiatives area: the list, an initiative, its briefing, new and edit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.domain.access import (
    can_create_initiative,
    can_edit_initiative,
    can_hand_over_initiative,
    can_set_confidence,
)
from tracker.extensions import db
from tracker.queries import pages
from tracker.services.errors import Invalid
from tracker.services.initiatives import (
    FIELDS,
    InitiativeData,
    create_initiative,
    update_initiative,
    validate,
)
from tracker.web.forms import InitiativeFilterForm, InitiativeForm, opt
from tracker.web.helpers import apply_service_errors, current_actor, now, roles_required, today

bp = Blueprint("initiatives", __name__)

PER_PAGE = 50
# Service field names that the form spells differently.
FORM_NAMES = {"budget_pence": "budget"}
# The service lists the raw values; a person picks from labelled options.
FORM_MESSAGES = {"kind": "Select the kind of initiative", "status": "Select a status"}


@bp.route("/initiatives")
@login_required
def index():
    form = InitiativeFilterForm(request.args, meta={"csrf": False})
    form.department.choices = [opt("", "Any department")] + [
        opt(d.id, d.name) for d in pages.departments(db.session)
    ]
    filters = form.filters()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = pages.initiative_rows(
        db.session,
        today(),
        status=filters.get("status") or None,
        department_id=filters.get("department"),
        kind=filters.get("kind") or None,
        page=page,
        per_page=PER_PAGE,
    )
    return render_template(
        "initiatives/index.html",
        filter_form=form,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        may_create=can_create_initiative(current_actor()),
        filter_args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/initiatives/<int:initiative_id>")
@login_required
def detail(initiative_id: int):
    initiative = _initiative_or_404(initiative_id)
    actor = current_actor()
    return render_template(
        "initiatives/detail.html",
        initiative=initiative,
        tasks=pages.initiative_tasks(db.session, initiative.id),
        counts=pages.initiative_counts(db.session, initiative.id, today()),
        may_edit=can_edit_initiative(actor, initiative.owner_id, initiative.department_ids)
        or actor.role == "admin",
        may_rate=can_set_confidence(actor, initiative.owner_id),
        today=today(),
    )


@bp.route("/initiatives/<int:initiative_id>/briefing")
@login_required
def briefing(initiative_id: int):
    initiative = _initiative_or_404(initiative_id)
    return render_template(
        "initiatives/briefing.html",
        initiative=initiative,
        tasks=pages.initiative_tasks(db.session, initiative.id),
    )


@bp.route("/initiatives/new", methods=["GET", "POST"])
@roles_required("manager")
def new():
    form = _form()
    if not form.is_submitted():
        form.owner_id.data = current_user.id
        form.department_ids.data = [current_user.department_id]
    if form.validate_on_submit():
        try:
            initiative = create_initiative(db.session, current_actor(), _data(form), now())
        except Invalid as error:
            _show(form, error)
        else:
            flash(f"Initiative “{initiative.title}” saved")
            return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
    return _render_form(form, None)


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@login_required
def edit(initiative_id: int):
    initiative = _initiative_or_404(initiative_id)
    actor = current_actor()
    may_edit = can_edit_initiative(actor, initiative.owner_id, initiative.department_ids)
    may_hand_over = can_hand_over_initiative(
        actor, initiative.owner_id, initiative.department_ids, initiative.owner.active
    )
    if not may_edit and not may_hand_over:
        abort(403, description="Only a manager of an affected department can edit this initiative.")
    form = _form(InitiativeData.of(initiative))
    if not may_hand_over:
        # Only the owner or an admin names a new owner: offer nobody else.
        form.owner_id.choices = [c for c in form.owner_id.choices if c.value == initiative.owner_id]
        form.owner_id.description = "Only the owner or an administrator can hand it over"
    elif not may_edit:
        form.owner_id.description = "As an administrator you can hand the initiative over"
    if form.validate_on_submit():
        try:
            update_initiative(
                db.session, current_actor(), initiative.id, _data(form).__dict__, now()
            )
        except Invalid as error:
            db.session.rollback()
            _show(form, error)
        else:
            flash("Initiative saved")
            return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
    return _render_form(form, initiative)


def _initiative_or_404(initiative_id: int):
    initiative = pages.initiative_page(db.session, initiative_id)
    if initiative is None:
        abort(404)
    return initiative


def _form(data: InitiativeData | None = None) -> InitiativeForm:
    obj = None
    if data is not None:
        obj = type("Obj", (), {**data.__dict__, "budget": data.budget_pence})
    form = InitiativeForm(obj=obj)
    form.department_ids.choices = [opt(d.id, d.name) for d in pages.departments(db.session)]
    managers = pages.users_with_role(db.session, "manager")
    form.owner_id.choices = [opt("", "Select a manager")] + [
        opt(u.id, u.display_name) for u in managers
    ]
    if data is not None and data.owner_id not in {u.id for u in managers}:
        # A departed owner stays visible; saving then asks for an active manager.
        form.owner_id.choices.append(opt(data.owner_id, "The current owner (no longer active)"))
    return form


def _data(form: InitiativeForm) -> InitiativeData:
    values = {name: getattr(form, FORM_NAMES.get(name, name)).data for name in FIELDS}
    values["title"] = (values["title"] or "").strip()
    values["source"] = (values["source"] or "").strip()
    values["department_ids"] = list(values["department_ids"] or [])
    return InitiativeData(**values)


def _report_everything(form: InitiativeForm) -> None:
    """The form's own checks stopped at what they could parse (dates, numbers): add the
    service's verdict on the rest, so every problem is reported on the first submit."""
    for name, message in validate(db.session, _data(form)).items():
        field = getattr(form, FORM_NAMES.get(name, name), None)
        if field is not None and not field.errors:
            field.errors = [FORM_MESSAGES.get(name, message)]


def _show(form: InitiativeForm, error: Invalid) -> None:
    apply_service_errors(
        form, {FORM_NAMES.get(k, k): FORM_MESSAGES.get(k, v) for k, v in error.fields.items()}
    )


def _render_form(form: InitiativeForm, initiative):
    if form.is_submitted() and form.errors:
        _report_everything(form)
    status = 422 if form.errors else 200
    return render_template("initiatives/form.html", form=form, initiative=initiative), status
