"""GET /api/v1/dashboard/departments: SPEC §7 fields, the page's figures, roles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.capacity import week_working_days
from tracker.domain.workload import horizon, week_start
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
    "peak_team_load_ratio",
    "worst_team_id",
    "establishment_fte",
    "vacant_fte",
    "vacancy_rate",
    "capacity_lost_hours",
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
    # Capacity in next week is scaled to its working days (SPEC §9).
    days = len(week_working_days(week_start(next_week_day()), BANK_HOLIDAYS))
    assert care_item == {
        "department_id": care.id,
        "name": "Adult Social Care",
        "active_initiatives": 1,
        "open_tasks": 2,
        "overdue_tasks": 1,
        "open_effort_hours": 15.0,
        "capacity_hours_per_week": 40.0,
        "peak_load_ratio": pytest.approx(12 / (40 * days / 5), abs=1e-4),
        "overloaded_teams": 1,
        "overloaded_team_ids": [team.id],
        "peak_team_load_ratio": pytest.approx(12 / (10 * days / 5), abs=1e-4),
        "worst_team_id": team.id,
        "establishment_fte": None,
        "vacant_fte": None,
        "vacancy_rate": None,
        "capacity_lost_hours": 0.0,
        "overloaded": False,
    }
    assert items[1]["worst_team_id"] is None and items[1]["peak_team_load_ratio"] == 0


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


def test_staffing_figures_and_the_worst_team_beside_the_average(api, make):
    """Two teams: one fine, one with a fifth of its posts vacant and work it cannot do."""
    care = make.department("Children's Services")
    fine = make.team(department=care, capacity=100, establishment=10, name="Fostering")
    short = make.team(department=care, capacity=40, establishment=5, name="Safeguarding")
    monday = week_start(date.today())
    make.adjustment(short, "vacancy", 1.0, monday - timedelta(days=30))
    make.adjustment(short, "agency_cover", 0.5, monday - timedelta(days=30))
    make.adjustment(fine, "absence", 1.0, monday, monday + timedelta(days=4))
    initiative = make.initiative(departments=[care], status="rollout")
    make.task(team=short, initiative=initiative, start=monday, due=monday + timedelta(days=4),
              effort=60)  # fmt: skip
    item = (
        api.as_(make.user("director")).get("/api/v1/dashboard/departments").get_json()["items"][0]
    )
    days = len(week_working_days(monday, BANK_HOLIDAYS))
    short_capacity = (40 - 8 * 0.5) * days / 5
    assert item["peak_team_load_ratio"] == pytest.approx(60 / short_capacity, abs=1e-4)
    assert item["peak_load_ratio"] < item["peak_team_load_ratio"]
    assert item["worst_team_id"] == short.id and item["overloaded_team_ids"] == [short.id]
    assert item["establishment_fte"] == 15
    assert item["vacant_fte"] == 1.0
    assert item["vacancy_rate"] == pytest.approx(1 / 15, abs=1e-4)
    # Over the horizon: the net half post of Safeguarding in every week (4 hours a full
    # week) and Fostering's absent post (10 hours) in this week only.
    weeks = horizon(date.today(), 8)
    lost = sum(4 * len(week_working_days(w, BANK_HOLIDAYS)) / 5 for w in weeks) + 10 * days / 5
    assert item["capacity_lost_hours"] == pytest.approx(lost, abs=0.01)


def test_a_team_with_work_and_no_capacity_is_null_not_infinity(api, make):
    care = make.department("Mental Health")
    team = make.team(department=care, capacity=10, establishment=1)
    monday = week_start(date.today())
    make.adjustment(team, "absence", 1.0, monday - timedelta(days=7))
    make.task(team=team, start=monday, due=monday + timedelta(days=4), effort=5)
    response = api.as_(make.user("director")).get("/api/v1/dashboard/departments")
    assert b"Infinity" not in response.get_data()
    item = response.get_json()["items"][0]
    assert item["peak_team_load_ratio"] is None and item["peak_load_ratio"] is None
    assert item["overloaded_team_ids"] == [team.id] and item["overloaded"] is True
