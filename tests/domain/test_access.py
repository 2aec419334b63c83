"""SPEC §2's role rules as plain functions."""

from __future__ import annotations

from tracker.domain.access import (
    Actor,
    can_create_initiative,
    can_edit_initiative,
    can_manage_org,
    can_set_confidence,
    can_update_task_status,
)

ADMIN = Actor(1, "admin", None)
DIRECTOR = Actor(2, "director", None)
MANAGER = Actor(3, "manager", 10)
OTHER_MANAGER = Actor(4, "manager", 20)
LEAD = Actor(5, "team_lead", 10, frozenset({100}))


def test_only_admins_manage_the_organisation():
    assert can_manage_org(ADMIN)
    assert not any(can_manage_org(a) for a in (DIRECTOR, MANAGER, LEAD))


def test_only_managers_create_initiatives():
    assert can_create_initiative(MANAGER)
    assert not any(can_create_initiative(a) for a in (ADMIN, DIRECTOR, LEAD))


def test_managers_edit_initiatives_they_own_or_that_affect_their_department():
    assert can_edit_initiative(MANAGER, owner_id=99, department_ids=[10, 30])
    assert can_edit_initiative(OTHER_MANAGER, owner_id=4, department_ids=[10])
    assert not can_edit_initiative(OTHER_MANAGER, owner_id=99, department_ids=[10])
    assert not can_edit_initiative(DIRECTOR, owner_id=2, department_ids=[10])
    assert not can_edit_initiative(ADMIN, owner_id=1, department_ids=[10])


def test_confidence_is_set_by_the_owner_only():
    assert can_set_confidence(MANAGER, owner_id=3)
    assert not can_set_confidence(OTHER_MANAGER, owner_id=3)
    assert not can_set_confidence(DIRECTOR, owner_id=2)


def test_team_leads_update_only_their_own_teams_tasks():
    assert can_update_task_status(LEAD, team_id=100, initiative_owner_id=3, department_ids=[10])
    assert not can_update_task_status(LEAD, 101, 3, [10])
    assert can_update_task_status(MANAGER, 101, 99, [10])
    assert not can_update_task_status(OTHER_MANAGER, 101, 99, [10])
    assert not can_update_task_status(DIRECTOR, 100, 3, [10])


def test_only_the_owner_or_an_admin_hands_an_initiative_over():
    from tracker.domain.access import can_hand_over_initiative

    owner = Actor(1, "manager", 10)
    colleague = Actor(2, "manager", 10)
    admin = Actor(3, "admin", None)
    director = Actor(4, "director", None)
    assert can_hand_over_initiative(owner, 1, [10])
    assert can_hand_over_initiative(admin, 1, [10])
    assert not can_hand_over_initiative(colleague, 1, [10])  # may edit, may not take over
    assert not can_hand_over_initiative(director, 1, [10])
    # When the owner has left, a manager who may edit names the successor.
    assert can_hand_over_initiative(colleague, 1, [10], owner_active=False)
    assert not can_hand_over_initiative(Actor(5, "manager", 11), 1, [10], owner_active=False)
