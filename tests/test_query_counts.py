"""Fixed query counts: the busy pages issue as many SQL statements at 10,000 tasks as at 100
(and at 200 teams with about 90 vacancies, absences and agency covers as at 2 teams and 3)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import empty_tables
from tests.web.conftest import count_queries
from tracker.models import CapacityAdjustment, Initiative, Task, Team, User
from tracker.services.auth import issue_token
from tracker.services.scale_demo import generate_council
from tracker.web.helpers import now

SIZES = (100, 10_000)


def empty(session) -> None:
    session.rollback()
    empty_tables()


def busiest_lead_team(session) -> int:
    return session.scalar(
        select(Task.team_id).group_by(Task.team_id).order_by(func.count().desc()).limit(1)
    )


def busiest_lead(session) -> User:
    team_id = busiest_lead_team(session)
    return session.get(User, session.scalar(select(Team.lead_id).where(Team.id == team_id)))


def biggest_initiative(session) -> int:
    return session.scalar(
        select(Initiative.id)
        .join(Task, Task.initiative_id == Initiative.id)
        .group_by(Initiative.id)
        .order_by(func.count().desc())
        .limit(1)
    )


def page_request(name: str, session):
    """(user, url, headers) of the page under test in the current council."""
    director = session.scalar(select(User).where(User.role == "director").limit(1))
    if name == "dashboard":
        return director, "/dashboard", {}
    if name == "heatmap":
        return director, "/dashboard/heatmap", {}
    if name == "department page":
        busiest = session.get(Team, busiest_lead_team(session))
        return director, f"/dashboard/departments/{busiest.department_id}", {}
    if name == "team page":
        return director, f"/teams/{busiest_lead_team(session)}", {}
    if name == "team lead's queue":
        return busiest_lead(session), "/my-tasks", {}
    if name == "initiative page":
        return director, f"/initiatives/{biggest_initiative(session)}", {}
    token, _ = issue_token(session, director, now(), 1)
    return None, "/api/v1/dashboard/departments", {"Authorization": f"Bearer {token}"}


def count_for(client, session, name: str, n: int) -> int | None:
    empty(session)
    generate_council(session, n, echo=None, today=date.today())
    assert session.scalar(select(func.count()).select_from(CapacityAdjustment)) >= 1
    user, url, headers = page_request(name, session)
    if user is not None:
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
    with count_queries() as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    if response.get_data() == b"to be built":
        return None
    return len(statements)


@pytest.mark.parametrize(
    "name",
    [
        "dashboard",
        "heatmap",
        "department page",
        "team page",
        "team lead's queue",
        "initiative page",
        "dashboard API",
    ],
)
def test_query_count_does_not_grow_with_tasks(client, session, name):
    small, large = (count_for(client, session, name, n) for n in SIZES)
    if small is None or large is None:
        pytest.xfail(f"the {name} is not built yet")
    assert small == large, f"{name}: {small} statements at {SIZES[0]} tasks, {large} at {SIZES[1]}"
