"""The director's pages: who may see them, sorting, chart, heatmap, drill-downs,
delivery confidence and the timeline."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.web.conftest import snapshot
from tracker.domain.workload import week_start
from tracker.models import ConfidenceRating, Initiative
from tracker.services.calendar import BANK_HOLIDAYS

TODAY = date.today()


def working_day(weeks_ahead: int) -> date:
    day = week_start(TODAY) + timedelta(weeks=weeks_ahead)
    while day.weekday() > 4 or day in BANK_HOLIDAYS:
        day += timedelta(days=1)
    return day


@pytest.fixture
def overloaded(make, council):
    """The Reablement team (20 h a week) given 30 h in one day next week."""
    day = working_day(1)
    make.task(team=council.team, initiative=council.initiative, start=day, due=day, effort=30,
              title="Rewrite eligibility criteria")  # fmt: skip
    return day


@pytest.mark.parametrize("role", ["director", "admin", "manager"])
def test_dashboard_for_roles_that_see_load(client, login_as, council, role):
    login_as(role)
    page = client.get("/dashboard")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Adult Social Care" in text and "Children&#39;s Services" in text
    assert 'role="img"' in text and '<title id="load-chart-title">' in text


def test_team_lead_and_anonymous_cannot_see_the_dashboard(client, login_as, council):
    assert client.get("/dashboard").status_code == 302
    login_as(user=council.lead)
    monday = week_start(TODAY).isoformat()
    for url in [
        "/dashboard",
        "/dashboard/heatmap",
        f"/dashboard/departments/{council.dept.id}",
        f"/dashboard/teams/{council.team.id}/weeks/{monday}",
    ]:
        response = client.get(url)
        assert response.status_code == 403
        assert "You cannot do this" in response.get_data(as_text=True)


def test_dashboard_figures_and_overload_in_words(client, login_as, council, overloaded):
    login_as("director")
    text = client.get("/dashboard").get_data(as_text=True)
    # 38 open hours (8 + 30), 40 h capacity over two teams, the team at 1.5.
    row = re.search(r"Adult Social Care</a>.*?</tr>", text, re.S).group(0)
    cells = re.findall(r"govuk-table__cell--numeric[^>]*>([^<]*)<", row)
    assert cells[:4] == ["1", "2", "0", "38"]
    assert "1 overloaded" not in row  # the department is not overloaded…
    worst = cells[6].strip()  # …but its worst team is, shown beside it
    assert worst.endswith("(over)") and float(worst.split()[0]) >= 1.5
    assert cells[7].strip() == "1"  # one overloaded team
    assert "↳ worst: Reablement" in text and f"{worst.split()[0]} over" in text  # in the chart


def test_dashboard_sorts_by_column_links(client, login_as, make, council):
    make.task(team=council.other_team, initiative=make.initiative(departments=[council.other_dept]))
    make.task(team=council.other_team, initiative=make.initiative(departments=[council.other_dept]))
    login_as("director")
    text = client.get("/dashboard?sort=open_tasks&dir=desc").get_data(as_text=True)
    assert text.index("Children&#39;s Services</a>") < text.index("Adult Social Care</a>")
    assert 'aria-sort="descending"' in text
    text = client.get("/dashboard?sort=open_tasks&dir=asc").get_data(as_text=True)
    assert text.index("Adult Social Care</a>") < text.index("Children&#39;s Services</a>")
    # An unknown column falls back to the name; nothing breaks.
    assert client.get("/dashboard?sort=drop+table&dir=sideways").status_code == 200


def test_dashboard_lists_initiatives_at_risk(client, login_as, make, council):
    make.initiative(departments=[council.dept], status="rollout", confidence="red",
                    title="Star ratings improvement plan")  # fmt: skip
    login_as("director")
    text = client.get("/dashboard").get_data(as_text=True)
    assert "Initiatives at risk" in text and "Star ratings improvement plan" in text
    assert "1 red" in text


def test_department_drill_down(client, login_as, council, overloaded):
    login_as("manager")
    page = client.get(f"/dashboard/departments/{council.dept.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Reablement" in text and "Fostering" not in text
    assert "app-load-over" in text and ">over<" in text
    assert council.initiative.title in text
    assert client.get("/dashboard/departments/999999").status_code == 404


def test_heatmap_marks_overloaded_cells_and_links_to_weeks(client, login_as, council, overloaded):
    login_as("director")
    text = client.get("/dashboard/heatmap").get_data(as_text=True)
    assert "Reablement" in text and "Fostering" in text
    link = f"/dashboard/teams/{council.team.id}/weeks/{week_start(overloaded).isoformat()}"
    cell = re.search(re.escape(link) + r'">([^<]*)<span class="([^"]*)', text)
    # 30 h that day plus part of the 8 h task, against 20 h a week.
    assert float(cell.group(1)) > 1.5 and cell.group(2) == "app-heatmap__over"
    assert text.count("app-load-over") == 1


def test_team_week_lists_the_tasks(client, login_as, council, overloaded):
    login_as("director")
    monday = week_start(overloaded)
    page = client.get(f"/dashboard/teams/{council.team.id}/weeks/{monday.isoformat()}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Rewrite eligibility criteria" in text and "(overloaded)" in text
    other_day = (monday + timedelta(days=2)).isoformat()
    moved = client.get(f"/dashboard/teams/{council.team.id}/weeks/{other_day}")
    assert moved.status_code == 302 and moved.headers["Location"].endswith(monday.isoformat())
    assert client.get(f"/dashboard/teams/{council.team.id}/weeks/not-a-date").status_code == 404
    assert client.get(f"/dashboard/teams/999999/weeks/{monday.isoformat()}").status_code == 404


def test_owner_sets_confidence_and_history_is_newest_first(client, login_as, session, council):
    login_as(user=council.manager)
    url = f"/initiatives/{council.initiative.id}/confidence"
    assert 'name="rating"' in client.get(url).get_data(as_text=True)
    first = client.post(url, data={"rating": "amber", "comment": "Recruitment is slow"})
    assert first.status_code == 302
    banner = client.get(url).get_data(as_text=True)
    assert "Delivery confidence set to Amber" in banner and "&lt;p" not in banner
    client.post(url, data={"rating": "red", "comment": "Funding withdrawn"})
    text = client.get(url).get_data(as_text=True)
    assert text.index("Funding withdrawn") < text.index("Recruitment is slow")
    initiative = session.get(Initiative, council.initiative.id)
    assert initiative.confidence == "red"
    ratings = session.scalars(select(ConfidenceRating.rating).order_by(ConfidenceRating.id)).all()
    assert ratings == ["amber", "red"]


def test_others_see_history_but_cannot_set_confidence(client, login_as, council):
    url = f"/initiatives/{council.initiative.id}/confidence"
    for user in (council.other_manager, council.lead):
        login_as(user=user)
        text = client.get(url).get_data(as_text=True)
        assert "History" in text and 'name="rating"' not in text
        before = snapshot("confidence_ratings", "initiatives")
        response = client.post(url, data={"rating": "green", "comment": "All fine"})
        assert response.status_code == 403
        assert snapshot("confidence_ratings", "initiatives") == before


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"rating": "purple", "comment": "x"}, 400, "Not a valid choice"),
        ({"comment": "no rating"}, 400, "Select a delivery confidence rating"),
        ({"rating": "green"}, 400, "Say why you give this rating"),
        ({"rating": "green", "comment": "   "}, 422, "Say why you give this rating"),
        ({"rating": "green", "comment": "x" * 10_001}, 400, "10,000 characters or fewer"),
    ],
)
def test_bad_confidence_input_gets_form_errors(client, login_as, council, data, status, message):
    login_as(user=council.manager)
    before = snapshot("confidence_ratings")
    response = client.post(f"/initiatives/{council.initiative.id}/confidence", data=data)
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert "govuk-error-summary" in text and message in text
    assert snapshot("confidence_ratings") == before


def test_confidence_of_unknown_initiative_is_404(client, login_as, council):
    login_as(user=council.manager)
    assert client.get("/initiatives/999999/confidence").status_code == 404
    assert client.post("/initiatives/999999/confidence", data={}).status_code == 404


def test_timeline_draws_bars_dependencies_and_a_table(client, login_as, make, session, council):
    later = make.task(team=council.team,
                      initiative=council.initiative, start=TODAY + timedelta(days=11),
                      due=TODAY + timedelta(days=30), title="Review the pilot")  # fmt: skip
    later.depends_on = [council.task]
    session.commit()
    login_as(user=council.lead)  # everyone may see an initiative's timeline
    page = client.get(f"/initiatives/{council.initiative.id}/timeline")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert 'role="img"' in svg and svg.count("<rect x=") == 2
    assert "Train reablement staff — Reablement · Not started" in svg
    assert 'marker-end="url(#app-arrow)"' in svg and ">today<" in svg
    row = re.search(r"<td[^>]*><a[^>]*>Review the pilot</a></td>.*?</tr>", text, re.S).group(0)
    assert "Train reablement staff" in row  # "waits on" column
    assert client.get("/initiatives/999999/timeline").status_code == 404


def test_timeline_of_an_initiative_without_tasks(client, login_as, make, council):
    empty = make.initiative(departments=[council.dept])
    login_as("director")
    text = client.get(f"/initiatives/{empty.id}/timeline").get_data(as_text=True)
    assert "has no tasks yet" in text and "app-timeline" not in text
