"""The team lead's queue and the team page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.web.conftest import count_queries


def test_queue_lists_open_tasks_overdue_first_then_by_due(client, login_as, make, council):
    today = date.today()
    make.task(
        team=council.team,
        initiative=council.initiative,
        title="Due later",
        due=today + timedelta(days=30),
    )
    make.task(
        team=council.team,
        initiative=council.initiative,
        title="Long overdue",
        due=today - timedelta(days=20),
    )
    make.task(team=council.team, initiative=council.initiative, title="Finished", status="done")
    make.task(team=council.other_team, title="Not my team")
    login_as(user=council.lead)
    page = client.get("/my-tasks").get_data(as_text=True)
    queue = page[page.index('id="queue"') : page.index("Recently done")]
    assert (
        queue.index("Long overdue")
        < queue.index("Train reablement staff")
        < queue.index("Due later")
    )
    assert "Overdue" in queue
    assert "Not my team" not in page
    assert "Finished" not in queue and "Recently done" in page
    # each row carries the one-step status form back to the queue
    assert f'action="/tasks/{council.task.id}/status"' in queue
    assert 'name="next" value="/my-tasks"' in queue


def test_queue_shows_each_led_teams_load_with_overload_in_words(client, login_as, make, council):
    second = make.team(
        department=council.other_dept, lead=council.lead, name="Second team", capacity=1
    )
    make.task(team=second, effort=40, due=date.today() + timedelta(days=3), start=date.today())
    login_as(user=council.lead)
    page = client.get("/my-tasks").get_data(as_text=True)
    load = page[page.index("Your teams' load") :]
    assert "Reablement: the coming 8 weeks" in load and "Second team: the coming 8 weeks" in load
    assert "Yes, over capacity" in load
    assert load.count("Week starting") == 2


def test_queue_for_a_lead_without_teams(client, login_as):
    login_as("team_lead")
    page = client.get("/my-tasks").get_data(as_text=True)
    assert "You do not lead a team yet" in page


@pytest.mark.parametrize("role", ["admin", "director", "manager"])
def test_queue_is_for_team_leads_only(client, login_as, role):
    login_as(role)
    response = client.get("/my-tasks")
    assert response.status_code == 403
    assert "You cannot do this" in response.get_data(as_text=True)


def test_queue_runs_a_fixed_number_of_queries(client, login_as, make, council):
    login_as(user=council.lead)
    client.get("/my-tasks")
    with count_queries() as few:
        client.get("/my-tasks")
    for n in range(6):
        initiative = make.initiative(owner=council.manager, departments=[council.dept])
        make.task(team=council.team, initiative=initiative, due=date.today() + timedelta(days=n))
    make.task(team=council.team, initiative=council.initiative, status="done")
    with count_queries() as many:
        client.get("/my-tasks")
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["admin", "director", "manager", "team_lead"])
def test_team_page_for_every_role(client, login_as, council, role):
    login_as(role)
    page = client.get(f"/teams/{council.team.id}").get_data(as_text=True)
    assert "Reablement" in page and "Adult Social Care" in page and "Lee Lead" in page
    assert "20 hours a week" in page and "Train reablement staff" in page
    assert "Planned hours" in page


def test_team_page_404(client, login_as):
    login_as("manager")
    assert client.get("/teams/9999").status_code == 404


def test_pages_need_sign_in(client, council):
    for url in (
        "/my-tasks",
        f"/teams/{council.team.id}",
        "/initiatives",
        f"/tasks/{council.task.id}",
        "/admin/users",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_long_queues_show_the_most_urgent_first_and_say_how_many(session, make, council):
    from tracker.queries.pages import open_tasks_of_teams

    make.task(
        team=council.team,
        initiative=council.initiative,
        title="Overdue",
        due=date.today() - timedelta(days=1),
    )
    make.task(
        team=council.team,
        initiative=council.initiative,
        title="Later",
        due=date.today() + timedelta(days=99),
    )
    tasks, total = open_tasks_of_teams(session, [council.team.id], date.today(), limit=2)
    assert total == 3
    assert [t.title for t in tasks] == ["Overdue", "Train reablement staff"]
