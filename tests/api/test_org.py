"""Departments, teams, their load, and users through the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.domain.capacity import week_working_days
from tracker.domain.workload import week_start
from tracker.models import Department, Team, User
from tracker.services.calendar import BANK_HOLIDAYS


def test_departments_list_create_read_rename(api, make):
    admin = make.user("admin")
    make.department("Adult Social Care")
    caller = api.as_(admin)
    created = caller.post("/api/v1/departments", json={"name": "Children's Services"})
    assert created.status_code == 201
    dept = created.get_json()
    assert dept["name"] == "Children's Services"
    names = [d["name"] for d in caller.get("/api/v1/departments").get_json()["items"]]
    assert names == ["Adult Social Care", "Children's Services"]
    assert caller.get(f"/api/v1/departments/{dept['id']}").get_json() == dept
    renamed = caller.patch(f"/api/v1/departments/{dept['id']}", json={"name": "Children"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Children"


def test_department_bad_input(api, make, session):
    admin = make.user("admin")
    make.department("Taken")
    caller = api.as_(admin)
    before = session.scalar(select(func.count()).select_from(Department))
    assert caller.post("/api/v1/departments", json={}).status_code == 422
    assert caller.post("/api/v1/departments", json={"name": ""}).status_code == 422
    assert caller.post("/api/v1/departments", json={"name": "x" * 201}).status_code == 422
    assert caller.post("/api/v1/departments", json={"name": 7}).status_code == 422
    assert caller.post("/api/v1/departments", json={"name": "Taken"}).status_code == 409
    assert caller.get("/api/v1/departments/999").status_code == 404
    assert caller.patch("/api/v1/departments/999", json={"name": "A"}).status_code == 404
    assert caller.get("/api/v1/departments/99999999999").status_code == 404
    assert session.scalar(select(func.count()).select_from(Department)) == before


def test_teams_create_filter_change(api, make):
    admin = make.user("admin")
    lead = make.user("team_lead")
    adults, children = make.department(), make.department()
    make.team(department=adults, name="Reablement")
    caller = api.as_(admin)
    created = caller.post(
        "/api/v1/teams",
        json={
            "name": "Fostering",
            "department_id": children.id,
            "lead_id": lead.id,
            "capacity_hours_per_week": 30,
        },
    )
    assert created.status_code == 201
    team = created.get_json()
    assert team["lead_id"] == lead.id and team["capacity_hours_per_week"] == 30
    listed = caller.get(f"/api/v1/teams?department_id={children.id}").get_json()["items"]
    assert [t["name"] for t in listed] == ["Fostering"]
    assert len(caller.get("/api/v1/teams").get_json()["items"]) == 2
    changed = caller.patch(
        f"/api/v1/teams/{team['id']}", json={"capacity_hours_per_week": 45.5, "lead_id": None}
    )
    assert changed.status_code == 200
    assert changed.get_json()["capacity_hours_per_week"] == 45.5
    assert changed.get_json()["lead_id"] is None


def test_team_bad_input_changes_nothing(api, make, session):
    admin = make.user("admin")
    manager = make.user("manager")
    dept, other = make.department(), make.department()
    team = make.team(department=dept, capacity=20, name="Duty")
    lead_id = manager.id  # not a team lead
    caller = api.as_(admin)
    bad = [
        {"name": "A", "department_id": dept.id, "capacity_hours_per_week": 0},
        {"name": "A", "department_id": dept.id, "capacity_hours_per_week": -5},
        {"name": "A", "department_id": dept.id, "capacity_hours_per_week": "ten"},
        {"name": "A", "department_id": 9999, "capacity_hours_per_week": 10},
        {"name": "A", "department_id": dept.id, "capacity_hours_per_week": 10, "lead_id": 0},
        {"name": "B", "department_id": dept.id, "capacity_hours_per_week": 9, "lead_id": lead_id},
        {"name": "A", "department_id": dept.id, "capacity_hours_per_week": 10, "colour": "red"},
        {"name": "A", "department_id": True, "capacity_hours_per_week": 10},
        {"department_id": dept.id, "capacity_hours_per_week": 10},
    ]
    for body in bad:
        response = caller.post("/api/v1/teams", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["fields"], body
    dup = {"name": "Duty", "department_id": dept.id, "capacity_hours_per_week": 10}
    assert caller.post("/api/v1/teams", json=dup).status_code == 409
    moved = caller.patch(f"/api/v1/teams/{team.id}", json={"department_id": other.id})
    assert moved.status_code == 422
    assert caller.get("/api/v1/teams?department_id=abc").status_code == 422
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Team)) == 1
    assert session.get(Team, team.id).department_id == dept.id


def test_team_load_by_week(api, make, app):
    viewer = make.user("team_lead")
    team = make.team(capacity=10)
    monday = week_start(date.today())
    make.task(team=team, start=monday, due=monday + timedelta(days=4), effort=15)
    response = api.as_(viewer).get(f"/api/v1/teams/{team.id}/load?weeks=3")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["week_start"] for i in items] == [
        (monday + timedelta(weeks=n)).isoformat() for n in range(3)
    ]
    # Monday to Friday of this week: all 15 hours land here, bank holidays or not;
    # capacity is scaled to the week's working days (SPEC §9).
    days = len(week_working_days(monday, BANK_HOLIDAYS))
    assert items[0] == {
        "week_start": monday.isoformat(),
        "planned_hours": 15,
        "capacity_hours": pytest.approx(10 * days / 5),
        "load_ratio": pytest.approx(round(15 / (10 * days / 5), 4)),
    }
    assert items[1]["planned_hours"] == 0 and items[1]["load_ratio"] == 0
    default = api.as_(viewer).get(f"/api/v1/teams/{team.id}/load").get_json()["items"]
    assert len(default) == app.config["LOAD_HORIZON_WEEKS"]


def test_team_load_bad_weeks_and_missing_team(api, make):
    caller = api.as_(make.user("director"))
    team = make.team()
    for weeks in ("0", "53", "x", "-1"):
        response = caller.get(f"/api/v1/teams/{team.id}/load?weeks={weeks}")
        assert response.status_code == 422, weeks
        assert "weeks" in response.get_json()["error"]["fields"]
    assert caller.get("/api/v1/teams/999/load").status_code == 404


def test_users_admin_only_paged_password_write_only(api, make, session):
    admin = make.user("admin")
    dept = make.department()
    caller = api.as_(admin)
    created = caller.post(
        "/api/v1/users",
        json={
            "username": "jsmith",
            "display_name": "Jo Smith",
            "email": "jo@council.example",
            "role": "manager",
            "department_id": dept.id,
            "password": "a long enough password",
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert "password" not in body and "password_hash" not in body
    assert body["active"] is True and body["email_mode"] == "digest"
    stored = session.get(User, body["id"])
    assert stored.check_password("a long enough password")
    assert "a long enough password" not in stored.password_hash
    for n in range(3):
        make.user("team_lead", username=f"lead{n}")
    page = caller.get("/api/v1/users?per_page=2&page=2").get_json()
    assert page["total"] == 5 and page["page"] == 2 and page["per_page"] == 2
    assert len(page["items"]) == 2
    assert caller.get("/api/v1/users?per_page=201").status_code == 422
    assert caller.get("/api/v1/users?page=0").status_code == 422
    assert caller.get(f"/api/v1/users/{body['id']}").get_json()["username"] == "jsmith"
    off = caller.patch(f"/api/v1/users/{body['id']}", json={"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False


def test_users_bad_input(api, make, session):
    admin = make.user("admin")
    caller = api.as_(admin)
    base = {
        "username": "u1",
        "display_name": "U",
        "role": "director",
        "password": "kettle orbit marmalade",
    }
    bad = [
        {**base, "password": "short"},
        {**base, "role": "superuser"},
        {**base, "role": "manager"},  # a manager needs a department
        {**base, "email": "not an email"},
        {**base, "email_mode": "weekly"},
        {**base, "username": "u" * 201},
        {**base, "active": "yes"},
        {**base, "password_hash": "x"},
        {k: v for k, v in base.items() if k != "password"},
    ]
    before = session.scalar(select(func.count()).select_from(User))
    for body in bad:
        response = caller.post("/api/v1/users", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["fields"], body
    taken = caller.post("/api/v1/users", json={**base, "username": admin.username})
    assert taken.status_code == 409
    assert caller.patch("/api/v1/users/999", json={"active": False}).status_code == 404
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_team_load_of_a_week_without_capacity_is_null_not_infinity(api, make):
    viewer = make.user("director")
    team = make.team(capacity=10, establishment=2)
    monday = week_start(date.today())
    make.adjustment(team, "vacancy", 2.0, monday, monday + timedelta(days=6))
    make.task(team=team, start=monday, due=monday + timedelta(days=4), effort=5)
    response = api.as_(viewer).get(f"/api/v1/teams/{team.id}/load?weeks=2")
    assert b"Infinity" not in response.get_data()
    first, second = response.get_json()["items"]
    assert first["capacity_hours"] == 0 and first["load_ratio"] is None
    assert second["load_ratio"] == 0
