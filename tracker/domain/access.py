"""Who may do what (SPEC §2), decided from plain facts about the user and the object."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int
    role: str
    department_id: int | None
    led_team_ids: frozenset[int] = frozenset()


def can_manage_org(actor: Actor) -> bool:
    """Users, departments and teams: admins only."""
    return actor.role == "admin"


def can_create_initiative(actor: Actor) -> bool:
    return actor.role == "manager"


def can_edit_initiative(actor: Actor, owner_id: int, department_ids: Collection[int]) -> bool:
    """A manager edits the initiatives they own or that affect their department."""
    if actor.role != "manager":
        return False
    return actor.id == owner_id or (
        actor.department_id is not None and actor.department_id in department_ids
    )


def can_hand_over_initiative(
    actor: Actor, owner_id: int, department_ids: Collection[int], owner_active: bool = True
) -> bool:
    """Only the owner or an admin names a new owner: a manager who may edit an
    initiative must not be able to take it over. When the owner has left (is no
    longer active), a manager who may edit it names the successor."""
    if actor.role == "admin" or (actor.role == "manager" and actor.id == owner_id):
        return True
    return not owner_active and can_edit_initiative(actor, owner_id, department_ids)


def can_set_confidence(actor: Actor, owner_id: int) -> bool:
    """Delivery confidence is set by the initiative's owner (SPEC §3)."""
    return actor.role == "manager" and actor.id == owner_id


def can_update_task_status(
    actor: Actor, team_id: int, initiative_owner_id: int, department_ids: Collection[int]
) -> bool:
    """Status, notes and blocked reason: the lead of the task's team, or a manager
    who may edit the task's initiative."""
    if actor.role == "team_lead":
        return team_id in actor.led_team_ids
    return can_edit_initiative(actor, initiative_owner_id, department_ids)


def can_adjust_capacity(actor: Actor, team_id: int, team_department_id: int) -> bool:
    """Vacancies, absences and agency cover (SPEC §9): admins, managers of the team's
    department and the team's own lead."""
    if actor.role == "admin":
        return True
    if actor.role == "manager":
        return actor.department_id is not None and actor.department_id == team_department_id
    if actor.role == "team_lead":
        return team_id in actor.led_team_ids
    return False
