"""What the outside probe found, met through the API: each answer as a client sees it."""

from __future__ import annotations

import math
import time
from datetime import date, timedelta

import pytest

from tests.web import conftest as web_fixtures
from tests.web.conftest import snapshot

PREVIEW = "/api/v1/tasks/preview"
council = web_fixtures.council  # the page tests' small council, as a fixture here too


@pytest.fixture
def manager_api(api, council):
    return api.as_(council.manager)


def preview_body(council, **overrides):
    today = date.today()
    return {
        "team_id": council.team.id,
        "effort_hours": 10,
        "start_date": today.isoformat(),
        "due_date": (today + timedelta(days=10)).isoformat(),
    } | overrides


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"due_date": "9999-12-31"}, "due_date"),
        ({"start_date": "0500-01-01", "due_date": "2100-01-01"}, "start_date"),
        ({"start_date": "0001-01-01", "due_date": "9999-12-31"}, "start_date"),
        ({"effort_hours": 5e-324}, "effort_hours"),
        ({"effort_hours": 1e12}, "effort_hours"),
        ({"start_date": "2026-W01-1"}, "start_date"),
    ],
)
def test_preview_refuses_what_the_task_form_refuses_at_once(manager_api, council, overrides, field):
    started = time.perf_counter()
    response = manager_api.post(PREVIEW, json=preview_body(council, **overrides))
    assert time.perf_counter() - started < 5  # it took 7–17 s, then 500 (loaded CI: margin)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_preview_of_the_longest_allowed_task_stays_quick(manager_api, council):
    body = preview_body(council, start_date="2026-01-01", due_date="2030-12-31")
    started = time.perf_counter()
    response = manager_api.post(PREVIEW, json=body)
    assert time.perf_counter() - started < 2
    assert response.status_code == 200
    weeks = response.get_json()["weeks"]
    assert sum(w["after_hours"] - w["before_hours"] for w in weeks) == pytest.approx(10, abs=0.01)
    longer = manager_api.post(PREVIEW, json=preview_body(council, due_date="2100-12-31"))
    assert longer.status_code == 422
    assert "at most 5 years" in longer.get_json()["error"]["fields"]["due_date"]


def test_a_manager_who_may_edit_cannot_take_the_initiative_over(api, make, council, session):
    colleague = make.user("manager", department=council.dept)
    path = f"/api/v1/initiatives/{council.initiative.id}"
    before = snapshot("initiatives")
    response = api.as_(colleague).patch(path, json={"owner_id": colleague.id})
    assert response.status_code == 403
    assert "owner" in response.get_json()["error"]["message"]
    assert snapshot("initiatives") == before
    # Editing other fields stays allowed to them.
    assert api.as_(colleague).patch(path, json={"summary": "Updated"}).status_code == 200


def test_the_owner_or_an_admin_hands_an_initiative_over(api, make, council):
    colleague = make.user("manager", department=council.dept)
    path = f"/api/v1/initiatives/{council.initiative.id}"
    handed = api.as_(council.manager).patch(path, json={"owner_id": colleague.id})
    assert handed.status_code == 200 and handed.get_json()["owner_id"] == colleague.id
    admin = api.as_(make.user("admin"))
    back = admin.patch(path, json={"owner_id": council.manager.id})
    assert back.status_code == 200 and back.get_json()["owner_id"] == council.manager.id
    assert admin.patch(path, json={"title": "Renamed by admin"}).status_code == 403


@pytest.mark.parametrize("name", ["Line\nbreak", "Return\r", "NUL\x00byte", "Tab\tname"])
def test_one_line_fields_refuse_control_characters(api, make, council, name):
    admin = api.as_(make.user("admin"))
    before = snapshot("teams", "departments", "users")
    team = admin.patch(f"/api/v1/teams/{council.team.id}", json={"name": name})
    assert team.status_code == 422
    assert "name" in team.get_json()["error"]["fields"]
    dept = admin.post("/api/v1/departments", json={"name": name})
    assert dept.status_code == 422
    user = admin.patch(f"/api/v1/users/{council.lead.id}", json={"display_name": name})
    assert user.status_code == 422
    task = api.as_(council.manager).patch(
        f"/api/v1/tasks/{council.task.id}", json={"title": name, "version": council.task.version}
    )
    assert task.status_code == 422
    assert snapshot("teams", "departments", "users") == before


def test_tiny_capacity_is_refused_and_load_is_always_finite(api, make, council):
    admin = api.as_(make.user("admin"))
    for capacity in (5e-324, 0.05, 0, 1e9):
        response = admin.patch(
            f"/api/v1/teams/{council.team.id}", json={"capacity_hours_per_week": capacity}
        )
        assert response.status_code == 422, capacity
    assert (
        admin.patch(
            f"/api/v1/teams/{council.team.id}", json={"capacity_hours_per_week": 0.1}
        ).status_code
        == 200
    )
    load = admin.get(f"/api/v1/teams/{council.team.id}/load?weeks=4")
    assert load.status_code == 200
    assert b"Infinity" not in load.data and b"NaN" not in load.data
    assert all(math.isfinite(w["load_ratio"]) for w in load.get_json()["items"])


@pytest.mark.parametrize("value", ["2026-W01-1", "2026-001", "20260105", "2026-01-05T00:00"])
def test_only_year_month_day_dates_are_accepted(manager_api, council, value):
    response = manager_api.patch(
        f"/api/v1/tasks/{council.task.id}", json={"due_date": value, "version": 1}
    )
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.get_json()["error"]["fields"]["due_date"]
    listed = manager_api.get(f"/api/v1/tasks?due_before={value}")
    assert listed.status_code == 422


def test_the_holder_revokes_their_token(api, council):
    caller = api.as_(council.lead)
    assert caller.get("/api/v1/me").status_code == 200
    assert caller.delete("/api/v1/tokens/current").status_code == 204
    assert caller.get("/api/v1/me").status_code == 401
    assert caller.delete("/api/v1/tokens/current").status_code == 401


def test_api_answers_are_not_cached(api, council):
    response = api.as_(council.lead).get("/api/v1/me")
    assert response.headers["Cache-Control"] == "no-store"
    assert api.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # 401 too


def test_the_last_active_admin_cannot_deactivate_themselves(api, make):
    admin = make.user("admin")
    caller = api.as_(admin)
    refused = caller.patch(f"/api/v1/users/{admin.id}", json={"active": False})
    assert refused.status_code == 409
    assert "last active administrator" in refused.get_json()["error"]["message"]
    demoted = caller.patch(f"/api/v1/users/{admin.id}", json={"role": "director"})
    assert demoted.status_code == 409
    other = make.user("admin")
    assert caller.patch(f"/api/v1/users/{admin.id}", json={"active": False}).status_code == 200
    assert api.as_(other).get("/api/v1/users").status_code == 200


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (" " * 10, "only spaces"),
        ("aaaaaaaaaa", "repeats"),
        ("password12", "common"),
        ("new.starter-2026", "username"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(api, make, password, reason):
    admin = api.as_(make.user("admin"))
    body = {
        "username": "new.starter",
        "display_name": "New Starter",
        "role": "director",
        "password": password,
    }
    response = admin.post("/api/v1/users", json=body)
    assert response.status_code == 422
    assert reason in response.get_json()["error"]["fields"]["password"]
    body["password"] = "kettle orbit marmalade"
    assert admin.post("/api/v1/users", json=body).status_code == 201
