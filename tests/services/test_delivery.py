"""SPEC §5 "Delivery": digest by default, once a working day at DIGEST_HOUR London time,
grouped; immediate emails wait out quiet hours; `off` sends nothing. The clock travels
(time-machine) across a weekend, a bank holiday and the clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from tracker.extensions import QUEUE_DEFAULT, QUEUE_EMAIL, get_redis
from tracker.jobs import schedule, set_app
from tracker.models import Alert, EmailMessage
from tracker.services import outbox
from tracker.services.email import MailSettings, send_email
from tracker.services.sweep import rule_from_config, run_sweep

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def council_hours(app):
    """The real settings (the test config turns quiet hours off)."""
    saved = {k: app.config[k] for k in ("QUIET_HOURS", "QUIET_WEEKENDS", "DIGEST_HOUR")}
    app.config.update(QUIET_HOURS="18:00-08:00", QUIET_WEEKENDS=True, DIGEST_HOUR=8)
    set_app(app)
    yield app
    set_app(None)
    app.config.update(saved)


def overdue(make, mode, due: date, dept=None, title="Audit of child protection reviews"):
    dept = dept or make.department()
    owner = make.user("manager", department=dept, email_mode=mode, email="")
    lead = make.user("team_lead", department=dept, email_mode=mode)
    team = make.team(department=dept, lead=lead)
    initiative = make.initiative(owner=owner, departments=[dept])
    make.task(team=team, initiative=initiative, due=due, start=due, title=title)
    return lead


def emails(session, user=None):
    stmt = select(EmailMessage).order_by(EmailMessage.id)
    if user is not None:
        stmt = stmt.where(EmailMessage.recipient_id == user.id)
    return list(session.scalars(stmt))


def test_new_users_get_a_digest(make):
    assert make.user("team_lead").email_mode == "digest"


def test_off_sends_nothing(council_hours, session, make):
    lead = overdue(make, "off", MONDAY.date() - timedelta(days=1))
    rule = rule_from_config(council_hours.config)
    run_sweep(session, MONDAY, rule)
    outbox.build_digests(session, MONDAY, working_time=rule.working_time)
    assert session.scalars(select(Alert).where(Alert.recipient_id == lead.id)).all()
    assert emails(session) == []


@pytest.mark.parametrize(
    "swept, released",
    [
        # Friday evening: the email waits for Monday 08:00.
        (datetime(2026, 12, 4, 19, 0, tzinfo=UTC), datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
        # Christmas Eve evening: past Christmas, the weekend and the bank holiday Monday.
        (datetime(2026, 12, 24, 19, 0, tzinfo=UTC), datetime(2026, 12, 29, 8, 0, tzinfo=UTC)),
        # The spring clock change: 08:00 BST on Monday is 07:00 UTC.
        (datetime(2026, 3, 27, 19, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
    ],
)
def test_immediate_emails_wait_for_working_time(council_hours, session, make, swept, released):
    lead = overdue(make, "immediate", swept.date() - timedelta(days=1))
    with time_machine.travel(swept, tick=False):
        result = council_hours.test_cli_runner().invoke(args=["alerts", "sweep"])
    assert "1 email(s) created, 0 email job(s) queued" in result.output
    [message] = emails(session, lead)
    assert message.next_attempt_at == released
    # A sweep in the night or at the weekend queues nothing; the first one after does.
    assert outbox.queue_pending_emails(session, released - timedelta(minutes=1)) == 0
    assert outbox.queue_pending_emails(session, released) == 1


def test_in_working_hours_an_immediate_email_goes_at_once(council_hours, session, make):
    overdue(make, "immediate", MONDAY.date() - timedelta(days=1))
    result = run_sweep(session, MONDAY, rule_from_config(council_hours.config))
    assert result.emails_created == 1 and result.emails_queued == 1
    assert emails(session)[0].next_attempt_at is None


@pytest.mark.parametrize(
    "now, next_digest",
    [
        # Monday after the digest hour: Tuesday's.
        (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        # Friday: Monday's, never Saturday's or Sunday's.
        (datetime(2026, 12, 4, 9, 0, tzinfo=UTC), datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
        # Christmas Eve: Tuesday 29 Dec, after two bank holidays and a weekend.
        (datetime(2026, 12, 24, 9, 0, tzinfo=UTC), datetime(2026, 12, 29, 8, 0, tzinfo=UTC)),
        # Before the hour on a working day: that day's.
        (datetime(2026, 12, 1, 7, 59, tzinfo=UTC), datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        # Across the spring clock change: 08:00 London is 07:00 UTC on Monday 30 March.
        (datetime(2026, 3, 27, 9, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        # In summer, 07:30 UTC is 08:30 BST: the day's digest is past, so tomorrow's.
        (datetime(2026, 7, 1, 7, 30, tzinfo=UTC), datetime(2026, 7, 2, 7, 0, tzinfo=UTC)),
    ],
)
def test_the_digest_is_scheduled_once_per_working_day(council_hours, now, next_digest):
    digest = schedule.BY_NAME["digest"]
    config = council_hours.config
    # Two workers, each with its scheduler, register the next digest: once.
    first = Queue(QUEUE_DEFAULT, connection=get_redis())
    second = Queue(QUEUE_DEFAULT, connection=get_redis())
    assert schedule.schedule_next(first, digest, config, now) is True
    assert schedule.schedule_next(second, digest, config, now) is False
    slot = digest.next_slot(config, now, None)
    assert digest.slot_start(config, slot) == next_digest
    ids = ScheduledJobRegistry(queue=first).get_job_ids()
    assert ids.count(digest.job_id(slot)) == 1


def test_two_workers_running_the_digest_send_one_per_person(council_hours, session, make):
    lead = overdue(make, "digest", MONDAY.date() - timedelta(days=1))
    run_sweep(session, MONDAY, rule_from_config(council_hours.config))
    digest = schedule.BY_NAME["digest"]
    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    slot = digest.slot_at(council_hours.config, at)
    with time_machine.travel(at, tick=False):
        schedule.tick("digest", slot)  # one worker
        schedule.tick("digest", slot)  # another, or a retry of the same
    [message] = emails(session, lead)
    assert (message.kind, message.digest_date) == ("digest", date(2026, 12, 1))
    assert Queue(QUEUE_EMAIL, connection=get_redis()).count == 1


def test_no_digest_on_a_weekend_or_bank_holiday(council_hours, session, make):
    overdue(make, "digest", MONDAY.date() - timedelta(days=1))
    run_sweep(session, MONDAY, rule_from_config(council_hours.config))
    runner = council_hours.test_cli_runner()
    for when in (
        datetime(2026, 12, 5, 10, 0, tzinfo=UTC),  # Saturday
        datetime(2026, 12, 28, 10, 0, tzinfo=UTC),  # Boxing Day's substitute
    ):
        with time_machine.travel(when, tick=False):
            result = runner.invoke(args=["alerts", "digest"])
        assert "is not a working day: no digests are sent today" in result.output
    assert emails(session) == []
    with time_machine.travel(datetime(2026, 12, 29, 6, 0, tzinfo=UTC), tick=False):
        result = runner.invoke(args=["alerts", "digest"])  # whatever the hour
    assert "Digests for 29 Dec 2026: 1 created, 1 email job(s) queued." in result.output
    with time_machine.travel(datetime(2026, 12, 29, 15, 0, tzinfo=UTC), tick=False):
        result = runner.invoke(args=["alerts", "digest"])
    assert "0 created" in result.output  # once per user per day


def test_the_digest_groups_by_kind_and_escalations_by_department(
    app, council_hours, session, make, tmp_path
):
    director = make.user("director", email_mode="digest")
    children = make.department("Children's Services")
    adults = make.department("Adult Social Care")
    overdue(make, "digest", MONDAY.date() - timedelta(days=20), dept=children, title="Audit")
    overdue(make, "digest", MONDAY.date() - timedelta(days=30), dept=adults, title="Review")
    run_sweep(session, MONDAY, rule_from_config(council_hours.config))
    outbox.build_digests(session, MONDAY)
    [message] = emails(session, director)
    mail = MailSettings.from_config(app.config)
    mail = MailSettings(**{**mail.__dict__, "outbox": tmp_path})
    assert send_email(session, message.id, MONDAY, mail).state == "sent"
    sent = session.get(EmailMessage, message.id)
    assert sent.subject == "Alerts for 30 Nov: 2 escalations"
    body = sent.body
    assert body.index("Escalations (2)") < body.index("Adult Social Care:")
    assert body.index("Adult Social Care:") < body.index("Review")
    assert body.index("Children's Services:") < body.index("Audit")
    assert body.count("What to do:") == 2
