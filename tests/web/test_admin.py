"""The admin pages: users, departments, teams."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.web.conftest import snapshot
from tracker.models import Department, Team, User


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def user_form(**overrides) -> dict:
    data = {
        "username": "sam.social",
        "display_name": "Sam Social",
        "email": "sam@council.example",
        "role": "team_lead",
        "department_id": "",
        "email_mode": "digest",
        "active": "y",
        "password": "a long enough password",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_lists_and_creates_users(client, admin, session):
    assert "Add a user" in client.get("/admin/users").get_data(as_text=True)
    response = client.post("/admin/users/new", data=user_form())
    assert response.status_code == 302
    user = session.query(User).filter_by(username="sam.social").one()
    assert user.role == "team_lead" and user.email_mode == "digest" and user.active
    assert user.check_password("a long enough password")
    assert "Sam Social" in client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"username": ""}, "Enter a username"),
        ({"username": "u" * 201}, "200 characters or fewer"),
        ({"password": "short"}, "at least 10 characters"),
        ({"email": "not-an-email"}, "correct format"),
        ({"role": "manager"}, "A manager belongs to one department"),
        ({"role": "overlord"}, "Not a valid choice"),
        ({"department_id": "99999"}, "Not a valid choice"),
    ],
)
def test_bad_user_input_is_refused(client, admin, overrides, message):
    before = snapshot("users")
    response = client.post("/admin/users/new", data=user_form(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page and message in page
    assert snapshot("users") == before


def test_duplicate_username_is_refused(client, admin, make):
    existing = make.user("manager")
    response = client.post("/admin/users/new", data=user_form(username=existing.username))
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_deactivating_a_user_ends_their_sessions(client, admin, make, session):
    user = make.user("team_lead")
    token = user.session_token
    data = user_form(
        username=user.username, display_name=user.display_name, active=None, password=""
    )
    assert client.post(f"/admin/users/{user.id}", data=data).status_code == 302
    user = session.get(User, user.id)
    assert not user.active and user.session_token != token
    assert user.check_password(PASSWORD)  # a blank password keeps the old one


def test_admin_resets_a_password(client, admin, make, session):
    user = make.user("team_lead")
    data = user_form(username=user.username, password="a brand new password")
    assert client.post(f"/admin/users/{user.id}", data=data).status_code == 302
    assert session.get(User, user.id).check_password("a brand new password")


def test_departments_new_rename_and_duplicate(client, admin, session):
    assert client.post("/admin/departments", data={"name": "Adult Social Care"}).status_code == 302
    dept = session.query(Department).filter_by(name="Adult Social Care").one()
    response = client.post("/admin/departments", data={"name": "Adult Social Care"})
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)
    response = client.post(f"/admin/departments/{dept.id}", data={"name": "Adults"})
    assert response.status_code == 302
    assert session.get(Department, dept.id).name == "Adults"
    response = client.post("/admin/departments", data={"name": "d" * 201})
    assert response.status_code == 422 and "200 characters" in response.get_data(as_text=True)
    assert client.get("/admin/departments/9999").status_code == 404


def test_teams_new_and_edit(client, admin, make, session):
    dept = make.department()
    lead = make.user("team_lead", display_name="Tess Lead")
    page = client.get("/admin/teams/new").get_data(as_text=True)
    assert "Tess Lead" in page
    data = {
        "name": "Hospital discharge",
        "department_id": str(dept.id),
        "lead_id": str(lead.id),
        "capacity_hours_per_week": "22.5",
    }
    assert client.post("/admin/teams/new", data=data).status_code == 302
    team = session.query(Team).filter_by(name="Hospital discharge").one()
    assert team.lead_id == lead.id and team.capacity_hours_per_week == 22.5
    data |= {"capacity_hours_per_week": "30", "lead_id": ""}
    assert client.post(f"/admin/teams/{team.id}", data=data).status_code == 302
    team = session.get(Team, team.id)
    assert team.capacity_hours_per_week == 30 and team.lead_id is None
    assert "Hospital discharge" in client.get("/admin/teams").get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"capacity_hours_per_week": "0"}, "from 0.1 to 10,000 hours a week"),
        ({"capacity_hours_per_week": "5e-324"}, "from 0.1 to 10,000 hours a week"),
        ({"name": "Two\nlines"}, "must be one line of text"),
        ({"capacity_hours_per_week": "many"}, "must be a number"),
        ({"capacity_hours_per_week": ""}, "Enter the hours"),
        ({"name": ""}, "Enter a name"),
        ({"department_id": ""}, "Select the team&#39;s department"),
        ({"lead_id": "99999"}, "Not a valid choice"),
    ],
)
def test_bad_team_input_is_refused(client, admin, make, overrides, message):
    dept = make.department()
    data = {
        "name": "Team A",
        "department_id": str(dept.id),
        "lead_id": "",
        "capacity_hours_per_week": "20",
    } | overrides
    before = snapshot("teams")
    response = client.post("/admin/teams/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot("teams") == before


def test_a_team_cannot_move_department(client, admin, make, session):
    team = make.team()
    other = make.department()
    data = {
        "name": team.name,
        "department_id": str(other.id),
        "lead_id": "",
        "capacity_hours_per_week": "20",
    }
    response = client.post(f"/admin/teams/{team.id}", data=data)
    assert response.status_code == 422 and "Create a new team" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["director", "manager", "team_lead"])
@pytest.mark.parametrize(
    "url",
    ["/admin/users", "/admin/users/new", "/admin/departments", "/admin/teams", "/admin/teams/new"],
)
def test_admin_pages_are_for_admins_only(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403
