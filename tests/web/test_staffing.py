"""The Staffing section of a team's page (SPEC §9): add, change, end, remove, refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.web.conftest import date_parts, snapshot
from tracker.models import CapacityAdjustment

TODAY = date.today()
TABLES = ("capacity_adjustments", "team_week_staffing", "teams")


def form(**extra):
    return {
        "kind": "vacancy",
        "fte": "1.5",
        "starts_on": date_parts(TODAY),
        "ends_on": ["", "", ""],
        "note": "Two social worker posts, one part-time",
        **extra,
    }


def test_everyone_signed_in_reads_the_staffing_and_writers_see_the_actions(
    client, login_as, make, council
):
    make.adjustment(council.team, "vacancy", 1.0, TODAY, note="Senior practitioner")
    make.adjustment(council.team, "agency_cover", 0.5, TODAY + timedelta(days=20))
    make.adjustment(council.team, "absence", 1.0, TODAY - timedelta(days=90), TODAY - timedelta(1))
    login_as("director")
    page = client.get(f"/teams/{council.team.id}").get_data(as_text=True)
    assert 'id="staffing"' in page and "Senior practitioner" in page
    assert "5 FTE (funded posts)" in page and "1 FTE, a vacancy rate of 20%" in page
    assert "Until further notice" in page and "Agency cover" in page
    assert "Absence" not in page  # ended: neither current nor coming
    assert "Record a vacancy" not in page and "End today" not in page
    login_as(user=council.lead)
    page = client.get(f"/teams/{council.team.id}").get_data(as_text=True)
    assert "Record a vacancy, absence or agency cover" in page and "End today" in page


def test_a_team_without_establishment_says_who_sets_it(client, login_as, council):
    login_as(user=council.other_lead)
    page = client.get(f"/teams/{council.other_team.id}").get_data(as_text=True)
    assert "No establishment is set for this team" in page
    response = client.post(f"/teams/{council.other_team.id}/staffing/new", data=form())
    assert response.status_code == 422
    assert "has no establishment yet" in response.get_data(as_text=True)


def test_add_change_end_and_remove(client, login_as, council, session):
    login_as(user=council.manager)
    new = f"/teams/{council.team.id}/staffing/new"
    assert client.get(new).status_code == 200
    response = client.post(new, data=form())
    assert response.status_code == 302 and response.location.endswith("#staffing")
    adjustment = session.scalar(select(CapacityAdjustment))
    assert (adjustment.kind, adjustment.fte, adjustment.ends_on) == ("vacancy", 1.5, None)
    edit = f"/staffing/{adjustment.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "Two social worker posts" in page
    end = TODAY + timedelta(days=40)
    assert client.post(edit, data=form(fte="1", ends_on=date_parts(end))).status_code == 302
    session.expire_all()
    assert (adjustment.fte, adjustment.ends_on) == (1.0, end)
    assert client.post(f"/staffing/{adjustment.id}/end").status_code == 302
    session.expire_all()
    assert adjustment.ends_on == TODAY
    assert "Remove this staffing entry?" in client.get(f"/staffing/{adjustment.id}/remove").text
    assert client.post(f"/staffing/{adjustment.id}/remove").status_code == 302
    session.expire_all()
    assert session.scalar(select(CapacityAdjustment)) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"fte": "0"}, "The FTE must be more than 0"),
        ({"fte": "-2"}, "The FTE must be more than 0"),
        ({"fte": "lots"}, "FTE must be a number"),
        ({"kind": "sabbatical"}, "Select the kind"),
        ({"ends_on": date_parts(TODAY - timedelta(days=1))}, "must be the same as or after"),
        ({"starts_on": ["", "", ""]}, "Enter the start date"),
        ({"starts_on": ["31", "2", "2027"]}, "must be a real date"),
        ({"ends_on": ["1", "", ""]}, "must include a day, month and year"),
        ({"note": "x" * 10_001}, "10,000 characters or fewer"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    client, login_as, council, fields, message
):
    login_as(user=council.lead)
    before = snapshot(*TABLES)
    response = client.post(f"/teams/{council.team.id}/staffing/new", data=form(**fields))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page and message in page
    assert snapshot(*TABLES) == before


ROLES = ("admin", "director", "manager", "other_manager", "lead", "other_lead")
WRITERS = {"admin", "manager", "lead"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["edit", "end", "remove", "new form"])
def test_only_the_teams_lead_its_managers_and_admins_change_staffing(
    client, login_as, make, council, people, role, action
):
    adjustment = make.adjustment(council.team, "vacancy", 1.0, TODAY)
    login_as(user=people[role])
    before = snapshot(*TABLES)
    if action == "edit":
        response = client.post(f"/staffing/{adjustment.id}/edit", data=form(fte="3"))
    elif action == "end":
        response = client.post(f"/staffing/{adjustment.id}/end")
    elif action == "remove":
        response = client.post(f"/staffing/{adjustment.id}/remove")
    else:
        response = client.get(f"/teams/{council.team.id}/staffing/new")
    if role in WRITERS:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
        assert "You cannot do this" in response.get_data(as_text=True)
        assert snapshot(*TABLES) == before


def test_admins_set_the_establishment_on_the_team_form(client, login_as, council, session):
    login_as("admin")
    url = f"/admin/teams/{council.other_team.id}"
    assert "Establishment (FTE)" in client.get(url).get_data(as_text=True)
    data = {
        "name": "Fostering",
        "department_id": str(council.other_dept.id),
        "lead_id": str(council.other_lead.id),
        "capacity_hours_per_week": "37.5",
        "establishment_fte": "0",
    }
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and "more than 0 FTE" in refused.get_data(as_text=True)
    assert client.post(url, data={**data, "establishment_fte": "9.5"}).status_code == 302
    session.expire_all()
    assert council.other_team.establishment_fte == 9.5
