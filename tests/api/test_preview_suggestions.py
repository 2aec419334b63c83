"""POST /api/v1/tasks/preview answers SPEC §9's suggestions when a task would overload."""

from __future__ import annotations

from datetime import date

import pytest

MONDAY = date(2030, 3, 4)  # March 2030: no bank holidays


@pytest.fixture
def plan(make):
    care, housing = make.department("Adult Social Care"), make.department("Housing")
    manager = make.user("manager", department=care)
    full = make.team(department=care, capacity=20, name="Reablement")
    roomy = make.team(department=care, capacity=40, name="Hospital discharge")
    busy = make.team(department=care, capacity=10, name="Sensory")
    elsewhere = make.team(department=housing, capacity=100, name="Housing options")
    make.task(team=full, start=MONDAY, due=date(2030, 3, 15), effort=40)  # 20 h a week
    make.task(team=busy, start=MONDAY, due=date(2030, 3, 8), effort=9)
    both = make.initiative(owner=manager, departments=[care, housing])
    make.initiative(owner=manager, departments=[care], title="Care only")
    return manager, full, roomy, busy, elsewhere, both


def preview(api, manager, **body):
    return api.as_(manager).post("/api/v1/tasks/preview", json=body)


def test_an_overload_answers_a_later_start_and_teams_with_room(api, plan):
    manager, full, roomy, _busy, _elsewhere, _both = plan
    body = {"team_id": full.id, "effort_hours": 20, "start_date": "2030-03-04",
            "due_date": "2030-03-08"}  # fmt: skip
    answer = preview(api, manager, **body).get_json()
    assert answer["overloaded"] is True
    found = answer["suggestions"]
    # Weeks of 4 and 11 March are full: the first week with room is 18 March, 5 days.
    assert found["earliest_start"] == {"start_date": "2030-03-18", "due_date": "2030-03-22"}
    # Keeping the start, the week of 4 March is full whatever the due date.
    assert found["due_date_that_fits"] is None
    assert found["other_teams"] == [
        {"team_id": roomy.id, "name": "Hospital discharge", "peak_load_ratio_after": 0.5}
    ]


def test_the_initiative_widens_the_teams_searched(api, plan):
    manager, full, roomy, _busy, elsewhere, both = plan
    body = {"team_id": full.id, "effort_hours": 20, "start_date": "2030-03-04",
            "due_date": "2030-03-08", "initiative_id": both.id}  # fmt: skip
    found = preview(api, manager, **body).get_json()["suggestions"]
    assert [t["team_id"] for t in found["other_teams"]] == [elsewhere.id, roomy.id]


def test_a_due_date_that_fits_when_the_start_can_stay(api, make, plan):
    manager, _full, roomy, *_ = plan
    # 60 hours from 4 March in Hospital discharge (40 a week): 8 working days give 7.5 h
    # a day, 37.5 in the first week, so the earliest due date keeping the start is
    # Wednesday 13 March (7 days would put 42.9 hours in the first week).
    body = {"team_id": roomy.id, "effort_hours": 60, "start_date": "2030-03-04",
            "due_date": "2030-03-05"}  # fmt: skip
    found = preview(api, manager, **body).get_json()["suggestions"]
    assert found["due_date_that_fits"] == "2030-03-13"
    assert found["earliest_start"] is None or found["earliest_start"]["start_date"] > "2030-03-04"


def test_no_suggestions_when_it_fits(api, plan):
    manager, _full, roomy, *_ = plan
    body = {"team_id": roomy.id, "effort_hours": 5, "start_date": "2030-03-04",
            "due_date": "2030-03-08"}  # fmt: skip
    answer = preview(api, manager, **body).get_json()
    assert answer["overloaded"] is False and answer["suggestions"] is None


def test_the_preview_refuses_what_the_task_form_refuses(api, plan):
    manager, full, _roomy, _busy, elsewhere, both = plan
    good = {"team_id": full.id, "effort_hours": 5, "start_date": "2030-03-04",
            "due_date": "2030-03-08"}  # fmt: skip
    cases = {
        "start_date": {**good, "start_date": "1989-12-31"},
        "due_date": {**good, "due_date": "2101-01-01"},
        "effort_hours": {**good, "effort_hours": 1_000_001},
        "initiative_id": {**good, "initiative_id": 999_999},
    }
    for field, body in cases.items():
        response = preview(api, manager, **body)
        assert response.status_code == 422, field
        assert field in response.get_json()["error"]["fields"], field
    other = care_only()
    response = preview(api, manager, **{**good, "team_id": elsewhere.id, "initiative_id": other})
    assert response.status_code == 422
    assert "department the initiative affects" in response.get_json()["error"]["fields"]["team_id"]
    assert preview(api, manager, **{**good, "initiative_id": both.id}).status_code == 200


def care_only() -> int:
    """The initiative of Adult Social Care only (the Housing team is not its)."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Initiative

    return db.session.scalar(select(Initiative.id).where(Initiative.title == "Care only"))
