"""Every role against every write action of the pages: the status, and nothing written
when refused (SPEC §2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.conftest import date_parts, snapshot

TABLES = (
    "initiatives",
    "initiative_departments",
    "tasks",
    "task_updates",
    "task_dependencies",
    "users",
    "departments",
    "teams",
    "capacity_adjustments",
    "team_week_staffing",
)
ROLES = ("admin", "director", "manager", "other_manager", "lead", "other_lead")
OK = 302


def initiative_form(c, actor):
    dept = actor.department_id or c.dept.id
    return {
        "title": "Quality Protects",
        "source": "Department of Health",
        "kind": "framework",
        "summary": "",
        "rationale": "Better outcomes for looked-after children.",
        "budget": "",
        "start_date": date_parts(c.initiative.start_date),
        "deadline": date_parts(c.initiative.deadline),
        "status": "planning",
        "owner_id": str(actor.id if actor.role == "manager" else c.manager.id),
        "department_ids": [str(dept)],
    }


def task_form(c, **extra):
    return {
        "title": "Audit care plans",
        "description": "",
        "team_id": str(c.team.id),
        "effort_hours": "6",
        "start_date": date_parts(c.task.start_date),
        "due_date": date_parts(c.task.due_date + timedelta(days=1)),
        "status": "not_started",
        "submit": "Save task",
        **extra,
    }


ACTIONS = {
    "create initiative": (
        lambda c, a: "/initiatives/new",
        initiative_form,
        {"manager": OK, "other_manager": OK},
    ),
    "edit initiative": (
        lambda c, a: f"/initiatives/{c.initiative.id}/edit",
        lambda c, a: initiative_form(c, c.manager) | {"title": "Renamed"},
        {"manager": OK},
    ),
    "create task": (
        lambda c, a: f"/initiatives/{c.initiative.id}/tasks/new",
        lambda c, a: task_form(c),
        {"manager": OK},
    ),
    "edit task plan": (
        lambda c, a: f"/tasks/{c.task.id}/edit",
        lambda c, a: task_form(c, version="1"),
        {"manager": OK},
    ),
    "update status and note": (
        lambda c, a: f"/tasks/{c.task.id}/status",
        lambda c, a: {"status": "in_progress", "note": "Under way", "version": "1"},
        {"manager": OK, "lead": OK},
    ),
    "admin create user": (
        lambda c, a: "/admin/users/new",
        lambda c, a: {
            "username": "new.user",
            "display_name": "New User",
            "role": "director",
            "email_mode": "immediate",
            "active": "y",
            "password": "a long enough password",
        },
        {"admin": OK},
    ),
    "admin create department": (
        lambda c, a: "/admin/departments",
        lambda c, a: {"name": "Housing"},
        {"admin": OK},
    ),
    "record staffing": (
        lambda c, a: f"/teams/{c.team.id}/staffing/new",
        lambda c, a: {
            "kind": "vacancy",
            "fte": "1",
            "starts_on": date_parts(c.task.start_date),
            "ends_on": ["", "", ""],
            "note": "Social worker post",
        },
        {"admin": OK, "manager": OK, "lead": OK},
    ),
    "admin create team": (
        lambda c, a: "/admin/teams/new",
        lambda c, a: {
            "name": "Duty team",
            "department_id": str(c.dept.id),
            "lead_id": "",
            "capacity_hours_per_week": "15",
        },
        {"admin": OK},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_matrix(client, login_as, council, people, action, role):
    url, form, allowed = ACTIONS[action]
    actor = login_as(user=people[role])
    before = snapshot(*TABLES)
    response = client.post(url(council, actor), data=form(council, actor))
    expected = allowed.get(role, 403)
    assert response.status_code == expected, response.get_data(as_text=True)[-2000:]
    if expected == 403:
        assert "You cannot do this" in response.get_data(as_text=True)
        assert snapshot(*TABLES) == before
    else:
        assert snapshot(*TABLES) != before


@pytest.mark.parametrize("role", ROLES)
def test_edit_forms_are_not_even_shown_to_those_who_may_not_use_them(
    client, login_as, council, people, role
):
    login_as(user=people[role])
    planner = role == "manager"
    for url in (
        f"/initiatives/{council.initiative.id}/tasks/new",
        f"/tasks/{council.task.id}/edit",
    ):
        assert client.get(url).status_code == (200 if planner else 403)
    # An administrator may hand an initiative over (SPEC §3), so the edit page opens
    # for them too, and says what it is for.
    edit = client.get(f"/initiatives/{council.initiative.id}/edit")
    assert edit.status_code == (200 if role in ("manager", "admin") else 403)
    if role == "admin":
        assert "As an administrator you can hand the initiative over" in edit.get_data(as_text=True)
    page = client.get(f"/tasks/{council.task.id}").get_data(as_text=True)
    assert ("Update status or add a note" in page) == (role in ("manager", "lead"))
