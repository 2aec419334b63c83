"""Exports: CSV of the dashboard, heatmap and tasks (filters, formula-safe); calendar feeds."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tracker.domain.capacity import week_working_days
from tracker.models import CalendarFeed
from tracker.services.calendar import BANK_HOLIDAYS


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_dashboard_csv_has_the_figures(client, login_as, council):
    login_as("director")
    response = client.get("/dashboard/departments.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert [r["name"] for r in rows] == ["Adult Social Care", "Children's Services"]
    assert rows[0]["open_tasks"] == "1" and rows[0]["open_effort_hours"] == "8.0"
    assert rows[0]["overloaded"] == "no"
    # Staffing figures (SPEC §7, §9): Reablement has 5 FTE, none vacant yet.
    assert rows[0]["establishment_fte"] == "5.0" and rows[0]["vacancy_rate"] == "0.0"
    assert rows[1]["establishment_fte"] == "" and rows[1]["vacancy_rate"] == ""
    assert rows[0]["worst_team_id"] == str(council.team.id)
    assert float(rows[0]["peak_team_load_ratio"]) >= float(rows[0]["peak_load_ratio"])


def test_csv_and_heatmap_say_why_a_week_has_less_capacity(client, login_as, make, council):
    monday = date.today() - timedelta(days=date.today().weekday())
    make.adjustment(council.team, "vacancy", 2.0, monday - timedelta(days=7))
    login_as("director")
    rows = rows_of(client.get("/dashboard/departments.csv"))
    assert rows[0]["vacant_fte"] == "2.0" and rows[0]["vacancy_rate"] == "0.4"
    assert float(rows[0]["capacity_lost_hours"]) > 0
    cells = [r for r in rows_of(client.get("/dashboard/heatmap.csv")) if r["team"] == "Reablement"]
    assert all("2.0 FTE vacant" in r["capacity_reduced_by"] for r in cells)
    page = client.get("/dashboard/heatmap").get_data(as_text=True)
    assert "app-heatmap__cell--reduced" in page and "(staff down" in page
    week = client.get(f"/dashboard/teams/{council.team.id}/weeks/{monday.isoformat()}")
    assert "2.0 FTE vacant" in week.get_data(as_text=True)


def test_heatmap_csv_has_a_row_per_team_and_week(client, login_as, app, council):
    login_as("manager")
    rows = rows_of(client.get("/dashboard/heatmap.csv"))
    weeks = app.config["LOAD_HORIZON_WEEKS"]
    assert len(rows) == 2 * weeks
    assert set(rows[0]) == {
        "team_id", "team", "department", "week_start", "planned_hours", "capacity_hours",
        "load_ratio", "overloaded", "capacity_reduced_by",
    }  # fmt: skip
    reablement = [r for r in rows if r["team"] == "Reablement"]
    assert sum(float(r["planned_hours"]) for r in reablement) == pytest.approx(8)
    # A full week's capacity is 20 hours; a bank-holiday week has its share (SPEC §9).
    for row in reablement:
        days = len(week_working_days(date.fromisoformat(row["week_start"]), BANK_HOLIDAYS))
        assert float(row["capacity_hours"]) == pytest.approx(20 * days / 5)


def test_team_lead_cannot_export_load(client, login_as, council):
    login_as(user=council.lead)
    assert client.get("/dashboard/departments.csv").status_code == 403
    assert client.get("/dashboard/heatmap.csv").status_code == 403


def test_task_csv_applies_filters(client, login_as, make, council):
    make.task(team=council.other_team, initiative=make.initiative(departments=[council.other_dept]),
              title="Other department task")  # fmt: skip
    make.task(team=council.team, initiative=council.initiative, status="done", title="Done one")
    make.task(team=council.team, initiative=council.initiative,
              due=date.today() - timedelta(days=1), start=date.today() - timedelta(days=5),
              title="Late one")  # fmt: skip
    login_as(user=council.lead)
    everything = rows_of(client.get("/tasks/export.csv"))
    assert len(everything) == 4
    assert everything[0]["title"] == "Late one" and everything[0]["overdue"] == "yes"
    by_team = rows_of(client.get(f"/tasks/export.csv?team_id={council.team.id}"))
    assert {r["team"] for r in by_team} == {"Reablement"} and len(by_team) == 3
    by_status = rows_of(client.get("/tasks/export.csv?status=done"))
    assert [r["title"] for r in by_status] == ["Done one"]
    by_dept = rows_of(client.get(f"/tasks/export.csv?department_id={council.other_dept.id}"))
    assert [r["title"] for r in by_dept] == ["Other department task"]
    by_initiative = rows_of(client.get(f"/tasks/export.csv?initiative_id={council.initiative.id}"))
    assert len(by_initiative) == 3
    due = (date.today() + timedelta(days=1)).isoformat()
    assert [r["title"] for r in rows_of(client.get(f"/tasks/export.csv?due_before={due}"))] == [
        "Late one"
    ]


@pytest.mark.parametrize(
    "query", ["status=finished", "team_id=abc", "team_id=-1", "due_before=31-12-2026",
              "initiative_id=1e9", "department_id=99999999999999999"],
)  # fmt: skip
def test_task_csv_refuses_bad_filters(client, login_as, council, query):
    login_as("manager")
    assert client.get(f"/tasks/export.csv?{query}").status_code == 400


def test_task_csv_needs_sign_in(client, council):
    assert client.get("/tasks/export.csv").status_code == 302


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"])
def test_csv_cells_cannot_become_formulas(client, login_as, make, council, title):
    make.task(team=council.team, initiative=council.initiative, title=title)
    login_as("director")
    rows = rows_of(client.get(f"/tasks/export.csv?initiative_id={council.initiative.id}"))
    assert "'" + title in [r["title"] for r in rows]


def create_feed(client, scope: str) -> str:
    response = client.post("/calendar", data={"scope": scope})
    assert response.status_code == 200, response.get_data(as_text=True)
    match = re.search(r'<code id="feed-url">([^<]+)</code>', response.get_data(as_text=True))
    return match.group(1).replace("http://localhost", "")


def test_team_lead_personal_feed_lists_open_due_dates(client, login_as, make, session, council):
    make.task(team=council.team, initiative=council.initiative, status="done", title="Finished")
    make.task(team=council.other_team, initiative=make.initiative(departments=[council.other_dept]),
              title="Not my team")  # fmt: skip
    login_as(user=council.lead)
    url = create_feed(client, "personal")
    with client.session_transaction() as sess:
        sess.clear()  # calendar apps do not sign in
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data()
    assert b"\r\nVERSION:2.0\r\n" in body and b"PRODID:" in body
    cal = Calendar.from_ical(body)
    events = cal.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Due: Train reablement staff (Reablement)"]
    event = events[0]
    assert event["dtstart"].dt == council.task.due_date
    assert event["uid"] == f"task-{council.task.id}@127.0.0.1"  # BASE_URL's host
    assert f"/initiatives/{council.initiative.id}" in str(event["description"])
    again = Calendar.from_ical(client.get(url).get_data()).walk("VEVENT")[0]
    assert again["uid"] == event["uid"]
    # Only the token's hash is stored.
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = session.scalars(select(CalendarFeed.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_team_feed_and_manager_feed(client, login_as, make, council):
    login_as("director")
    team_url = create_feed(client, f"team-{council.other_team.id}")
    make.task(team=council.other_team, initiative=make.initiative(departments=[council.other_dept]),
              title="Fostering task")  # fmt: skip
    summaries = [
        str(e["summary"])
        for e in Calendar.from_ical(client.get(team_url).get_data()).walk("VEVENT")
    ]
    assert summaries == ["Due: Fostering task (Fostering)"]
    login_as(user=council.manager)
    mine = create_feed(client, "personal")
    events = Calendar.from_ical(client.get(mine).get_data()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Due: Train reablement staff (Reablement)"]


def test_director_personal_feed_is_refused(client, login_as, session, council):
    login_as("director")
    assert 'value="personal"' not in client.get("/calendar").get_data(as_text=True)
    response = client.post("/calendar", data={"scope": "personal"})  # not offered: refused
    assert response.status_code == 400
    assert session.scalars(select(CalendarFeed)).all() == []


@pytest.mark.parametrize("scope", ["team-999999", "nonsense", ""])
def test_feed_form_refuses_unknown_scopes(client, login_as, session, council, scope):
    login_as(user=council.lead)
    response = client.post("/calendar", data={"scope": scope})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert session.scalars(select(CalendarFeed)).all() == []


def test_revoked_feed_is_404_and_only_its_owner_may_revoke(client, login_as, session, council):
    login_as(user=council.lead)
    url = create_feed(client, "personal")
    feed_id = session.scalar(select(CalendarFeed.id))
    login_as(user=council.other_lead)
    assert client.post(f"/calendar/{feed_id}/revoke").status_code == 403
    assert client.get(url).status_code == 200
    login_as(user=council.lead)
    assert client.post(f"/calendar/{feed_id}/revoke").status_code == 302
    assert client.get(url).status_code == 404
    assert "Revoked" in client.get("/calendar").get_data(as_text=True)
    assert client.post("/calendar/999999/revoke").status_code == 404


def test_unknown_token_and_inactive_owner_are_404(client, login_as, session, council):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    login_as(user=council.lead)
    url = create_feed(client, "personal")
    council.lead.active = False
    session.commit()
    assert client.get(url).status_code == 404


def test_calendar_page_needs_sign_in(client, council):
    assert client.get("/calendar").status_code == 302
    assert client.post("/calendar", data={"scope": "personal"}).status_code == 302
