"""Departments, teams and users: the admin's use cases."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.domain.access import Actor, can_manage_org
from tracker.domain.validation import CAPACITY_HOURS_PER_WEEK, FTE
from tracker.models import CapacityAdjustment, Department, Team, User
from tracker.models.base import EMAIL_MODES, ROLES
from tracker.services.auth import revoke_tokens
from tracker.services.errors import Conflict, Forbidden, Invalid, NotFound
from tracker.services.passwords import weak_password
from tracker.services.validation import check_choice, check_name, check_number

TEAM_FIELDS = (
    "name",
    "department_id",
    "lead_id",
    "capacity_hours_per_week",
    "establishment_fte",
)
USER_FIELDS = (
    "username",
    "display_name",
    "email",
    "role",
    "department_id",
    "active",
    "password",
    "email_mode",
)


def _require_admin(actor: Actor) -> None:
    if not can_manage_org(actor):
        raise Forbidden("Only administrators can manage users, departments and teams")


def _get(session: Session, model, object_id: int, label: str):
    obj = session.get(model, object_id)
    if obj is None:
        raise NotFound(f"There is no {label} {object_id}")
    return obj


def _commit_unique(session: Session, field: str, message: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(message, {field: message}) from exc


# Departments ---------------------------------------------------------------


def save_department(
    session: Session, actor: Actor, name: str, department_id: int | None = None
) -> Department:
    _require_admin(actor)
    errors: dict[str, str] = {}
    check_name(errors, "name", name, "a name")
    if errors:
        raise Invalid("The department could not be saved", errors)
    dept = _get(session, Department, department_id, "department") if department_id else Department()
    dept.name = name.strip()
    session.add(dept)
    _commit_unique(session, "name", "A department with this name already exists")
    return dept


# Teams ---------------------------------------------------------------------


def validate_team(session: Session, data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    check_name(errors, "name", data.get("name"), "a name")
    if data.get("department_id") is None or session.get(Department, data["department_id"]) is None:
        errors["department_id"] = "Select the team's department"
    check_number(
        errors,
        "capacity_hours_per_week",
        data.get("capacity_hours_per_week"),
        CAPACITY_HOURS_PER_WEEK,
        "the capacity",
        missing="Enter the hours the team can give to change work",
    )
    establishment = data.get("establishment_fte")
    is_number = isinstance(establishment, int | float) and not isinstance(establishment, bool)
    if is_number and establishment <= 0:
        errors["establishment_fte"] = (
            "The establishment must be more than 0 FTE (leave it empty if not known)"
        )
    check_number(errors, "establishment_fte", establishment, FTE, "the establishment")
    lead_id = data.get("lead_id")
    if lead_id is not None:
        lead = session.get(User, lead_id)
        if lead is None or lead.role != "team_lead":
            errors["lead_id"] = "Select a user with the team lead role"
    return errors


def save_team(
    session: Session, actor: Actor, changes: dict[str, Any], team_id: int | None = None
) -> Team:
    _require_admin(actor)
    if unknown := set(changes) - set(TEAM_FIELDS):
        raise Invalid("Unknown fields", {f: "This field cannot be set" for f in unknown})
    team = _get(session, Team, team_id, "team") if team_id else Team()
    data = {f: getattr(team, f, None) for f in TEAM_FIELDS} | changes
    if errors := validate_team(session, data):
        raise Invalid("The team could not be saved", errors)
    if team_id and data["department_id"] != team.department_id:
        # Its tasks belong to initiatives of the old department: a move would orphan them.
        raise Invalid(
            "A team cannot move department",
            {"department_id": "Create a new team in the other department instead"},
        )
    clearing = team_id and team.establishment_fte and data["establishment_fte"] is None
    if clearing and _has_staffing(session, team_id):
        raise Invalid(
            "The team's establishment is needed by its staffing",
            {
                "establishment_fte": "The team has vacancies, absences or agency cover "
                "recorded: remove them before clearing its establishment"
            },
        )
    for name in TEAM_FIELDS:
        setattr(team, name, data[name].strip() if name == "name" else data[name])
    session.add(team)
    _commit_unique(session, "name", "The department already has a team with this name")
    return team


def _has_staffing(session: Session, team_id: int) -> bool:
    found = select(CapacityAdjustment.id).where(CapacityAdjustment.team_id == team_id).limit(1)
    return session.scalar(found) is not None


# Users ---------------------------------------------------------------------


def validate_user(session: Session, data: dict[str, Any], creating: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    check_name(errors, "username", data.get("username"), "a username")
    check_name(errors, "display_name", data.get("display_name"), "a display name")
    check_choice(errors, "role", data.get("role"), ROLES, "a role")
    check_choice(errors, "email_mode", data.get("email_mode"), EMAIL_MODES, "an email mode")
    email = data.get("email") or ""
    check_name(errors, "email", email, "an email address", required=False)
    if email and "email" not in errors:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            errors["email"] = "Enter an email address in the correct format, like name@example.org"
    department_id = data.get("department_id")
    if department_id is not None and session.get(Department, department_id) is None:
        errors["department_id"] = "Select a department that exists"
    if data.get("role") == "manager" and department_id is None:
        errors["department_id"] = "A manager belongs to one department: select it"
    password = data.get("password")
    if (creating or password is not None) and (
        reason := weak_password(password, data.get("username"))
    ):
        errors["password"] = reason
    return errors


def save_user(
    session: Session, actor: Actor | None, changes: dict[str, Any], user_id: int | None = None
) -> User:
    """Create or change a user. `actor` None means the CLI, run by whoever owns the server."""
    if actor is not None:
        _require_admin(actor)
    if unknown := set(changes) - set(USER_FIELDS):
        raise Invalid("Unknown fields", {f: "This field cannot be set" for f in unknown})
    user = _get(session, User, user_id, "user") if user_id else None
    current = {f: getattr(user, f, None) for f in USER_FIELDS if f != "password"}
    if user is None:
        current |= {"email_mode": "digest", "active": True, "email": ""}
    data = current | changes
    if errors := validate_user(session, data, creating=user is None):
        raise Invalid("The user could not be saved", errors)
    if user is None:
        user = User()
    elif _removes_last_admin(session, user, data):
        raise Conflict(
            "This is the last active administrator: make another user an active admin first",
            {"active": "At least one active administrator must remain"},
        )
    was_active = user.active
    for name in USER_FIELDS:
        if name == "password":
            if data.get("password") is not None:
                user.set_password(data["password"])
                user.end_sessions()
        else:
            setattr(user, name, data[name].strip() if name == "username" else data[name])
    if was_active and not user.active:
        user.end_sessions()
    if user.id is not None and (not user.active or data.get("password") is not None):
        revoke_tokens(session, user)  # API tokens end with the sessions
    session.add(user)
    _commit_unique(session, "username", "A user with this username already exists")
    return user


def _removes_last_admin(session: Session, user: User, data: dict[str, Any]) -> bool:
    """Whether the change leaves no active admin (nobody could then manage users)."""
    if not (user.role == "admin" and user.active):
        return False
    if data["role"] == "admin" and data["active"]:
        return False
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != user.id)
    )
    return not others
