"""GET /api/v1/dashboard/departments: SPEC §7 fields, the page's figures, roles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.workload import week_start
from tracker.services.calendar import BANK_HOLIDAYS

FIELDS = {
    "department_id",
    "name",
    "active_initiatives",
    "open_tasks",
    "overdue_tasks",
    "open_effort_hours",
    "capacity_hours_per_week",
    "peak_load_ratio",
    "overloaded_teams",
    "overloaded_team_ids",
    "overloaded",
}


def next_week_day() -> date:
    day = week_start(date.today()) + timedelta(weeks=1)
    while day in BANK_HOLIDAYS:
        day += timedelta(days=1)
    return day


@pytest.fixture
def council(make):
    care = make.department("Adult Social Care")
    make.department("Housing")
    team = make.team(department=care, capacity=10)
    make.team(department=care, capacity=30)
    initiative = make.initiative(departments=[care], status="rollout")
    day = next_week_day()
    make.task(team=team, initiative=initiative, start=day, due=day, effort=12)
    make.task(team=team, initiative=initiative, start=date.today() - timedelta(days=9),
              due=date.today() - timedelta(days=2), effort=3)  # fmt: skip
    return care, team


@pytest.mark.parametrize("role", ["director", "admin", "manager"])
def test_roles_that_see_load_get_one_item_per_department(api, make, council, role):
    care, team = council
    user = make.user(role, department=care if role == "manager" else None)
    response = api.as_(user).get("/api/v1/dashboard/departments")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["name"] for i in items] == ["Adult Social Care", "Housing"]
    assert all(set(i) == FIELDS for i in items)
    care_item = items[0]
    assert care_item == {
        "department_id": care.id,
        "name": "Adult Social Care",
        "active_initiatives": 1,
        "open_tasks": 2,
        "overdue_tasks": 1,
        "open_effort_hours": 15.0,
        "capacity_hours_per_week": 40.0,
        "peak_load_ratio": pytest.approx(12 / 40, abs=1e-4),
        "overloaded_teams": 1,
        "overloaded_team_ids": [team.id],
        "overloaded": False,
    }


def test_team_lead_is_refused(api, make, council):
    response = api.as_(make.user("team_lead")).get("/api/v1/dashboard/departments")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_no_token_is_401(client, council):
    response = client.get("/api/v1/dashboard/departments")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_api_and_page_agree(api, client, login_as, make, council):
    director = make.user("director")
    items = api.as_(director).get("/api/v1/dashboard/departments").get_json()["items"]
    login_as(user=director)
    csv_text = client.get("/dashboard/departments.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()[1:]
    assert [line.split(",")[2:5] for line in lines] == [
        [str(i["active_initiatives"]), str(i["open_tasks"]), str(i["overdue_tasks"])] for i in items
    ]
