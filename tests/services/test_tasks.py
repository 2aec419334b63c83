"""services.tasks: planning, status, history, optimistic locking, stored load, access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from tracker.models import Task, TaskUpdate, TaskWeekLoad, TeamDueDay
from tracker.services.actors import actor_for
from tracker.services.errors import Conflict, Forbidden, Invalid, NotFound
from tracker.services.tasks import TaskData, create_task, update_task
from tracker.web.helpers import now

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
MONDAY = date(2026, 12, 7)


@pytest.fixture
def world(make, session):
    dept = make.department()
    manager = make.user("manager", department=dept)
    lead = make.user("team_lead")
    team = make.team(department=dept, lead=lead, capacity=20)
    initiative = make.initiative(owner=manager, departments=[dept])
    return {
        "session": session,
        "manager": actor_for(session, manager),
        "lead": actor_for(session, lead),
        "team": team,
        "initiative": initiative,
        "make": make,
    }


def data(world, **fields) -> TaskData:
    values = {
        "title": "Write the carers' strategy",
        "team_id": world["team"].id,
        "effort_hours": 10.0,
        "start_date": MONDAY,
        "due_date": MONDAY + timedelta(days=4),
    } | fields
    return TaskData(**values)


def updates(session, task_id) -> list[TaskUpdate]:
    return list(
        session.scalars(
            select(TaskUpdate).where(TaskUpdate.task_id == task_id).order_by(TaskUpdate.id)
        )
    )


def test_create_task_records_history_and_load(world):
    session = world["session"]
    task = create_task(
        session, world["manager"], world["initiative"].id, data(world), NOW, note="Planned at board"
    )
    assert task.version == 1
    assert [(u.old_status, u.new_status, u.note) for u in updates(session, task.id)] == [
        (None, "not_started", "Planned at board")
    ]
    loads = session.scalars(select(TaskWeekLoad).where(TaskWeekLoad.task_id == task.id)).all()
    assert [(row.week_start, row.hours) for row in loads] == [(MONDAY, 10.0)]
    due = session.get(TeamDueDay, (world["team"].id, MONDAY + timedelta(days=4)))
    assert due.open_tasks == 1 and due.open_effort_hours == 10.0


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 10_001}, "description"),
        ({"effort_hours": 0}, "effort_hours"),
        ({"effort_hours": None}, "effort_hours"),
        ({"start_date": MONDAY + timedelta(days=5)}, "due_date"),
        ({"status": "blocked"}, "blocked_reason"),
        ({"status": "finished"}, "status"),
        ({"team_id": None}, "team_id"),
        ({"depends_on": [99999]}, "depends_on"),
    ],
)
def test_create_task_refuses_bad_input(world, fields, field):
    session = world["session"]
    with pytest.raises(Invalid) as error:
        create_task(session, world["manager"], world["initiative"].id, data(world, **fields), NOW)
    assert field in error.value.fields
    assert session.scalar(select(Task.id)) is None


def test_create_task_refuses_team_of_unaffected_department(world):
    other_team = world["make"].team()
    with pytest.raises(Invalid) as error:
        create_task(
            world["session"],
            world["manager"],
            world["initiative"].id,
            data(world, team_id=other_team.id),
            NOW,
        )
    assert "department the initiative affects" in error.value.fields["team_id"]


def test_create_task_access(world, make, session):
    other_manager = actor_for(session, make.user("manager"))
    for actor in (world["lead"], other_manager, actor_for(session, make.user("director"))):
        with pytest.raises(Forbidden):
            create_task(session, actor, world["initiative"].id, data(world), NOW)
    with pytest.raises(NotFound):
        create_task(session, world["manager"], 9999, data(world), NOW)


def test_lead_updates_status_with_a_note(world):
    session = world["session"]
    task = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    task = update_task(
        session,
        world["lead"],
        task.id,
        {"status": "blocked", "blocked_reason": "No room"},
        1,
        NOW,
        note="Booked another",
    )
    assert task.status == "blocked" and task.version == 2
    last = updates(session, task.id)[-1]
    assert (last.old_status, last.new_status, last.note) == (
        "not_started",
        "blocked",
        "Booked another",
    )


def test_done_sets_completed_at_and_clears_load(world):
    session = world["session"]
    task = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    update_task(session, world["lead"], task.id, {"status": "done"}, 1, NOW)
    assert task.completed_at == NOW
    assert (
        session.scalar(select(TaskWeekLoad.task_id).where(TaskWeekLoad.task_id == task.id)) is None
    )
    assert session.get(TeamDueDay, (world["team"].id, task.due_date)) is None
    update_task(session, world["lead"], task.id, {"status": "in_progress"}, 2, NOW)
    assert task.completed_at is None
    assert (
        session.scalar(select(TaskWeekLoad.task_id).where(TaskWeekLoad.task_id == task.id))
        == task.id
    )


def test_lead_cannot_change_the_plan_or_other_teams_tasks(world, make, session):
    task = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    with pytest.raises(Forbidden):
        update_task(session, world["lead"], task.id, {"effort_hours": 99.0}, 1, NOW)
    other_lead = actor_for(session, make.user("team_lead"))
    with pytest.raises(Forbidden):
        update_task(session, other_lead, task.id, {"status": "done"}, 1, NOW)
    session.rollback()
    assert session.get(Task, task.id).version == 1


def test_stale_or_missing_version_is_a_conflict(world):
    session = world["session"]
    task = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    for version in (None, 0, 2):
        with pytest.raises(Conflict):
            update_task(session, world["lead"], task.id, {"status": "done"}, version, NOW)
    assert len(updates(session, task.id)) == 1


def test_a_concurrent_write_between_read_and_save_is_a_conflict(world, app):
    """Two people read version 1; the other's save lands first. The version check passed
    in Python, so the database's versioned UPDATE must catch it: a 409, never a 500."""
    from tracker.extensions import db

    session = world["session"]
    task = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    assert task.version == 1  # loaded in this session at version 1
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE tasks SET version = 2, status = 'in_progress' WHERE id = :id"),
            {"id": task.id},
        )
    with pytest.raises(Conflict):
        update_task(session, world["lead"], task.id, {"status": "done"}, 1, NOW)
    session.expire_all()
    assert session.get(Task, task.id).status == "in_progress"
    assert len(updates(session, task.id)) == 1


