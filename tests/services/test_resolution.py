"""SPEC §5 "Resolution" and "First missed date": alerts end when their condition does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tracker.models import Alert, EmailMessage, Task
from tracker.queries.alerts import AlertRule, unread_count
from tracker.services import outbox
from tracker.services.actors import actor_for
from tracker.services.email import MailSettings, send_email
from tracker.services.sweep import check_team_overload, run_sweep
from tracker.services.tasks import update_task

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
RULE = AlertRule()


def plan(make, due, effort=1.0, start=None, mode="immediate"):
    dept = make.department()
    owner = make.user("manager", department=dept, email_mode=mode)
    lead = make.user("team_lead", department=dept, email_mode=mode)
    team = make.team(department=dept, lead=lead, capacity=37.5)
    initiative = make.initiative(owner=owner, departments=[dept], title="Supporting People")
    task = make.task(
        team=team,
        initiative=initiative,
        due=due,
        start=start or min(due, TODAY),
        effort=effort,
        title="Map housing support",
    )
    return owner, lead, team, task


def alerts(session, kind=None):
    stmt = select(Alert).order_by(Alert.id)
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    return list(session.scalars(stmt))


def change(session, user, task, now, **changes):
    task = session.get(Task, task.id, populate_existing=True)
    return update_task(session, actor_for(session, user), task.id, changes, task.version, now)


def test_done_resolves_at_once_in_the_immediate_check_and_leaves_the_unread_count(session, make):
    owner, lead, team, task = plan(make, TODAY - timedelta(days=2))
    run_sweep(session, NOW, RULE)
    assert unread_count(session, lead.id) == 1 and unread_count(session, owner.id) == 1
    later = NOW + timedelta(days=1, hours=1)
    change(session, lead, task, later, status="done")
    # What the job queued by the change runs: no need to wait for the hourly sweep.
    assert check_team_overload(session, [team.id], later, RULE).resolved == 2
    for alert in alerts(session, "overdue"):
        assert alert.resolved_at == later and alert.resolved_reason == "done on 1 Dec 2026"
    assert unread_count(session, lead.id) == 0 and unread_count(session, owner.id) == 0
    assert len(alerts(session)) == 2  # still in the inbox, marked resolved
    assert run_sweep(session, later, RULE).alerts_created == 0


def test_re_dated_overdue_task_resolves_with_its_new_date(session, make):
    owner, _lead, team, task = plan(make, TODAY - timedelta(days=2))
    run_sweep(session, NOW, RULE)
    change(session, owner, task, NOW, due_date=TODAY + timedelta(days=46))
    check_team_overload(session, [team.id], NOW, RULE)
    reasons = {a.resolved_reason for a in alerts(session, "overdue")}
    assert reasons == {"re-dated to 15 Jan 2027"}


def test_due_soon_gives_way_to_overdue(session, make):
    _, lead, _, _task = plan(make, TODAY + timedelta(days=1))
    run_sweep(session, NOW, RULE)
    run_sweep(session, NOW + timedelta(days=2), RULE)
    [due_soon] = alerts(session, "due_soon")
    assert due_soon.resolved_reason == "now overdue"
    assert [a.resolved_at for a in alerts(session, "overdue")] == [None, None]
    assert unread_count(session, lead.id) == 1


def test_first_missed_date_survives_re_dating_and_escalates_at_once(session, make):
    owner, _lead, _team, task = plan(make, TODAY - timedelta(days=10))
    director = make.user("director")
    # Re-dated before any sweep saw it overdue: the service keeps the miss.
    change(session, owner, task, NOW, due_date=TODAY + timedelta(days=3))
    assert session.get(Task, task.id, populate_existing=True).first_missed_on == TODAY - timedelta(
        days=10
    )
    assert run_sweep(session, NOW, RULE).created["escalation"] == 0
    # It misses the new date too: 15 days after the first miss, it escalates at once.
    later = NOW + timedelta(days=5)
    assert run_sweep(session, later, RULE).created["escalation"] == 1
    [escalation] = alerts(session, "escalation")
    assert escalation.recipient_id == director.id
    assert "first missed its due date on 20 Nov 2026" in escalation.message
    assert "re-dated to 3 Dec 2026" in escalation.message
    # Re-dating it again does not restart the clock: the next miss escalates at once.
    change(session, owner, task, later, due_date=TODAY + timedelta(days=8))
    run_sweep(session, later, RULE)
    assert escalation.resolved_reason == "re-dated to 8 Dec 2026"
    assert run_sweep(session, NOW + timedelta(days=9), RULE).created["escalation"] == 1


def test_the_sweep_records_first_missed_dates(session, make):
    _, _, _, task = plan(make, TODAY - timedelta(days=1))
    run_sweep(session, NOW, RULE)
    assert session.get(Task, task.id, populate_existing=True).first_missed_on == task.due_date


def test_overloaded_week_back_under_capacity(session, make):
    owner, _lead, team, task = plan(make, TODAY + timedelta(days=4), effort=80.0, start=TODAY)
    run_sweep(session, NOW, RULE)
    overloads = alerts(session, "team_overload")
    assert overloads and all(a.url == f"/teams/{team.id}#load" for a in overloads)
    assert all(a.action for a in overloads)
    change(session, owner, task, NOW, effort_hours=20.0)
    check_team_overload(session, [team.id], NOW, RULE)
    assert {a.resolved_reason for a in alerts(session, "team_overload")} == {"back under capacity"}


def test_a_resolved_alert_is_dropped_from_emails_not_yet_sent(app, session, make, tmp_path):
    _owner, lead, team, task = plan(make, TODAY - timedelta(days=2))
    run_sweep(session, NOW, RULE)
    messages = list(session.scalars(select(EmailMessage)))
    assert len(messages) == 2
    change(session, lead, task, NOW, status="done")
    check_team_overload(session, [team.id], NOW, RULE)
    mail = MailSettings.from_config(app.config)
    mail = MailSettings(**{**mail.__dict__, "outbox": tmp_path})
    for message in messages:
        assert send_email(session, message.id, NOW, mail).state == "cancelled"
    assert list(tmp_path.iterdir()) == []
    assert {m.state for m in session.scalars(select(EmailMessage))} == {"cancelled"}


def test_a_digest_leaves_out_resolved_alerts(app, session, make, tmp_path):
    _owner, lead, team, task = plan(make, TODAY - timedelta(days=2), mode="digest")
    make.task(team=team, initiative=task.initiative, due=TODAY - timedelta(days=1), title="Other")
    run_sweep(session, NOW, RULE)
    outbox.build_digests(session, NOW)
    change(session, lead, task, NOW, status="done")
    check_team_overload(session, [team.id], NOW, RULE)
    mail = MailSettings.from_config(app.config)
    mail = MailSettings(**{**mail.__dict__, "outbox": tmp_path})
    digest = session.scalar(select(EmailMessage).where(EmailMessage.recipient_id == lead.id))
    assert send_email(session, digest.id, NOW, mail).state == "sent"
    body = session.get(EmailMessage, digest.id).body
    assert "Other" in body and "Map housing support" not in body
    assert "What to do:" in body
