"""Issue 7 on the pages people use: navigation that never ends, overloaded teams named,
forms that report everything, calendar choices one may make, downloads, operations in words."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.web.conftest import snapshot
from tests.web.test_first_impressions import _text
from tracker.models import SweepRun


def test_timeline_and_confidence_lead_back_to_their_initiative(client, login_as, council):
    login_as(user=council.manager)
    initiative = council.initiative
    for page in ("timeline", "confidence"):
        html = client.get(f"/initiatives/{initiative.id}/{page}").get_data(as_text=True)
        assert f'<a href="/initiatives/{initiative.id}" class="govuk-back-link">' in html
        active = html[html.index("govuk-service-navigation__item--active") :][:400]
        assert "Initiatives" in active and "Load" not in active
    timeline = client.get(f"/initiatives/{initiative.id}/timeline").get_data(as_text=True)
    assert f'href="/tasks/{council.task.id}">Train reablement staff</a>' in timeline
    assert "deadline" in timeline  # the deadline is drawn on the chart


def test_department_and_team_week_link_to_initiatives_and_tasks(client, login_as, council):
    login_as(user=council.manager)
    dept = client.get(f"/dashboard/departments/{council.dept.id}").get_data(as_text=True)
    assert f'href="/initiatives/{council.initiative.id}">' in dept
    monday = council.task.due_date - timedelta(days=council.task.due_date.weekday())
    week = client.get(f"/dashboard/teams/{council.team.id}/weeks/{monday.isoformat()}")
    assert f'href="/tasks/{council.task.id}">Train reablement staff</a>' in week.get_data(
        as_text=True
    )


def test_the_director_sees_overloaded_teams_by_name(client, login_as, make, council):
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    # 60 hours in one week for a team of 20 a week: three times its capacity.
    make.task(team=council.team, start=monday, due=monday + timedelta(days=4), effort=60)
    login_as("director")
    page = _text(client.get("/dashboard"))
    assert "Teams over capacity" in page
    said = r"Reablement ?: peak (\d+\.\d\d) times its capacity \(Adult Social Care\)"
    peak = re.search(said, page)
    assert peak and float(peak.group(1)) >= 3.0
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/teams/{council.team.id}">Reablement</a>' in html


def test_an_empty_initiative_form_reports_every_problem_at_once(client, login_as, council):
    login_as(user=council.manager)
    form = client.get("/initiatives/new").get_data(as_text=True)
    kinds = form[form.index('name="kind"') :]
    kinds = kinds[: kinds.index("</select>")]
    assert '<option value="">Select a kind</option>' in kinds and "selected" not in kinds
    before = snapshot("initiatives")
    response = client.post("/initiatives/new", data={"title": "", "kind": ""})
    assert response.status_code == 422
    page = _text(response)
    summary = page[page.index("There is a problem") :]
    for message in ("Enter a title", "Select the kind of initiative", "start date", "deadline"):
        assert message in summary, message
    assert snapshot("initiatives") == before


def test_a_new_initiative_says_no_tasks_yet(client, login_as, make, council):
    bare = make.initiative(owner=council.manager, departments=[council.dept], title="Bare")
    login_as(user=council.manager)
    page = _text(client.get(f"/initiatives/{bare.id}"))
    assert "No tasks yet" in page and "(0 of 0)" not in page


def test_a_director_is_offered_only_team_feeds_and_a_revoke_is_confirmed(client, login_as, council):
    login_as("director")
    html = client.get("/calendar").get_data(as_text=True)
    assert 'value="personal"' not in html and "Reablement" in html
    lead = login_as(user=council.lead)
    assert 'value="personal"' in client.get("/calendar").get_data(as_text=True)
    client.post("/calendar", data={"scope": "personal"})
    feed_link = client.get("/calendar").get_data(as_text=True)
    revoke = feed_link[feed_link.index("/calendar/") :].split('"')[0]
    assert revoke.endswith("/revoke") and lead is not None
    confirm = client.get(revoke)
    assert confirm.status_code == 200
    assert "Yes, revoke this feed" in _text(confirm) and "No, keep it" in _text(confirm)
    assert "Active" in _text(client.get("/calendar"))  # looking is not revoking
    assert client.post(revoke).status_code == 302
    assert "Revoked" in _text(client.get("/calendar"))


def test_every_task_list_offers_a_download(client, login_as, council):
    login_as(user=council.lead)
    for url, query in (
        ("/my-tasks", f"team_id={council.team.id}"),
        (f"/teams/{council.team.id}", f"team_id={council.team.id}"),
        (f"/initiatives/{council.initiative.id}", f"initiative_id={council.initiative.id}"),
    ):
        html = client.get(url).get_data(as_text=True)
        assert f'href="/tasks/export.csv?{query}" download>' in html, url
    csv = client.get(f"/tasks/export.csv?team_id={council.team.id}")
    assert csv.status_code == 200 and "Train reablement staff" in csv.get_data(as_text=True)


def test_operations_counts_sweeps_in_words(client, login_as, make):
    login_as("admin")
    make.session.add(
        SweepRun(
            alerts_created=9,
            emails_queued=0,
            summary="due_soon=0 overdue=8 escalation=0 team_overload=1 department_overload=0",
        )
    )
    make.session.commit()
    page = _text(client.get("/admin/operations"))
    assert "8 overdue, 1 team overload" in page and "due_soon=0" not in page


def test_the_rq_dashboard_leads_back_to_the_app(client, login_as):
    login_as("admin")
    html = client.get("/admin/rq/").get_data(as_text=True)
    assert 'href="/admin/operations"' in html and "Back to Initiative Tracker" in html
