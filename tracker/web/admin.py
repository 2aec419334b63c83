"""Pages of the admin area: users, departments and teams (admins only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from tracker.extensions import db
from tracker.models import Department, Team, User
from tracker.queries import pages
from tracker.services.errors import Conflict, Invalid
from tracker.services.org import save_department, save_team, save_user
from tracker.web.forms import DepartmentForm, TeamForm, UserForm, opt
from tracker.web.helpers import apply_service_errors, current_actor, roles_required

bp = Blueprint("admin", __name__)

admin_only = roles_required("admin")


@bp.route("/admin/users")
@admin_only
def users():
    return render_template("admin/users.html", users=pages.all_users(db.session))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_only
def user_new():
    return _user_form(None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_edit(user_id: int):
    return _user_form(db.session.get(User, user_id) or abort(404))


@bp.route("/admin/departments", methods=["GET", "POST"])
@admin_only
def departments():
    form = DepartmentForm()
    if _saved(form, lambda: save_department(db.session, current_actor(), form.name.data or "")):
        flash(f"Department “{form.name.data.strip()}” added")
        return redirect(url_for("admin.departments"))
    return _render("admin/departments.html", form, departments=pages.departments(db.session))


@bp.route("/admin/departments/<int:department_id>", methods=["GET", "POST"])
@admin_only
def department_edit(department_id: int):
    department = db.session.get(Department, department_id) or abort(404)
    form = DepartmentForm(obj=department)
    saved = _saved(
        form,
        lambda: save_department(db.session, current_actor(), form.name.data or "", department_id),
    )
    if saved:
        flash("Department renamed")
        return redirect(url_for("admin.departments"))
    return _render("admin/department_edit.html", form, department=department)


@bp.route("/admin/teams")
@admin_only
def teams():
    return render_template("admin/teams.html", teams=pages.all_teams(db.session))


@bp.route("/admin/teams/new", methods=["GET", "POST"])
@admin_only
def team_new():
    return _team_form(None)


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
@admin_only
def team_edit(team_id: int):
    return _team_form(db.session.get(Team, team_id) or abort(404))


def _user_form(user: User | None):
    form = UserForm(obj=user)
    form.department_id.choices = [opt("", "No department")] + [
        opt(d.id, d.name) for d in pages.departments(db.session)
    ]

    def save():
        changes = {
            name: getattr(form, name).data
            for name in ("username", "display_name", "role", "department_id", "email_mode")
        }
        changes["username"] = (changes["username"] or "").strip()
        changes["email"] = (form.email.data or "").strip()
        changes["active"] = bool(form.active.data)
        if form.password.data or user is None:
            changes["password"] = form.password.data or ""
        return save_user(db.session, current_actor(), changes, user.id if user else None)

    if _saved(form, save):
        flash("User saved")
        return redirect(url_for("admin.users"))
    return _render("admin/user_form.html", form, user=user)


def _team_form(team: Team | None):
    form = TeamForm(obj=team)
    form.department_id.choices = [opt("", "Select a department")] + [
        opt(d.id, d.name) for d in pages.departments(db.session)
    ]
    form.lead_id.choices = [opt("", "No lead")] + [
        opt(u.id, u.display_name) for u in pages.users_with_role(db.session, "team_lead")
    ]
    if team is not None and team.lead is not None and not team.lead.active:
        form.lead_id.choices.append(opt(team.lead.id, f"{team.lead.display_name} (inactive)"))

    def save():
        changes = {
            "name": form.name.data or "",
            "department_id": form.department_id.data,
            "lead_id": form.lead_id.data,
            "capacity_hours_per_week": form.capacity_hours_per_week.data,
            "establishment_fte": form.establishment_fte.data,
        }
        return save_team(db.session, current_actor(), changes, team.id if team else None)

    if _saved(form, save):
        flash("Team saved")
        return redirect(url_for("admin.teams"))
    return _render("admin/team_form.html", form, team=team)


def _saved(form, save) -> bool:
    """Validate, call the service and show its errors on the form: True when saved."""
    if not form.validate_on_submit():
        return False
    try:
        save()
    except (Invalid, Conflict) as error:
        db.session.rollback()
        apply_service_errors(form, error.fields or {"": error.message})
        return False
    return True


def _render(template: str, form, **context):
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status
