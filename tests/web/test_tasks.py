"""The task pages: planning with the team's load in view, editing, status and history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.web.conftest import count_queries, date_parts, snapshot
from tracker.models import Task, TaskUpdate
from tracker.services.load import task_shares

MONDAY = date.today() - timedelta(days=date.today().weekday()) + timedelta(weeks=2)


def task_form(council, **overrides) -> dict:
    data = {
        "title": "Set up joint assessment",
        "description": "With the PCT.",
        "team_id": str(council.team.id),
        "effort_hours": "10",
        "start_date": date_parts(MONDAY),
        "due_date": date_parts(MONDAY + timedelta(days=4)),
        "status": "not_started",
        "blocked_reason": "",
        "note": "",
        "other_depends_on": "",
        "submit": "Save task",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def history(session, task_id: int) -> list[TaskUpdate]:
    return list(session.query(TaskUpdate).filter_by(task_id=task_id).order_by(TaskUpdate.id).all())


def test_manager_plans_a_task_with_dependencies(client, login_as, session, make, council):
    elsewhere = make.task(team=council.other_team)
    login_as(user=council.manager)
    url = f"/initiatives/{council.initiative.id}/tasks/new"
    page = client.get(url).get_data(as_text=True)
    assert "Reablement" in page and "Fostering" not in page  # only affected departments' teams
    assert f"#{council.task.id} Train reablement staff" in page
    data = task_form(council, depends_on=[str(council.task.id)], other_depends_on=f"{elsewhere.id}")
    response = client.post(url, data=data)
    assert response.status_code == 302
    task = session.query(Task).filter_by(title="Set up joint assessment").one()
    assert sorted(t.id for t in task.depends_on) == sorted([council.task.id, elsewhere.id])
    assert task.effort_hours == 10 and task.start_date == MONDAY
    assert history(session, task.id)[0].new_status == "not_started"


def test_check_team_load_previews_without_saving(client, login_as, council):
    login_as(user=council.manager)
    before = snapshot("tasks", "task_updates", "task_week_loads", "team_week_loads")
    data = task_form(council, effort_hours="30", check_load="Check team load")
    del data["submit"]
    response = client.post(f"/initiatives/{council.initiative.id}/tasks/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="load-preview"' in page
    # 30 hours in one week against 20 hours of capacity: 1.50, flagged in words
    assert "1.50" in page and "Yes, over capacity" in page and "would be over capacity" in page
    assert 'value="Set up joint assessment"' in page  # the form keeps what was typed
    assert snapshot("tasks", "task_updates", "task_week_loads", "team_week_loads") == before


def test_check_team_load_within_capacity(client, login_as, council):
    login_as(user=council.manager)
    data = task_form(council, effort_hours="5", check_load="Check team load")
    del data["submit"]
    page = client.post(f"/initiatives/{council.initiative.id}/tasks/new", data=data).get_data(
        as_text=True
    )
    assert "stays within capacity" in page and "Yes, over capacity" not in page


def test_check_team_load_with_missing_fields_shows_errors(client, login_as, council):
    login_as(user=council.manager)
    data = task_form(council, effort_hours="", team_id="", check_load="Check team load")
    del data["submit"]
    response = client.post(f"/initiatives/{council.initiative.id}/tasks/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page and "Select a team to check its load" in page
    assert "Effort must be more than 0 hours" in page


def test_saving_over_capacity_records_the_choice(client, login_as, session, council):
    login_as(user=council.manager)
    data = task_form(council, effort_hours="30", note="Urgent for the inspection")
    assert (
        client.post(f"/initiatives/{council.initiative.id}/tasks/new", data=data).status_code == 302
    )
    task = session.query(Task).filter_by(title="Set up joint assessment").one()
    note = history(session, task.id)[0].note
    assert note.startswith("Urgent for the inspection")
    assert f"Saved although Reablement is over capacity in weeks starting {MONDAY:%d %b %Y}" in note


def test_saving_within_capacity_adds_no_remark(client, login_as, session, council):
    login_as(user=council.manager)
    client.post(f"/initiatives/{council.initiative.id}/tasks/new", data=task_form(council))
    task = session.query(Task).filter_by(title="Set up joint assessment").one()
    assert "over capacity" not in history(session, task.id)[0].note


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "Enter a title"),
        ({"title": "t" * 201}, "200 characters or fewer"),
        ({"description": "d" * 10_001}, "10,000 characters or fewer"),
        ({"note": "n" * 10_001}, "10,000 characters or fewer"),
        ({"effort_hours": "0"}, "from 0.1 to 1,000,000 hours"),
        ({"effort_hours": "1e-300"}, "from 0.1 to 1,000,000 hours"),
        ({"effort_hours": "lots"}, "must be a number"),
        ({"effort_hours": "nan"}, "must be a number"),
        ({"due_date": None}, "Enter the due date"),
        ({"start_date": ["1"]}, "must include a day, month and year"),
        ({"due_date": date_parts(MONDAY - timedelta(days=1))}, "same as or after the start date"),
        ({"start_date": ["1", "1", "1066"]}, "between 1990 and 2100"),
        ({"status": "blocked"}, "Say why the task is blocked"),
        ({"other_depends_on": "12; drop table"}, "Enter task numbers separated by commas"),
        ({"other_depends_on": "99999"}, "No such task: 99999"),
        ({"team_id": "99999"}, "Not a valid choice"),
    ],
)
def test_bad_task_input_gets_a_form_error_and_saves_nothing(
    client, login_as, council, overrides, message
):
    login_as(user=council.manager)
    before = snapshot("tasks", "task_updates", "task_dependencies")
    response = client.post(
        f"/initiatives/{council.initiative.id}/tasks/new", data=task_form(council, **overrides)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "govuk-error-summary" in page and message in page
    assert snapshot("tasks", "task_updates", "task_dependencies") == before


def test_team_of_an_unaffected_department_is_refused(client, login_as, council):
    login_as(user=council.manager)
    response = client.post(
        f"/initiatives/{council.initiative.id}/tasks/new",
        data=task_form(council, team_id=str(council.other_team.id)),
    )
    assert response.status_code == 422  # not even offered as a choice


def test_edit_task_plan_records_changes(client, login_as, session, council):
    login_as(user=council.manager)
    task = council.task
    url = f"/tasks/{task.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page or 'value="1"' in page
    data = task_form(council, title="Train all reablement staff", effort_hours="12")
    data["version"] = "1"
    data["start_date"] = date_parts(task.start_date)
    data["due_date"] = date_parts(task.due_date)
    assert client.post(url, data=data).status_code == 302
    task = session.get(Task, task.id)
    assert task.title == "Train all reablement staff" and task.effort_hours == 12
    assert task.version == 2
    entry = history(session, task.id)[-1]
    assert "Renamed from “Train reablement staff” to “Train all reablement staff”." in entry.changes
    assert "Effort changed from 8 hours to 12 hours." in entry.changes


def test_edit_with_a_stale_version_saves_nothing(client, login_as, session, council):
    login_as(user=council.manager)
    data = task_form(council, title="Someone else's idea")
    data["version"] = "0"
    before = snapshot("tasks", "task_updates")
    response = client.post(f"/tasks/{council.task.id}/edit", data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this task" in page and "Changed since you opened the form" in page
    assert "reload" not in page.lower()
    assert snapshot("tasks", "task_updates") == before


def test_edit_refuses_a_dependency_cycle(client, login_as, make, council):
    later = make.task(team=council.team, initiative=council.initiative)
    later.depends_on = [council.task]
    make.session.commit()
    login_as(user=council.manager)
    data = task_form(council, depends_on=[str(later.id)], version="1")
    data["start_date"] = date_parts(council.task.start_date)
    data["due_date"] = date_parts(council.task.due_date)
    response = client.post(f"/tasks/{council.task.id}/edit", data=data)
    assert response.status_code == 422
    assert "would make a cycle" in response.get_data(as_text=True)


def test_task_page_shows_history_newest_first(client, login_as, session, council):
    login_as(user=council.lead)
    url = f"/tasks/{council.task.id}/status"
    client.post(url, data={"status": "in_progress", "note": "Started", "version": "1"})
    client.post(
        url, data={"status": "in_progress", "note": "Half the staff trained", "version": "2"}
    )
    page = client.get(f"/tasks/{council.task.id}").get_data(as_text=True)
    assert page.index("Half the staff trained") < page.index("Started")
    assert "Not started → In progress" in page and "Lee Lead" in page


def test_task_page_links_dependencies(client, login_as, make, council):
    first = make.task(team=council.team, initiative=council.initiative, title="Agree the protocol")
    council.task.depends_on = [first]
    make.session.commit()
    login_as(user=council.other_lead)
    page = client.get(f"/tasks/{council.task.id}").get_data(as_text=True)
    assert f'href="/tasks/{first.id}"' in page and "Agree the protocol" in page
    # another team's lead sees the task but no status form
    assert "Update status or add a note" not in page


def test_task_page_runs_a_fixed_number_of_queries(client, login_as, make, council):
    login_as(user=council.lead)
    url = f"/tasks/{council.task.id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    status_url = f"/tasks/{council.task.id}/status"
    for version in range(1, 6):
        client.post(
            status_url,
            data={"status": "in_progress", "note": f"n{version}", "version": str(version)},
        )
    for _ in range(3):
        dep = make.task(team=council.team)
        council.task.depends_on.append(dep)
    make.session.commit()
    with count_queries() as many:
        client.get(url)
    assert len(many) == len(few)


def test_lead_marks_blocked_with_a_reason_in_one_step(client, login_as, session, council):
    login_as(user=council.lead)
    response = client.post(
        f"/tasks/{council.task.id}/status",
        data={
            "status": "blocked",
            "blocked_reason": "No trainer",
            "note": "Asked HR",
            "version": "1",
            "next": "/my-tasks",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my-tasks"
    task = session.get(Task, council.task.id)
    assert task.status == "blocked" and task.blocked_reason == "No trainer"
    entry = history(session, task.id)[-1]
    assert (entry.old_status, entry.new_status, entry.note) == (
        "not_started",
        "blocked",
        "Asked HR",
    )


def test_blocked_without_a_reason_is_refused(client, login_as, council):
    login_as(user=council.lead)
    before = snapshot("tasks", "task_updates")
    response = client.post(
        f"/tasks/{council.task.id}/status", data={"status": "blocked", "version": "1"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page and "Say why the task is blocked" in page
    assert snapshot("tasks", "task_updates") == before


def test_status_with_a_stale_version_is_refused(client, login_as, council):
    login_as(user=council.lead)
    before = snapshot("tasks", "task_updates")
    response = client.post(
        f"/tasks/{council.task.id}/status", data={"status": "done", "version": "7"}
    )
    assert response.status_code == 409
    assert "Someone else saved this task" in response.get_data(as_text=True)
    assert snapshot("tasks", "task_updates") == before


@pytest.mark.parametrize(
    "data, message",
    [
        ({"status": "not_started", "version": "1"}, "Change something or add a note"),
        ({"status": "done", "note": "x" * 10_001, "version": "1"}, "10,000 characters or fewer"),
        ({"status": "finished", "version": "1"}, "Not a valid choice"),
        ({"status": "done"}, "Someone else saved this task"),
    ],
)
def test_bad_status_updates_save_nothing(client, login_as, council, data, message):
    login_as(user=council.lead)
    before = snapshot("tasks", "task_updates")
    response = client.post(f"/tasks/{council.task.id}/status", data=data)
    assert response.status_code in (409, 422)
    assert message in response.get_data(as_text=True)
    assert snapshot("tasks", "task_updates") == before


def test_status_redirect_ignores_foreign_next(client, login_as, council):
    login_as(user=council.lead)
    response = client.post(
        f"/tasks/{council.task.id}/status",
        data={"status": "in_progress", "version": "1", "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == f"/tasks/{council.task.id}"


def test_done_task_leaves_the_stored_load(client, login_as, session, council):
    login_as(user=council.lead)
    client.post(f"/tasks/{council.task.id}/status", data={"status": "done", "version": "1"})
    task = session.get(Task, council.task.id)
    assert task.completed_at is not None and task_shares(task) == {}
    assert snapshot("task_week_loads")["task_week_loads"] == []


def test_unknown_task_is_404(client, login_as, council):
    login_as(user=council.manager)
    assert client.get("/tasks/9999").status_code == 404
    assert client.get("/tasks/9999/edit").status_code == 404
    assert client.post("/tasks/9999/status", data={"status": "done"}).status_code == 404
    assert client.get("/initiatives/9999/tasks/new").status_code == 404


def test_task_page_links_to_its_team_as_html_not_escaped_text(client, make, login_as):
    task = make.task()
    login_as("director")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'<a class="govuk-link" href="/teams/{task.team_id}">' in html
    assert "&lt;a class" not in html
