"""Initiatives and their tasks through the API: create, filter, page, change, rate."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.models import Initiative, Task

TODAY = date.today()


def _body(dept_ids, **extra):
    return {
        "title": "National Service Framework for Older People",
        "source": "Department of Health",
        "kind": "framework",
        "summary": "Standards for older people's care.",
        "rationale": "So that older people get the same care wherever they live.",
        "budget_pence": 12_500_000,
        "start_date": (TODAY - timedelta(days=10)).isoformat(),
        "deadline": (TODAY + timedelta(days=200)).isoformat(),
        "status": "planning",
        "department_ids": dept_ids,
        **extra,
    }


def test_manager_records_an_initiative_owned_by_them(api, make):
    manager = make.user("manager")
    response = api.as_(manager).post("/api/v1/initiatives", json=_body([manager.department_id]))
    assert response.status_code == 201
    body = response.get_json()
    assert body["owner_id"] == manager.id
    assert body["department_ids"] == [manager.department_id]
    assert body["budget_pence"] == 12_500_000 and body["confidence"] is None
    again = api.as_(manager).get(f"/api/v1/initiatives/{body['id']}")
    assert again.get_json() == body


def test_initiative_filters_and_paging(api, make):
    manager = make.user("manager")
    other = make.department()
    make.initiative(owner=manager, status="planning", kind="funding")
    make.initiative(owner=manager, status="closed", kind="funding")
    make.initiative(departments=[other], status="planning", kind="inspection")
    caller = api.as_(make.user("team_lead"))

    def titles(query):
        response = caller.get(f"/api/v1/initiatives?{query}")
        assert response.status_code == 200, query
        return response.get_json()

    assert titles("")["total"] == 3
    assert titles("status=planning")["total"] == 2
    assert titles("kind=funding")["total"] == 2
    assert titles(f"department_id={other.id}")["total"] == 1
    assert titles(f"status=planning&department_id={manager.department_id}")["total"] == 1
    page = titles("per_page=2&page=2")
    assert len(page["items"]) == 1 and page["total"] == 3
    for query in ("status=dreaming", "kind=wish", "department_id=x", "per_page=500", "page=-1"):
        response = caller.get(f"/api/v1/initiatives?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["error"]["fields"], query


def test_initiative_bad_input_saves_nothing(api, make, session):
    manager = make.user("manager")
    dept = [manager.department_id]
    caller = api.as_(manager)
    cases = {
        "title": _body(dept, title="x" * 201),
        "rationale": _body(dept, rationale="x" * 10_001),
        "kind": _body(dept, kind="whim"),
        "status": _body(dept, status="dreaming"),
        "deadline": _body(dept, start_date="2026-05-01", deadline="2026-04-01"),
        "start_date": _body(dept, start_date="01/05/2026"),
        "department_ids": _body([]),
        "budget_pence": _body(dept, budget_pence=-1),
        "owner_id": _body(dept, owner_id=make.user("team_lead").id),
        "colour": _body(dept, colour="red"),
    }
    for field, body in cases.items():
        response = caller.post("/api/v1/initiatives", json=body)
        assert response.status_code == 422, field
        assert field in response.get_json()["error"]["fields"], field
    typed = caller.post("/api/v1/initiatives", json=_body(dept, budget_pence="lots", title=None))
    assert set(typed.get_json()["error"]["fields"]) == {"budget_pence", "title"}
    missing = caller.post("/api/v1/initiatives", json={})
    assert missing.status_code == 422
    assert {"title", "start_date", "deadline", "department_ids"} <= set(
        missing.get_json()["error"]["fields"]
    )
    assert session.scalar(select(func.count()).select_from(Initiative)) == 0


def test_patch_initiative_changes_only_what_is_sent(api, make, session):
    manager = make.user("manager")
    initiative = make.initiative(owner=manager, status="proposed")
    response = api.as_(manager).patch(
        f"/api/v1/initiatives/{initiative.id}", json={"status": "rollout", "budget_pence": None}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "rollout" and body["budget_pence"] is None
    assert body["title"] == initiative.title
    bad = api.as_(manager).patch(
        f"/api/v1/initiatives/{initiative.id}", json={"status": "closed", "deadline": "2000-01-01"}
    )
    assert bad.status_code == 422
    session.expire_all()
    assert session.get(Initiative, initiative.id).status == "rollout"
    assert api.as_(manager).patch("/api/v1/initiatives/999", json={}).status_code == 404


def test_initiative_tasks_list_and_create(api, make, session):
    manager = make.user("manager")
    team = make.team(department=manager.department)
    initiative = make.initiative(owner=manager)
    first = make.task(team=team, initiative=initiative, due=TODAY + timedelta(days=20))
    make.task(team=team, due=TODAY + timedelta(days=5))  # another initiative's
    caller = api.as_(manager)
    created = caller.post(
        f"/api/v1/initiatives/{initiative.id}/tasks",
        json={
            "title": "Train duty staff",
            "team_id": team.id,
            "effort_hours": 12.5,
            "start_date": TODAY.isoformat(),
            "due_date": (TODAY + timedelta(days=10)).isoformat(),
            "depends_on": [first.id],
            "note": "Agreed at the team meeting",
        },
    )
    assert created.status_code == 201
    task = created.get_json()
    assert task["initiative_id"] == initiative.id and task["depends_on"] == [first.id]
    assert task["version"] == 1 and task["status"] == "not_started"
    listed = caller.get(f"/api/v1/initiatives/{initiative.id}/tasks").get_json()
    assert [t["id"] for t in listed["items"]] == [task["id"], first.id]
    assert listed["total"] == 2
    history = caller.get(f"/api/v1/tasks/{task['id']}/updates").get_json()["items"]
    assert history[0]["note"] == "Agreed at the team meeting"
    assert caller.get("/api/v1/initiatives/999/tasks").status_code == 404


def test_task_create_bad_input_saves_nothing(api, make, session):
    manager = make.user("manager")
    team = make.team(department=manager.department)
    elsewhere = make.team()
    initiative = make.initiative(owner=manager)
    good = {
        "title": "Audit case files",
        "team_id": team.id,
        "effort_hours": 8,
        "start_date": "2026-06-01",
        "due_date": "2026-06-30",
    }
    cases = {
        "effort_hours": {**good, "effort_hours": 0},
        "due_date": {**good, "start_date": "2026-07-01"},
        "team_id": {**good, "team_id": elsewhere.id},
        "status": {**good, "status": "finished"},
        "blocked_reason": {**good, "status": "blocked"},
        "depends_on": {**good, "depends_on": [424242]},
        "description": {**good, "description": "d" * 10_001},
        "title": {**good, "title": "  "},
        "start_date": {**good, "start_date": "2026-02-30"},
    }
    url = f"/api/v1/initiatives/{initiative.id}/tasks"
    for field, body in cases.items():
        response = api.as_(manager).post(url, json=body)
        assert response.status_code == 422, field
        assert field in response.get_json()["error"]["fields"], field
    typed = api.as_(manager).post(url, json={**good, "effort_hours": "8", "depends_on": ["1"]})
    assert set(typed.get_json()["error"]["fields"]) == {"effort_hours", "depends_on"}
    nan = api.as_(manager).post(
        url, data='{"title": "t", "effort_hours": NaN}', content_type="application/json"
    )
    assert nan.status_code in (400, 422)
    assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_confidence_rating_by_the_owner_kept_as_history(api, make):
    owner = make.user("manager")
    initiative = make.initiative(owner=owner)
    url = f"/api/v1/initiatives/{initiative.id}/confidence"
    first = api.as_(owner).post(url, json={"rating": "amber", "comment": "Recruitment slow"})
    assert first.status_code == 201
    api.as_(owner).post(url, json={"rating": "green", "comment": "Posts filled"})
    history = api.as_(owner).get(url).get_json()["items"]
    assert [h["rating"] for h in history] == ["green", "amber"]
    current = api.as_(owner).get(f"/api/v1/initiatives/{initiative.id}").get_json()
    assert current["confidence"] == "green"
    colleague = make.user("manager", department=owner.department)
    assert api.as_(colleague).post(url, json={"rating": "red", "comment": "x"}).status_code == 403
    bad = api.as_(owner).post(url, json={"rating": "purple", "comment": ""})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"rating", "comment"}
    assert len(api.as_(owner).get(url).get_json()["items"]) == 2
