"""The generated council: deterministic, the right shape, its stored load exact."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select, text

from tests.conftest import empty_tables
from tracker.domain.workload import weekly_shares
from tracker.models import (
    Department,
    Initiative,
    Task,
    TaskWeekLoad,
    Team,
    TeamDueDay,
    TeamWeekLoad,
    User,
)
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.scale_demo import DEMO_PASSWORD, council_size, generate_council

TODAY = date(2026, 11, 30)


def empty(session) -> None:
    session.rollback()
    empty_tables()


def fingerprint(session) -> list[tuple]:
    rows = session.execute(
        select(
            Task.id, Task.title, Team.name, Task.effort_hours, Task.start_date, Task.due_date,
            Task.status, Initiative.title,
        )
        .join(Team, Team.id == Task.team_id)
        .join(Initiative, Initiative.id == Task.initiative_id)
        .order_by(Task.id)
    )  # fmt: skip
    first = None
    result = []
    for row in rows:
        first = first if first is not None else row[0]
        result.append((row[0] - first, *row[1:]))
    return result


@pytest.mark.parametrize(
    "n, expected",
    [(1, (1, 1, 1)), (100, (1, 2, 1)), (1_000, (2, 20, 6)), (10_000, (12, 200, 60)),
     (1_000_000, (12, 200, 60))],
)  # fmt: skip
def test_council_size_scales_down_for_small_n(n, expected):
    size = council_size(n)
    assert (size.departments, size.teams, size.initiatives) == expected


def test_generation_is_deterministic(session):
    generate_council(session, 400, seed=3, echo=None, today=TODAY)
    first = fingerprint(session)
    empty(session)
    generate_council(session, 400, seed=3, echo=None, today=TODAY)
    assert fingerprint(session) == first
    empty(session)
    generate_council(session, 400, seed=4, echo=None, today=TODAY)
    assert fingerprint(session) != first


def test_shape_users_and_statuses(session):
    summary = generate_council(session, 2_000, echo=None, today=TODAY)
    assert session.scalar(select(func.count()).select_from(Task)) == 2_000
    assert session.scalar(select(func.count()).select_from(Department)) == summary.departments
    teams = session.scalars(select(Team)).all()
    assert len(teams) == summary.teams == 40
    assert all(20 <= t.capacity_hours_per_week <= 200 for t in teams)
    leads = {u.id: u for u in session.scalars(select(User).where(User.role == "team_lead"))}
    assert all(t.lead_id in leads for t in teams)
    assert session.scalar(select(func.count()).where(User.role == "director")) >= 1
    assert leads[teams[0].lead_id].check_password(DEMO_PASSWORD)
    hashes = set(session.scalars(select(User.password_hash)))
    assert len(hashes) == 1  # one hash computed once
    statuses = dict(session.execute(select(Task.status, func.count()).group_by(Task.status)).all())
    assert set(statuses) == {"not_started", "in_progress", "blocked", "done"}
    overdue = session.scalar(
        select(func.count()).where(Task.status != "done", Task.due_date < TODAY)
    )
    assert overdue > 0
    # Every task's team belongs to a department its initiative affects.
    stray = session.execute(
        text(
            "SELECT count(*) FROM tasks t JOIN teams tm ON tm.id = t.team_id "
            "LEFT JOIN initiative_departments d ON d.initiative_id = t.initiative_id "
            "AND d.department_id = tm.department_id WHERE d.department_id IS NULL"
        )
    ).scalar()
    assert stray == 0


def test_stored_load_matches_an_independent_computation(session):
    generate_council(session, 600, echo=None, today=TODAY)
    expected: dict[tuple[int, date], float] = defaultdict(float)
    due: dict[tuple[int, date], list] = defaultdict(lambda: [0, 0.0])
    for task in session.scalars(select(Task).where(Task.status != "done")):
        for week, hours in weekly_shares(
            task.effort_hours, task.start_date, task.due_date, BANK_HOLIDAYS
        ).items():
            expected[(task.team_id, week)] += hours
        due[(task.team_id, task.due_date)][0] += 1
        due[(task.team_id, task.due_date)][1] += task.effort_hours
    stored = {
        (r.team_id, r.week_start): r.planned_hours for r in session.scalars(select(TeamWeekLoad))
    }
    assert stored.keys() == expected.keys()
    for key, hours in expected.items():
        assert stored[key] == pytest.approx(hours)
    stored_due = {
        (r.team_id, r.due_date): [r.open_tasks, r.open_effort_hours]
        for r in session.scalars(select(TeamDueDay))
    }
    assert stored_due == {k: [v[0], pytest.approx(v[1])] for k, v in due.items()}
    shares = session.scalar(select(func.count()).select_from(TaskWeekLoad))
    assert shares >= len(due)


def test_echo_prints_a_summary_line(session, capsys):
    lines = []
    generate_council(session, 50, echo=lines.append, today=TODAY)
    assert len(lines) == 1 and "Generated 50 tasks" in lines[0]
