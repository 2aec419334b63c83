"""Recording initiatives and their delivery confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.domain.access import (
    Actor,
    can_create_initiative,
    can_edit_initiative,
    can_hand_over_initiative,
    can_set_confidence,
)
from tracker.models import ConfidenceRating, Department, Initiative, Task, Team, User
from tracker.models.base import CONFIDENCE_LEVELS, INITIATIVE_KINDS, INITIATIVE_STATUSES
from tracker.services.errors import Forbidden, Invalid, NotFound
from tracker.services.validation import check_choice, check_dates, check_name, check_text

FIELDS = (
    "title",
    "source",
    "kind",
    "summary",
    "rationale",
    "budget_pence",
    "start_date",
    "deadline",
    "status",
    "owner_id",
    "department_ids",
)


@dataclass
class InitiativeData:
    title: str = ""
    source: str = ""
    kind: str = "other"
    summary: str = ""
    rationale: str = ""
    budget_pence: int | None = None
    start_date: date | None = None
    deadline: date | None = None
    status: str = "proposed"
    owner_id: int | None = None
    department_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, initiative: Initiative) -> InitiativeData:
        return cls(**{f: getattr(initiative, f) for f in FIELDS})


def get_initiative(session: Session, initiative_id: int) -> Initiative:
    initiative = session.get(
        Initiative, initiative_id, options=[selectinload(Initiative.departments)]
    )
    if initiative is None:
        raise NotFound(f"There is no initiative {initiative_id}")
    return initiative


def validate(session: Session, data: InitiativeData) -> dict[str, str]:
    errors: dict[str, str] = {}
    check_name(errors, "title", data.title, "a title")
    check_name(errors, "source", data.source, "the source", required=False)
    check_choice(errors, "kind", data.kind, INITIATIVE_KINDS, "a kind")
    check_choice(errors, "status", data.status, INITIATIVE_STATUSES, "a status")
    check_text(errors, "summary", data.summary, "the summary")
    check_text(errors, "rationale", data.rationale, "the rationale")
    if data.budget_pence is not None and not 0 <= data.budget_pence < 10**15:
        errors["budget_pence"] = "The budget must be a whole number of pence, 0 or more"
    check_dates(errors, data.start_date, data.deadline, "start_date", "deadline", "deadline")
    owner = session.get(User, data.owner_id) if data.owner_id is not None else None
    if owner is None or owner.role != "manager" or not owner.active:
        errors["owner_id"] = "Select an active manager as the owner"
    wanted = set(data.department_ids)
    if not wanted:
        errors["department_ids"] = "Select at least one department the initiative affects"
    else:
        found = set(session.scalars(select(Department.id).where(Department.id.in_(wanted))))
        if missing := wanted - found:
            errors["department_ids"] = f"No such department: {', '.join(map(str, sorted(missing)))}"
    return errors


def create_initiative(
    session: Session, actor: Actor, data: InitiativeData, now: datetime
) -> Initiative:
    if not can_create_initiative(actor):
        raise Forbidden("Only managers can record initiatives")
    if data.owner_id is None:
        data.owner_id = actor.id
    if errors := validate(session, data):
        raise Invalid("The initiative could not be saved", errors)
    initiative = Initiative(created_at=now, updated_at=now)
    _apply(session, initiative, data)
    session.add(initiative)
    session.commit()
    return initiative


def update_initiative(
    session: Session, actor: Actor, initiative_id: int, changes: dict[str, Any], now: datetime
) -> Initiative:
    initiative = get_initiative(session, initiative_id)
    if unknown := set(changes) - set(FIELDS):
        raise Invalid("Unknown fields", {f: "This field cannot be changed" for f in unknown})
    before = InitiativeData.of(initiative)
    data = InitiativeData(**{**before.__dict__, **changes})
    changed = _changed(before, data)
    may_edit = can_edit_initiative(actor, initiative.owner_id, initiative.department_ids)
    may_hand_over = can_hand_over_initiative(
        actor, initiative.owner_id, initiative.department_ids, initiative.owner.active
    )
    if not may_edit and not (may_hand_over and changed <= {"owner_id"}):
        raise Forbidden("Only a manager of an affected department can edit this initiative")
    if "owner_id" in changed and not may_hand_over:
        raise Forbidden(
            "Only the initiative's owner or an administrator can hand it over to another manager",
            {"owner_id": "Only the owner or an administrator can change the owner"},
        )
    errors = validate(session, data)
    removed = set(initiative.department_ids) - set(data.department_ids)
    if removed and not errors:
        in_use = session.scalar(
            select(Task.id)
            .join(Team, Team.id == Task.team_id)
            .where(Task.initiative_id == initiative.id, Team.department_id.in_(removed))
            .limit(1)
        )
        if in_use is not None:
            errors["department_ids"] = (
                "A department with tasks of this initiative cannot be removed: move its tasks first"
            )
    if errors:
        raise Invalid("The initiative could not be saved", errors)
    _apply(session, initiative, data)
    initiative.updated_at = now
    session.commit()
    return initiative


def _changed(before: InitiativeData, after: InitiativeData) -> set[str]:
    def same(name: str) -> bool:
        old, new = getattr(before, name), getattr(after, name)
        return set(old) == set(new) if name == "department_ids" else old == new

    return {name for name in FIELDS if not same(name)}


def _apply(session: Session, initiative: Initiative, data: InitiativeData) -> None:
    for name in FIELDS:
        if name != "department_ids":
            value = getattr(data, name)
            setattr(initiative, name, value.strip() if name == "title" else value)
    initiative.departments = list(
        session.scalars(select(Department).where(Department.id.in_(data.department_ids)))
    )


def set_confidence(
    session: Session, actor: Actor, initiative_id: int, rating: str, comment: str, now: datetime
) -> ConfidenceRating:
    """The owner's dated delivery-confidence rating; earlier ones stay as history."""
    initiative = get_initiative(session, initiative_id)
    if not can_set_confidence(actor, initiative.owner_id):
        raise Forbidden("Only the initiative's owner can set its delivery confidence")
    errors: dict[str, str] = {}
    check_choice(errors, "rating", rating, CONFIDENCE_LEVELS, "a confidence rating")
    if not (comment or "").strip():
        errors["comment"] = "Say why you give this rating"
    check_text(errors, "comment", comment, "the comment")
    if errors:
        raise Invalid("The rating could not be saved", errors)
    entry = ConfidenceRating(
        initiative_id=initiative.id,
        rating=rating,
        comment=comment.strip(),
        set_by_id=actor.id,
        set_at=now,
    )
    initiative.confidence = rating
    initiative.updated_at = now
    session.add(entry)
    session.commit()
    return entry
