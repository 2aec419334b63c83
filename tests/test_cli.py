"""The flask commands of SPEC §7: users create, demo load."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.models import CapacityAdjustment, Department, Initiative, Task, Team, User
from tracker.services.workload import teams_load
from tracker.web.helpers import today


def test_users_create_reads_the_password_from_stdin(app, session, make):
    make.department("Adult Social Care")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "jo", "--role", "manager", "--department", "Adult Social Care",
              "--email", "jo@council.example"],
        input="a long password\na long password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.username == "jo"))
    assert user.role == "manager" and user.check_password("a long password")
    assert user.department.name == "Adult Social Care"


def test_users_create_refuses_a_mismatched_confirmation(app, session):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "jo", "--role", "director"], input="first password\nsecond one!\n"
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_users_create_refuses_short_passwords_unknown_departments_and_duplicates(app, make):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "a", "--role", "admin"], input="short\n")
    assert short.exit_code != 0 and "at least 10" in short.output
    nowhere = runner.invoke(
        args=["users", "create", "b", "--role", "manager", "--department", "Nowhere"],
        input="long enough password\n",
    )
    assert nowhere.exit_code != 0 and "No department" in nowhere.output
    make.user("admin", username="taken")
    dup = runner.invoke(
        args=["users", "create", "taken", "--role", "admin"], input="kettle orbit marmalade\n"
    )
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_demo_load_builds_a_realistic_council_once(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count()).select_from(Department)) == 4
    assert 13 <= session.scalar(select(func.count()).select_from(Team)) <= 17
    assert session.scalar(select(func.count()).select_from(Initiative)) >= 6
    tasks = session.scalars(select(Task)).all()
    assert any(t.status == "blocked" for t in tasks)
    assert any(t.status != "done" and t.due_date < today() for t in tasks)
    assert any(
        t.overloaded(app.config["OVERLOAD_THRESHOLD"]) for t in teams_load(session, today(), 8)
    )
    # Realistic staffing (SPEC §9): every team has an establishment; Safeguarding has
    # about a fifth of its posts vacant, partly covered by agency staff.
    assert session.scalar(select(func.count()).where(Team.establishment_fte.is_(None))) == 0
    safeguarding = session.scalar(select(Team).where(Team.name == "Safeguarding and Assessment"))
    kinds = {
        a.kind: a.fte
        for a in session.scalars(
            select(CapacityAdjustment).where(CapacityAdjustment.team_id == safeguarding.id)
        )
    }
    assert 0.15 <= kinds["vacancy"] / safeguarding.establishment_fte <= 0.25
    assert kinds["agency_cover"] < kinds["vacancy"]
    load = teams_load(session, today(), 8, [safeguarding.id])[0]
    assert all(w.capacity_hours < safeguarding.capacity_hours_per_week for w in load.weeks)
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in again.output
    assert session.scalar(select(func.count()).select_from(Department)) == 4
