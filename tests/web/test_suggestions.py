"""Check team load on the task form offers SPEC §9's suggestions, each a one-click
"Use this" that fills the form and saves nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.web.conftest import date_parts
from tracker.models import Task

MONDAY = date(2030, 3, 4)  # no bank holidays near


def form(council, **extra):
    return {
        "title": "Audit reablement outcomes",
        "description": "",
        "team_id": str(council.team.id),
        "effort_hours": "30",
        "start_date": date_parts(MONDAY),
        "due_date": date_parts(date(2030, 3, 8)),
        "status": "not_started",
        **extra,
    }


def tasks(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Task))


def test_check_team_load_offers_what_would_fit_and_use_this_fills_the_form(
    client, login_as, make, council, session
):
    roomy = make.team(department=council.dept, capacity=60, name="Hospital discharge")
    make.task(team=council.team, initiative=council.initiative, start=MONDAY,
              due=date(2030, 3, 8), effort=20)  # fmt: skip
    login_as(user=council.manager)
    url = f"/initiatives/{council.initiative.id}/tasks/new"
    before = tasks(session)
    page = client.post(url, data=form(council, check_load="Check team load"))
    text = page.get_data(as_text=True)
    assert "What would fit" in text and text.count(">Use this<") >= 2
    assert 'value="start:2030-03-13:2030-03-19"' in text
    assert f'value="team:{roomy.id}"' in text and "Hospital discharge: peak 0.50 after" in text
    used = client.post(url, data=form(council, use="start:2030-03-13:2030-03-19"))
    assert used.status_code == 200
    text = used.get_data(as_text=True)
    assert "Nothing is saved until you select" in text
    assert 'value="13"' in text and 'value="19"' in text
    assert "stays within capacity" in text  # the new dates are checked at once
    team = client.post(url, data=form(council, use=f"team:{roomy.id}"))
    assert f'<option value="{roomy.id}" selected' in team.get_data(as_text=True)
    assert tasks(session) == before


def test_a_forged_suggestion_changes_nothing(client, login_as, council, session):
    login_as(user=council.manager)
    url = f"/initiatives/{council.initiative.id}/tasks/new"
    before = tasks(session)
    for forged in ("team:999999", "start:soon:later", "due:2030-02-30", "drop table"):
        response = client.post(url, data=form(council, use=forged))
        assert response.status_code in (200, 422), forged
        assert "Nothing is saved until" not in response.get_data(as_text=True), forged
    assert tasks(session) == before
