"""The stored workload follows every change of a task, exactly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.domain.workload import week_start
from tracker.models import TaskWeekLoad, TeamDueDay, TeamWeekLoad
from tracker.services.actors import actor_for
from tracker.services.tasks import update_task
from tracker.services.workload import teams_load
from tracker.web.helpers import now


def next_monday() -> date:
    return week_start(date.today()) + timedelta(weeks=1)


def planned(session, team_id):
    rows = session.execute(
        select(TeamWeekLoad.week_start, TeamWeekLoad.planned_hours).where(
            TeamWeekLoad.team_id == team_id
        )
    ).all()
    return {r.week_start: r.planned_hours for r in rows}


def test_a_task_adds_its_weekly_shares_to_its_team(make, session):
    monday = next_monday()
    team = make.team(capacity=10)
    make.task(team=team, start=monday, due=monday + timedelta(days=4), effort=15)
    assert planned(session, team.id) == {monday: pytest.approx(15)}
    load = teams_load(session, date.today(), 3, [team.id])[0]
    assert load.weeks[1].load_ratio == pytest.approx(1.5)
    assert load.overloaded(1.0)


def test_moving_a_task_to_another_team_clears_its_old_place(make, session):
    monday = next_monday()
    manager = make.user("manager")
    dept = manager.department
    first, second = make.team(department=dept), make.team(department=dept)
    initiative = make.initiative(owner=manager, departments=[dept])
    task = make.task(team=first, initiative=initiative, start=monday, due=monday, effort=5)
    update_task(
        session, actor_for(session, manager), task.id, {"team_id": second.id}, task.version, now()
    )
    assert planned(session, first.id) == {}
    assert planned(session, second.id) == {monday: pytest.approx(5)}
    due_rows = session.execute(select(TeamDueDay.team_id, TeamDueDay.open_tasks)).all()
    assert [(r.team_id, r.open_tasks) for r in due_rows] == [(second.id, 1)]


def test_done_tasks_carry_no_load_and_reopening_restores_it(make, session):
    monday = next_monday()
    lead = make.user("team_lead")
    team = make.team(lead=lead)
    task = make.task(team=team, start=monday, due=monday + timedelta(days=1), effort=4)
    actor = actor_for(session, lead)
    task = update_task(session, actor, task.id, {"status": "done"}, task.version, now())
    assert planned(session, team.id) == {}
    assert session.scalar(select(func.count()).select_from(TaskWeekLoad)) == 0
    assert task.completed_at is not None
    task = update_task(session, actor, task.id, {"status": "in_progress"}, task.version, now())
    assert planned(session, team.id) == {monday: pytest.approx(4)}
    assert task.completed_at is None


def test_two_tasks_sum_and_rescheduling_one_keeps_the_other(make, session):
    monday = next_monday()
    manager = make.user("manager")
    team = make.team(department=manager.department)
    initiative = make.initiative(owner=manager, departments=[manager.department])
    a = make.task(team=team, initiative=initiative, start=monday, due=monday, effort=3)
    make.task(team=team, initiative=initiative, start=monday, due=monday, effort=4)
    assert planned(session, team.id) == {monday: pytest.approx(7)}
    later = monday + timedelta(weeks=2)
    update_task(
        session,
        actor_for(session, manager),
        a.id,
        {"start_date": later, "due_date": later},
        a.version,
        now(),
    )
    assert planned(session, team.id) == {monday: pytest.approx(4), later: pytest.approx(3)}