def test_plan_edit_moves_the_stored_load(world, make):
    session = world["session"]
    other_team = make.team(department=world["team"].department)
    task = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    new_due = MONDAY + timedelta(days=11)
    update_task(
        session, world["manager"], task.id, {"team_id": other_team.id, "due_date": new_due}, 1, NOW
    )
    rows = session.execute(
        select(TaskWeekLoad.team_id, TaskWeekLoad.week_start).where(TaskWeekLoad.task_id == task.id)
    ).all()
    assert {r.team_id for r in rows} == {other_team.id}
    assert session.get(TeamDueDay, (world["team"].id, MONDAY + timedelta(days=4))) is None
    assert "Moved from" in updates(session, task.id)[-1].changes


def test_dependencies_refuse_self_and_cycles(world):
    session = world["session"]
    first = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    second = create_task(
        session, world["manager"], world["initiative"].id, data(world, depends_on=[first.id]), NOW
    )
    with pytest.raises(Invalid, match="could not be saved") as error:
        update_task(session, world["manager"], first.id, {"depends_on": [first.id]}, 1, NOW)
    assert "itself" in error.value.fields["depends_on"]
    with pytest.raises(Invalid) as error:
        update_task(session, world["manager"], first.id, {"depends_on": [second.id]}, 1, NOW)
    assert "cycle" in error.value.fields["depends_on"]


def test_nothing_to_save_and_oversize_note(world):
    session = world["session"]
    task = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    with pytest.raises(Invalid) as error:
        update_task(session, world["lead"], task.id, {"status": "not_started"}, 1, NOW)
    assert "note" in error.value.fields
    with pytest.raises(Invalid) as error:
        update_task(session, world["lead"], task.id, {}, 1, NOW, note="x" * 10_001)
    assert "note" in error.value.fields


def test_unknown_fields_are_refused(world):
    session = world["session"]
    task = create_task(session, world["manager"], world["initiative"].id, data(world), NOW)
    with pytest.raises(Invalid) as error:
        update_task(session, world["manager"], task.id, {"initiative_id": 5}, 1, NOW)
    assert "initiative_id" in error.value.fields


def test_dates_outside_the_planning_range_are_refused(make, session):

    manager = make.user("manager")
    team = make.team(department=manager.department)
    initiative = make.initiative(owner=manager, departments=[manager.department])
    task = make.task(team=team, initiative=initiative)
    with pytest.raises(Invalid) as refused:
        update_task(
            session,
            actor_for(session, manager),
            task.id,
            {"start_date": date(1, 1, 1), "due_date": date(9999, 12, 31)},
            task.version,
            now(),
        )
    assert set(refused.value.fields) == {"start_date", "due_date"}


def test_a_reason_is_kept_only_while_blocked(make, session):

    lead = make.user("team_lead")
    task = make.task(team=make.team(lead=lead))
    task = update_task(
        session,
        actor_for(session, lead),
        task.id,
        {"status": "in_progress", "blocked_reason": "stray"},
        task.version,
        now(),
    )
    assert task.blocked_reason is None
