"""SPEC §2 through the API: each role × each write, the status code, and nothing changed
when refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.models import (
    CapacityAdjustment,
    Department,
    Initiative,
    Task,
    TaskUpdate,
    Team,
    TeamWeekStaffing,
    User,
)

ROLES = ("admin", "director", "manager_affected", "manager_other", "lead_own", "lead_other")
TODAY = date.today()


@dataclass
class World:
    users: dict[str, User]
    dept: Department
    other_dept: Department
    team: Team
    initiative: Initiative
    task: Task
    adjustment: CapacityAdjustment


@pytest.fixture
def world(make) -> World:
    dept, other_dept = make.department("Adult Social Care"), make.department("Children")
    owner = make.user("manager", department=dept)
    users = {
        "admin": make.user("admin"),
        "director": make.user("director"),
        "manager_affected": make.user("manager", department=dept),
        "manager_other": make.user("manager", department=other_dept),
        "lead_own": make.user("team_lead"),
        "lead_other": make.user("team_lead"),
    }
    team = make.team(department=dept, lead=users["lead_own"], establishment=10)
    make.team(department=other_dept, lead=users["lead_other"])
    initiative = make.initiative(owner=owner, departments=[dept])
    task = make.task(team=team, initiative=initiative)
    adjustment = make.adjustment(team, "vacancy", 1.0, TODAY)
    return World(users, dept, other_dept, team, initiative, task, adjustment)


def _request(world: World, action: str) -> tuple[str, str, dict]:
    w = world
    return {
        "post_initiative": (
            "post",
            "/api/v1/initiatives",
            {
                "title": "Supporting People",
                "kind": "funding",
                "start_date": TODAY.isoformat(),
                "deadline": (TODAY + timedelta(days=90)).isoformat(),
                "department_ids": [w.dept.id],
            },
        ),
        "patch_initiative": (
            "patch",
            f"/api/v1/initiatives/{w.initiative.id}",
            {"title": "Renamed", "status": "rollout"},
        ),
        "post_task": (
            "post",
            f"/api/v1/initiatives/{w.initiative.id}/tasks",
            {
                "title": "Brief the team",
                "team_id": w.team.id,
                "effort_hours": 4,
                "start_date": TODAY.isoformat(),
                "due_date": (TODAY + timedelta(days=7)).isoformat(),
            },
        ),
        "patch_task_plan": (
            "patch",
            f"/api/v1/tasks/{w.task.id}",
            {"title": "Replanned", "effort_hours": 99, "version": 1},
        ),
        "patch_task_status": (
            "patch",
            f"/api/v1/tasks/{w.task.id}",
            {"status": "in_progress", "note": "Started", "version": 1},
        ),
        "post_user": (
            "post",
            "/api/v1/users",
            {
                "username": "newcomer",
                "display_name": "New Comer",
                "role": "director",
                "password": "a long enough password",
            },
        ),
        "post_department": ("post", "/api/v1/departments", {"name": "Housing"}),
        "post_team": (
            "post",
            "/api/v1/teams",
            {
                "name": "Hospital discharge",
                "department_id": w.dept.id,
                "capacity_hours_per_week": 20,
            },
        ),
        "post_adjustment": (
            "post",
            f"/api/v1/teams/{w.team.id}/capacity-adjustments",
            {"kind": "absence", "fte": 0.5, "starts_on": TODAY.isoformat()},
        ),
        "patch_adjustment": (
            "patch",
            f"/api/v1/capacity-adjustments/{w.adjustment.id}",
            {"fte": 2.0},
        ),
        "end_adjustment": (
            "patch",
            f"/api/v1/capacity-adjustments/{w.adjustment.id}",
            {"ends_on": (TODAY + timedelta(days=30)).isoformat()},
        ),
        "delete_adjustment": ("delete", f"/api/v1/capacity-adjustments/{w.adjustment.id}", None),
        "patch_team_establishment": (
            "patch",
            f"/api/v1/teams/{w.team.id}",
            {"establishment_fte": 12.5},
        ),
    }[action]


def _allowed(*roles: str, status: int = 200) -> dict[str, int]:
    return {role: status if role in roles else 403 for role in ROLES}


EXPECTED = {
    "post_initiative": _allowed("manager_affected", "manager_other", status=201),
    "patch_initiative": _allowed("manager_affected"),
    "post_task": _allowed("manager_affected", status=201),
    "patch_task_plan": _allowed("manager_affected"),
    "patch_task_status": _allowed("manager_affected", "lead_own"),
    "post_user": _allowed("admin", status=201),
    "post_department": _allowed("admin", status=201),
    "post_team": _allowed("admin", status=201),
    # SPEC §9: admins, managers of the team's department and its own lead record staffing.
    "post_adjustment": _allowed("admin", "manager_affected", "lead_own", status=201),
    "patch_adjustment": _allowed("admin", "manager_affected", "lead_own"),
    "end_adjustment": _allowed("admin", "manager_affected", "lead_own"),
    "delete_adjustment": _allowed("admin", "manager_affected", "lead_own", status=204),
    "patch_team_establishment": _allowed("admin"),
}


def _snapshot(session) -> dict:
    session.expire_all()
    counts = {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (
            Initiative,
            Task,
            TaskUpdate,
            User,
            Department,
            Team,
            CapacityAdjustment,
            TeamWeekStaffing,
        )
    }
    initiatives = session.execute(
        select(Initiative.id, Initiative.title, Initiative.status, Initiative.updated_at)
    ).all()
    tasks = session.execute(
        select(Task.id, Task.title, Task.status, Task.effort_hours, Task.version)
    ).all()
    staffing = session.execute(
        select(CapacityAdjustment.id, CapacityAdjustment.fte, CapacityAdjustment.ends_on)
    ).all()
    teams = session.execute(select(Team.id, Team.establishment_fte)).all()
    return {
        "counts": counts,
        "initiatives": initiatives,
        "tasks": tasks,
        "staffing": staffing,
        "teams": teams,
    }


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(api, world, session, role, action):
    method, path, body = _request(world, action)
    before = _snapshot(session)
    response = getattr(api.as_(world.users[role]), method)(path, json=body)
    expected = EXPECTED[action][role]
    assert response.status_code == expected, response.get_json()
    after = _snapshot(session)
    if expected == 403:
        assert response.get_json()["error"]["code"] == "forbidden"
        assert after == before
    else:
        assert after != before


def test_users_reads_are_admin_only(api, world):
    for role in ROLES:
        caller = api.as_(world.users[role])
        expected = 200 if role == "admin" else 403
        assert caller.get("/api/v1/users").status_code == expected, role
        assert caller.get(f"/api/v1/users/{world.users['director'].id}").status_code == expected


def test_org_changes_are_admin_only(api, world, session):
    before = _snapshot(session)
    for role in ROLES:
        if role == "admin":
            continue
        caller = api.as_(world.users[role])
        assert caller.patch(f"/api/v1/teams/{world.team.id}", json={"name": "X"}).status_code == 403
        assert (
            caller.patch(f"/api/v1/departments/{world.dept.id}", json={"name": "X"}).status_code
            == 403
        )
        assert (
            caller.patch(
                f"/api/v1/users/{world.users['director'].id}", json={"active": False}
            ).status_code
            == 403
        )
    assert _snapshot(session) == before


def test_lead_of_own_team_may_not_change_the_plan_even_with_status(api, world, session):
    before = _snapshot(session)
    response = api.as_(world.users["lead_own"]).patch(
        f"/api/v1/tasks/{world.task.id}",
        json={"status": "done", "due_date": (TODAY + timedelta(days=60)).isoformat(), "version": 1},
    )
    assert response.status_code == 403
    assert _snapshot(session) == before
