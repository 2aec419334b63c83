"""Tasks through the API: filters, paging, optimistic locking, history, load preview."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event, func, select

from tracker.domain.workload import week_start
from tracker.extensions import db
from tracker.models import Task, TaskUpdate

TODAY = date.today()


@contextmanager
def count_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _plan(make):
    manager = make.user("manager")
    lead = make.user("team_lead")
    team = make.team(department=manager.department, lead=lead, capacity=20)
    initiative = make.initiative(owner=manager)
    task = make.task(team=team, initiative=initiative, effort=10)
    return manager, lead, team, initiative, task


def test_task_filters(api, make):
    manager, lead, team, initiative, task = _plan(make)
    other_team = make.team(department=manager.department)
    done = make.task(team=team, initiative=initiative, status="done", due=TODAY + timedelta(3))
    late = make.task(team=other_team, initiative=initiative, due=TODAY - timedelta(2))
    elsewhere = make.task()
    caller = api.as_(lead)

    def ids(query):
        response = caller.get(f"/api/v1/tasks?{query}")
        assert response.status_code == 200, query
        return [t["id"] for t in response.get_json()["items"]]

    assert ids("")[0] == late.id  # overdue first
    assert set(ids("")) == {task.id, done.id, late.id, elsewhere.id}
    assert set(ids(f"team_id={team.id}")) == {task.id, done.id}
    assert ids("status=done") == [done.id]
    assert set(ids(f"initiative_id={initiative.id}")) == {task.id, done.id, late.id}
    assert ids(f"due_before={TODAY.isoformat()}") == [late.id]
    assert set(ids(f"team_id={team.id}&status=not_started")) == {task.id}
    for query in ("status=finished", "team_id=x", "due_before=tomorrow", "due_before=2026-13-01"):
        response = caller.get(f"/api/v1/tasks?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["error"]["fields"], query


def test_task_list_pages_with_a_fixed_number_of_queries(api, make):
    _manager, lead, team, initiative, first = _plan(make)
    caller = api.as_(lead)

    def queries_for_page():
        with count_queries() as statements:
            response = caller.get("/api/v1/tasks?per_page=200")
        assert response.status_code == 200
        return len(statements), response.get_json()

    small, _ = queries_for_page()
    previous = first
    for _ in range(12):
        previous = make.task(team=team, initiative=initiative, depends_on=[previous])
    large, body = queries_for_page()
    assert body["total"] == 13 and len(body["items"]) == 13
    assert large == small
    assert any(item["depends_on"] for item in body["items"])


def test_paging_limits(api, make):
    caller = api.as_(make.user("director"))
    team = make.team()
    for _ in range(3):
        make.task(team=team)
    page = caller.get("/api/v1/tasks?per_page=2&page=2").get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)
    beyond = caller.get("/api/v1/tasks?page=9").get_json()
    assert beyond["items"] == [] and beyond["total"] == 3
    assert caller.get("/api/v1/tasks").get_json()["per_page"] == 50
    for query in ("per_page=201", "per_page=0", "page=0", "page=abc"):
        assert caller.get(f"/api/v1/tasks?{query}").status_code == 422, query


def test_get_task_and_404(api, make):
    _manager, lead, _team, _initiative, task = _plan(make)
    body = api.as_(lead).get(f"/api/v1/tasks/{task.id}").get_json()
    assert body["id"] == task.id and body["version"] == task.version
    assert api.as_(lead).get("/api/v1/tasks/999").status_code == 404
    assert api.as_(lead).get("/api/v1/tasks/99999999999999").status_code == 404


def test_team_lead_blocks_own_task_with_version(api, make, session):
    _manager, lead, _team, _initiative, task = _plan(make)
    caller = api.as_(lead)
    response = caller.patch(
        f"/api/v1/tasks/{task.id}",
        json={
            "status": "blocked",
            "blocked_reason": "Waiting for the new case system",
            "note": "Raised with IT",
            "version": task.version,
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "blocked" and body["version"] == 2
    history = caller.get(f"/api/v1/tasks/{task.id}/updates").get_json()["items"]
    last = history[-1]
    assert (last["old_status"], last["new_status"], last["note"], last["user_id"]) == (
        "not_started",
        "blocked",
        "Raised with IT",
        lead.id,
    )
    no_reason = caller.patch(
        f"/api/v1/tasks/{task.id}",
        json={"status": "blocked", "blocked_reason": " ", "version": body["version"]},
    )
    assert no_reason.status_code == 422
    assert "blocked_reason" in no_reason.get_json()["error"]["fields"]


def test_missing_or_stale_version_is_409_and_changes_nothing(api, make, session):
    manager, lead, _team, _initiative, task = _plan(make)
    url = f"/api/v1/tasks/{task.id}"
    missing = api.as_(manager).patch(url, json={"title": "Renamed"})
    assert missing.status_code == 409
    assert missing.get_json()["error"]["code"] == "conflict"
    assert "version" in missing.get_json()["error"]["fields"]
    assert api.as_(lead).patch(url, json={"status": "done", "version": 1}).status_code == 200
    stale = api.as_(manager).patch(url, json={"title": "Renamed", "version": 1})
    assert stale.status_code == 409
    session.expire_all()
    current = session.get(Task, task.id)
    assert current.title == task.title and current.status == "done" and current.version == 2
    assert session.scalar(select(func.count()).select_from(TaskUpdate)) == 1
    typed = api.as_(manager).patch(url, json={"title": "Renamed", "version": "2"})
    assert typed.status_code == 422 and "version" in typed.get_json()["error"]["fields"]


def test_manager_replans_task_and_history_records_it(api, make, session):
    manager, _lead, _team, _initiative, task = _plan(make)
    other_team = make.team(department=manager.department)
    new_due = (TODAY + timedelta(days=40)).isoformat()
    response = api.as_(manager).patch(
        f"/api/v1/tasks/{task.id}",
        json={"team_id": other_team.id, "due_date": new_due, "effort_hours": 30, "version": 1},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["team_id"], body["due_date"], body["effort_hours"]) == (other_team.id, new_due, 30)
    changes = api.as_(manager).get(f"/api/v1/tasks/{task.id}/updates").get_json()["items"][-1]
    assert "Moved from" in changes["changes"] and "Due date moved" in changes["changes"]


def test_dependency_cycle_is_refused(api, make, session):
    manager, _lead, team, initiative, a = _plan(make)
    b = make.task(team=team, initiative=initiative, depends_on=[a])
    c = make.task(team=team, initiative=initiative, depends_on=[b])
    caller = api.as_(manager)
    cycle = caller.patch(f"/api/v1/tasks/{a.id}", json={"depends_on": [c.id], "version": 1})
    assert cycle.status_code == 422
    assert "cycle" in cycle.get_json()["error"]["fields"]["depends_on"]
    itself = caller.patch(f"/api/v1/tasks/{a.id}", json={"depends_on": [a.id], "version": 1})
    assert itself.status_code == 422
    session.expire_all()
    assert session.get(Task, a.id).depends_on == []


def test_patch_bad_input(api, make, session):
    manager, _lead, _team, _initiative, task = _plan(make)
    url = f"/api/v1/tasks/{task.id}"
    cases = {
        "effort_hours": {"effort_hours": -1},
        "due_date": {"start_date": "2030-01-02", "due_date": "2030-01-01"},
        "status": {"status": "cancelled"},
        "note": {"note": "n" * 10_001},
        "id": {"id": 5},
        "team_id": {"team_id": "one"},
    }
    for field, changes in cases.items():
        response = api.as_(manager).patch(url, json={**changes, "version": 1})
        assert response.status_code == 422, field
        assert field in response.get_json()["error"]["fields"], field
    nothing = api.as_(manager).patch(url, json={"version": 1})
    assert nothing.status_code == 422
    assert api.as_(manager).patch("/api/v1/tasks/999", json={"version": 1}).status_code == 404
    session.expire_all()
    assert session.get(Task, task.id).version == 1


def test_preview_shows_before_and_after(api, make, app):
    manager, _lead, team, _initiative, task = _plan(make)
    monday = week_start(TODAY) + timedelta(weeks=2)
    body = {
        "team_id": team.id,
        "effort_hours": 50,
        "start_date": monday.isoformat(),
        "due_date": (monday + timedelta(days=4)).isoformat(),
    }
    response = api.as_(manager).post("/api/v1/tasks/preview", json=body)
    assert response.status_code == 200
    preview = response.get_json()
    assert preview["team_id"] == team.id
    week = preview["weeks"][0]
    assert week["week_start"] == monday.isoformat() and week["capacity_hours"] == 20
    assert week["after_hours"] > week["before_hours"]
    assert week["after_ratio"] == round(week["after_hours"] / 20, 4)
    assert preview["overloaded"] is (week["after_ratio"] > app.config["OVERLOAD_THRESHOLD"])
    moved = api.as_(manager).post(
        "/api/v1/tasks/preview",
        json={**body, "task_id": task.id, "effort_hours": task.effort_hours},
    )
    assert moved.status_code == 200
    assert session_unchanged(make, task)


def session_unchanged(make, task) -> bool:
    stored = make.session.get(Task, task.id)
    make.session.refresh(stored)
    return stored.version == 1


def test_preview_bad_input(api, make):
    manager, _lead, team, _initiative, _task = _plan(make)
    good = {
        "team_id": team.id,
        "effort_hours": 5,
        "start_date": "2030-01-07",
        "due_date": "2030-01-11",
    }
    caller = api.as_(manager)
    cases = {
        "team_id": {**good, "team_id": 999},
        "effort_hours": {**good, "effort_hours": 0},
        "due_date": {**good, "due_date": "2030-01-01"},
        "start_date": {**good, "start_date": "soon"},
        "extra": {**good, "extra": 1},
    }
    for field, body in cases.items():
        response = caller.post("/api/v1/tasks/preview", json=body)
        assert response.status_code == 422, field
        assert field in response.get_json()["error"]["fields"], field
    missing = caller.post("/api/v1/tasks/preview", json={"team_id": team.id})
    assert set(missing.get_json()["error"]["fields"]) == {"effort_hours", "start_date", "due_date"}
    assert caller.post("/api/v1/tasks/preview", json={**good, "task_id": 999}).status_code == 404
