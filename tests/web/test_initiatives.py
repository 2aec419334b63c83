"""The initiative pages: list with filters, detail, briefing, new and edit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.web.conftest import count_queries, date_parts, snapshot
from tracker.models import Initiative


def initiative_form(council, **overrides) -> dict:
    data = {
        "title": "Supporting People",
        "source": "ODPM",
        "kind": "funding",
        "summary": "Housing-related support.",
        "rationale": "People stay in their homes longer.",
        "budget": "1,250,000.50",
        "start_date": date_parts(date(2026, 4, 1)),
        "deadline": date_parts(date(2027, 3, 31)),
        "status": "planning",
        "owner_id": str(council.manager.id),
        "department_ids": [str(council.dept.id)],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_list_shows_columns_and_counts(client, login_as, make, council):
    make.task(team=council.team, initiative=council.initiative, status="done")
    make.task(
        team=council.team, initiative=council.initiative, due=date.today() - timedelta(days=2)
    )
    council.initiative.confidence = "amber"
    make.session.commit()
    login_as(user=council.manager)
    page = client.get("/initiatives").get_data(as_text=True)
    assert "National Service Framework for Older People" in page
    assert "Adult Social Care" in page and "Framework" in page and "Amber" in page
    # 3 tasks: 1 done (33%), 2 open, 1 overdue
    assert "33%" in page
    assert '<strong class="app-overloaded">1</strong>' in page


def test_list_filters_by_status_department_and_kind(client, login_as, make, council):
    make.initiative(
        owner=council.other_manager,
        departments=[council.other_dept],
        status="proposed",
        kind="inspection",
        title="Star ratings inspection",
    )
    login_as(user=council.manager)

    def titles(query):
        return client.get("/initiatives" + query).get_data(as_text=True)

    assert "Star ratings" in titles("") and "Older People" in titles("")
    page = titles(f"?department={council.other_dept.id}")
    assert "Star ratings" in page and "Older People" not in page
    page = titles("?status=planning")
    assert "Older People" in page and "Star ratings" not in page
    page = titles("?kind=inspection")
    assert "Star ratings" in page and "Older People" not in page


def test_list_ignores_nonsense_filters(client, login_as, council):
    login_as(user=council.manager)
    response = client.get("/initiatives?status=nonsense&department=abc&kind=x&page=-3")
    assert response.status_code == 200
    assert "Older People" in response.get_data(as_text=True)


def test_list_runs_a_fixed_number_of_queries(client, login_as, make, council):
    login_as(user=council.manager)
    client.get("/initiatives")
    with count_queries() as few:
        client.get("/initiatives")
    for _ in range(6):
        initiative = make.initiative(
            owner=council.manager, departments=[council.dept, council.other_dept]
        )
        make.task(team=council.team, initiative=initiative)
    with count_queries() as many:
        assert client.get("/initiatives").status_code == 200
    assert len(many) == len(few)


def test_detail_shows_rationale_budget_links_and_tasks(client, login_as, council):
    login_as(user=council.lead)
    page = client.get(f"/initiatives/{council.initiative.id}").get_data(as_text=True)
    assert "Older people should get joined-up care" in page
    assert "£125,000.50" in page
    assert f"/initiatives/{council.initiative.id}/confidence" in page
    assert f"/initiatives/{council.initiative.id}/timeline" in page
    assert "Train reablement staff" in page and "Reablement" in page
    # a team lead may not edit or plan
    assert "Edit initiative" not in page and "Plan a task" not in page


def test_detail_offers_edit_to_managers_of_affected_departments(client, login_as, council):
    login_as(user=council.manager)
    page = client.get(f"/initiatives/{council.initiative.id}").get_data(as_text=True)
    assert "Edit initiative" in page and "Plan a task" in page
    login_as(user=council.other_manager)
    page = client.get(f"/initiatives/{council.initiative.id}").get_data(as_text=True)
    assert "Edit initiative" not in page


def test_detail_runs_a_fixed_number_of_queries(client, login_as, make, council):
    login_as(user=council.manager)
    url = f"/initiatives/{council.initiative.id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    first = council.task
    for _ in range(5):
        task = make.task(team=council.team, initiative=council.initiative)
        task.depends_on = [first]
    make.session.commit()
    with count_queries() as many:
        client.get(url)
    assert len(many) == len(few)


def test_unknown_initiative_is_404(client, login_as, council):
    login_as(user=council.manager)
    assert client.get("/initiatives/9999").status_code == 404
    assert client.get("/initiatives/9999/briefing").status_code == 404
    assert client.get("/initiatives/9999/edit").status_code == 404


def test_briefing_leads_with_the_rationale(client, login_as, council):
    login_as(user=council.other_lead)
    page = client.get(f"/initiatives/{council.initiative.id}/briefing").get_data(as_text=True)
    assert page.index("Why we are doing this") < page.index("What changes")
    assert page.index("Older people should get joined-up care") < page.index("Who is doing what")
    assert "Reablement" in page and "Train reablement staff" in page and "Lee Lead" in page


def test_manager_records_an_initiative(client, login_as, session, council):
    login_as(user=council.manager)
    form = client.get("/initiatives/new").get_data(as_text=True)
    assert 'name="department_ids"' in form and "Mo Manager" in form
    response = client.post("/initiatives/new", data=initiative_form(council))
    assert response.status_code == 302
    initiative = session.query(Initiative).filter_by(title="Supporting People").one()
    assert initiative.budget_pence == 125_000_050
    assert initiative.start_date == date(2026, 4, 1) and initiative.deadline == date(2027, 3, 31)
    assert initiative.department_ids == [council.dept.id]


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"title": ""}, "title", "Enter a title"),
        ({"title": "x" * 201}, "title", "200 characters or fewer"),
        ({"rationale": "x" * 10_001}, "rationale", "10,000 characters or fewer"),
        ({"budget": "lots"}, "budget", "Enter the budget in pounds"),
        ({"budget": "-5"}, "budget", "£0 or more"),
        ({"budget": "1.001"}, "budget", "fractions of a penny"),
        ({"start_date": None}, "start_date", "Enter the start date"),
        ({"start_date": ["1", "4"]}, "start_date", "must include a day, month and year"),
        ({"deadline": ["31", "2", "2027"]}, "deadline", "must be a real date"),
        ({"deadline": ["1", "1", "27"]}, "deadline", "4 numbers"),
        ({"deadline": date_parts(date(2026, 1, 1))}, "deadline", "same as or after the start date"),
        ({"department_ids": None}, "department_ids", "at least one department"),
        ({"department_ids": ["abc"]}, "department_ids", ""),
        ({"owner_id": "99999"}, "owner_id", "Not a valid choice"),
        ({"kind": "whim"}, "kind", "Not a valid choice"),
    ],
)
def test_bad_initiative_input_gets_a_form_error_and_saves_nothing(
    client, login_as, council, overrides, field, message
):
    login_as(user=council.manager)
    before = snapshot("initiatives", "initiative_departments")
    response = client.post("/initiatives/new", data=initiative_form(council, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert message in page
    assert snapshot("initiatives", "initiative_departments") == before


def test_form_keeps_what_the_user_typed(client, login_as, council):
    login_as(user=council.manager)
    page = client.post(
        "/initiatives/new", data=initiative_form(council, title="", summary="Keep me please")
    ).get_data(as_text=True)
    assert "Keep me please" in page and "1,250,000.50" in page and 'value="2027"' in page


def test_edit_initiative(client, login_as, session, council):
    login_as(user=council.manager)
    url = f"/initiatives/{council.initiative.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "Older people should get joined-up care" in form and "125000.50" in form
    data = initiative_form(council, title="NSF Older People", status="rollout")
    assert client.post(url, data=data).status_code == 302
    initiative = session.get(Initiative, council.initiative.id)
    assert initiative.title == "NSF Older People" and initiative.status == "rollout"


def test_edit_refuses_removing_a_department_that_has_tasks(client, login_as, session, council):
    login_as(user=council.manager)
    data = initiative_form(council, department_ids=[str(council.other_dept.id)])
    response = client.post(f"/initiatives/{council.initiative.id}/edit", data=data)
    assert response.status_code == 422
    assert "move its tasks first" in response.get_data(as_text=True)
    assert session.get(Initiative, council.initiative.id).department_ids == [council.dept.id]


def test_edit_by_manager_of_another_department_is_403(client, login_as, council):
    login_as(user=council.other_manager)
    url = f"/initiatives/{council.initiative.id}/edit"
    assert client.get(url).status_code == 403
    before = snapshot("initiatives")
    assert client.post(url, data=initiative_form(council, title="Hijacked")).status_code == 403
    assert snapshot("initiatives") == before


def test_new_initiative_is_for_managers_only(client, login_as, council):
    for role in ("admin", "director", "team_lead"):
        login_as(role)
        assert client.get("/initiatives/new").status_code == 403
        assert client.post("/initiatives/new", data=initiative_form(council)).status_code == 403


def test_an_inactive_owner_must_be_replaced_with_a_clear_message(
    client, login_as, session, council
):
    council.manager.active = False
    session.commit()
    login_as(user=council.other_manager)
    council.initiative.departments.append(council.other_dept)
    session.commit()
    url = f"/initiatives/{council.initiative.id}/edit"
    assert "no longer active" in client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data=initiative_form(
            council, department_ids=[str(council.dept.id), str(council.other_dept.id)]
        ),
    )
    assert response.status_code == 422
    assert "Select an active manager as the owner" in response.get_data(as_text=True)
    data = initiative_form(
        council,
        owner_id=str(council.other_manager.id),
        department_ids=[str(council.dept.id), str(council.other_dept.id)],
    )
    assert client.post(url, data=data).status_code == 302
    assert session.get(Initiative, council.initiative.id).owner_id == council.other_manager.id
