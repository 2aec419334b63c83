"""The alert sweep: each kind to the right people, idempotent, re-armed, set-wise."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, select

from tracker.extensions import db
from tracker.models import Alert, SweepRun
from tracker.queries.alerts import AlertRule
from tracker.services.sweep import check_team_overload, run_sweep

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
RULE = AlertRule()


def alerts(session, kind=None):
    stmt = select(Alert).order_by(Alert.id)
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    return list(session.scalars(stmt))


def recipients(session, kind):
    return sorted(a.recipient_id for a in alerts(session, kind))


def plan(make, due, status="not_started", effort=1.0, start=None, capacity=37.5):
    """A department, its manager (owner), a team with a lead, one task."""
    dept = make.department()
    owner = make.user("manager", department=dept)
    lead = make.user("team_lead", department=dept)
    team = make.team(department=dept, lead=lead, capacity=capacity)
    initiative = make.initiative(owner=owner, departments=[dept], title="Supporting People")
    task = make.task(
        team=team,
        initiative=initiative,
        due=due,
        start=start or min(due, TODAY),
        effort=effort,
        status=status,
        title="Map housing support",
    )
    return dept, owner, lead, team, task


def test_due_soon_goes_to_the_team_lead_only_naming_everything(session, make):
    _, owner, lead, team, task = plan(make, TODAY + timedelta(days=3))
    make.user("director")
    result = run_sweep(session, NOW, RULE)
    assert result.created["due_soon"] == 1
    assert recipients(session, "due_soon") == [lead.id]
    alert = alerts(session, "due_soon")[0]
    assert alert.subject_type == "task" and alert.subject_id == task.id
    assert alert.dedup_key == f"due_soon:task:{task.id}:{task.due_date.isoformat()}"
    for name in ("Map housing support", "Supporting People", team.name, "3 Dec 2026"):
        assert name in alert.message
    # What to do, with whom, and where: the task's status form.
    expected = f"Finish it by 3 Dec 2026, or agree a new date with {owner.display_name}."
    assert alert.action == expected
    assert alert.url == f"/tasks/{task.id}#update"
    assert alerts(session, "overdue") == [] and alerts(session, "escalation") == []


def test_task_beyond_the_window_or_done_gets_nothing(session, make):
    plan(make, TODAY + timedelta(days=RULE.due_soon_days + 1))
    plan(make, TODAY - timedelta(days=30), status="done")
    result = run_sweep(session, NOW, RULE)
    assert result.alerts_created == 0


def test_overdue_and_escalation(session, make):
    _, owner, lead, _, task = plan(make, TODAY - timedelta(days=RULE.escalate_after_days))
    director = make.user("director")
    make.user("director", active=False)
    _, owner2, lead2, _, _ = plan(make, TODAY - timedelta(days=1))
    run_sweep(session, NOW, RULE)
    assert recipients(session, "overdue") == sorted([owner.id, lead.id, owner2.id, lead2.id])
    escalations = alerts(session, "escalation")
    assert [(a.recipient_id, a.subject_id) for a in escalations] == [(director.id, task.id)]
    assert "has been overdue since 16 Nov 2026" in escalations[0].message
    assert owner.display_name in escalations[0].action
    by_recipient = {a.recipient_id: a for a in alerts(session, "overdue")}
    assert by_recipient[lead.id].action.startswith("Mark it done, or agree a new date with")
    assert lead.display_name in by_recipient[owner.id].action


def test_second_sweep_creates_nothing(session, make):
    plan(make, TODAY - timedelta(days=20), effort=200)
    make.user("director")
    first = run_sweep(session, NOW, RULE)
    assert first.alerts_created == 3
    second = run_sweep(session, NOW + timedelta(hours=1), RULE)
    assert second.alerts_created == 0
    runs = list(session.scalars(select(SweepRun).order_by(SweepRun.id)))
    assert [r.alerts_created for r in runs] == [first.alerts_created, 0]
    assert "escalation=1" in runs[0].summary


def test_rescheduling_re_arms_the_alert(session, make):
    _, _, lead, _, task = plan(make, TODAY + timedelta(days=2))
    run_sweep(session, NOW, RULE)
    task.due_date = TODAY + timedelta(days=5)
    session.commit()
    result = run_sweep(session, NOW, RULE)
    assert result.created["due_soon"] == 1 and result.resolved == 1
    old, new = alerts(session, "due_soon")
    assert old.dedup_key != new.dedup_key and old.recipient_id == new.recipient_id == lead.id
    assert old.resolved_reason == "re-dated to 5 Dec 2026" and new.resolved_at is None


def test_inactive_users_get_nothing(session, make):
    _, owner, lead, _, _ = plan(make, TODAY - timedelta(days=1))
    lead.active = False
    session.commit()
    run_sweep(session, NOW, RULE)
    assert recipients(session, "overdue") == [owner.id]


def test_team_overload_is_one_alert_per_episode_to_lead_and_owner(session, make):
    # 100 hours over two working weeks against 37.5 a week: both weeks overloaded.
    dept, owner, lead, team, _ = plan(
        make, TODAY + timedelta(days=11), start=TODAY, effort=100.0, capacity=37.5
    )
    make.user("manager", department=dept)  # owns nothing planned for the team
    result = run_sweep(session, NOW, RULE)
    assert result.created["team_overload"] == 2
    overloads = alerts(session, "team_overload")
    assert {a.recipient_id for a in overloads} == {lead.id, owner.id}
    assert team.name in overloads[0].message
    assert "the weeks of 30 Nov 2026 to 7 Dec 2026" in overloads[0].message
    assert "at its peak, 133% of its capacity" in overloads[0].message
    assert run_sweep(session, NOW + timedelta(days=1), RULE).created["team_overload"] == 0


def test_threshold_is_strict(session, make):
    # Exactly 37.5 hours in one week: a ratio of 1.0 is not over 1.0.
    plan(make, TODAY + timedelta(days=4), start=TODAY, effort=37.5, capacity=37.5)
    assert run_sweep(session, NOW, RULE).created["team_overload"] == 0


def test_department_overload_by_load_goes_to_directors(session, make):
    dept, *_ = plan(make, TODAY + timedelta(days=4), start=TODAY, effort=80.0, capacity=37.5)
    make.team(department=dept, capacity=37.5)  # dept capacity 75 < 80
    director = make.user("director")
    run_sweep(session, NOW, RULE)
    found = alerts(session, "department_overload")
    assert [(a.recipient_id, a.subject_id, a.subject_type) for a in found] == [
        (director.id, dept.id, "department")
    ]
    assert found[0].dedup_key.startswith(f"department_overload:department:{dept.id}:2026-11-30:")
    assert dept.name in found[0].message and "the week of 30 Nov 2026" in found[0].message
    assert found[0].url == f"/dashboard/departments/{dept.id}" and found[0].action


def test_department_overload_by_initiative_count(session, make):
    dept = make.department()
    director = make.user("director")
    owner = make.user("manager", department=dept)
    for _ in range(RULE.department_initiative_limit + 1):
        make.initiative(owner=owner, departments=[dept], status="rollout")
    make.initiative(owner=owner, departments=[dept], status="proposed")
    run_sweep(session, NOW, RULE)
    found = alerts(session, "department_overload")
    assert [a.recipient_id for a in found] == [director.id]
    assert "7 active initiatives" in found[0].message


def test_department_at_the_limit_is_not_overloaded(session, make):
    dept = make.department()
    make.user("director")
    owner = make.user("manager", department=dept)
    for _ in range(RULE.department_initiative_limit):
        make.initiative(owner=owner, departments=[dept], status="planning")
    assert run_sweep(session, NOW, RULE).alerts_created == 0


def test_check_team_overload_only_touches_the_given_teams(session, make):
    _, _, lead, team, _ = plan(make, TODAY + timedelta(days=4), start=TODAY, effort=80.0)
    _, _, other_lead, _, _ = plan(make, TODAY + timedelta(days=4), start=TODAY, effort=80.0)
    result = check_team_overload(session, [team.id], NOW, RULE)
    assert result.created["due_soon"] == 0
    overloaded = {a.recipient_id for a in alerts(session, "team_overload")}
    assert lead.id in overloaded and other_lead.id not in overloaded
    assert session.scalar(select(SweepRun.id)) is None


def test_sweep_uses_a_fixed_number_of_statements(session, make):
    def count_statements(n_tasks):
        session.execute(Alert.__table__.delete())
        session.commit()
        for _ in range(n_tasks):
            plan(make, TODAY - timedelta(days=20), effort=100)
        statements = []

        def record(*args):
            statements.append(args[2])

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            run_sweep(session, NOW, RULE)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len([s for s in statements if "email_messages" not in s])

    assert count_statements(1) == count_statements(4)


def test_sweep_failure_is_recorded_and_raised(session, make):
    bad = AlertRule(due_soon_days=10**7)  # beyond the last date Python knows
    plan(make, TODAY)
    try:
        run_sweep(session, NOW, bad)
    except OverflowError:
        pass
    else:
        raise AssertionError("the sweep should have failed")
    run = session.scalar(select(SweepRun))
    assert run is not None and run.error


def test_cli_runs_the_sweep(app, make):
    plan(make, date.today() + timedelta(days=1))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["alerts", "sweep"])
    assert first.exit_code == 0, first.output
    assert "1 new alert(s)" in first.output
    second = runner.invoke(args=["alerts", "sweep"])
    assert "0 new alert(s)" in second.output
