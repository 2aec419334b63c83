"""Email delivery: once only, retried with backoff then failed, digests, the outbox, re-queueing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq import Queue
from rq.job import Job
from sqlalchemy import select

from tests.jobs.smtp_server import closed_port, smtp_server  # noqa: F401
from tracker.domain.wording import day_in_words
from tracker.extensions import QUEUE_EMAIL, get_redis
from tracker.models import Alert, EmailMessage
from tracker.queries.alerts import AlertRule
from tracker.services import alerts as alert_service
from tracker.services import email as email_service
from tracker.services import outbox
from tracker.services.email import EmailNotSent, MailSettings, send_email
from tracker.services.sweep import run_sweep

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
RULE = AlertRule()


def mail_for(app, server: str = "", port: int = 25) -> MailSettings:
    settings = MailSettings.from_config(app.config)
    return replace(settings, server=server, port=port, base_url="https://tracker.example")


def overdue_task(make, lead_mode="immediate", owner_mode="immediate"):
    dept = make.department()
    owner = make.user("manager", department=dept, email_mode=owner_mode)
    lead = make.user("team_lead", department=dept, email_mode=lead_mode)
    team = make.team(department=dept, lead=lead, name="Reablement")
    initiative = make.initiative(owner=owner, departments=[dept], title="Supporting People")
    task = make.task(
        team=team,
        initiative=initiative,
        due=TODAY - timedelta(days=2),
        start=TODAY - timedelta(days=2),
        title="Map housing support",
    )
    return owner, lead, task


def emails(session):
    return list(session.scalars(select(EmailMessage).order_by(EmailMessage.id)))


def test_one_email_per_alert_sent_exactly_once(app, session, make, smtp_server):  # noqa: F811
    host, port, mailbox = smtp_server
    owner, lead, task = overdue_task(make)
    result = run_sweep(session, NOW, RULE)
    assert result.emails_created == 2 and result.emails_queued == 2
    mail = mail_for(app, host, port)
    for message in emails(session):
        assert send_email(session, message.id, NOW, mail).state == "sent"
        assert send_email(session, message.id, NOW, mail).state == "skipped"
        assert send_email(session, message.id, NOW + timedelta(hours=1), mail).state == "skipped"
    assert len(mailbox.messages) == 2
    [to_lead] = mailbox.to(lead.email)
    assert len(mailbox.to(owner.email)) == 1
    body = to_lead.get_payload(decode=True).decode("utf-8")  # curly quotes: not 7-bit
    due = day_in_words(task.due_date)  # "7 Dec 2026", never 2026-12-07
    names = ("“Map housing support”", "“Supporting People”", "Reablement", due)
    assert all(name in body for name in names)
    assert task.due_date.isoformat() not in body and "'" not in body.split("\n")[0]
    assert f"https://tracker.example/tasks/{task.id}" in body
    # Short and specific: the kind and the task's title, not the whole message.
    assert to_lead["Subject"] == "Overdue: Map housing support"
    assert all(m.state == "sent" and m.sent_at == NOW for m in emails(session))
    assert run_sweep(session, NOW, RULE).emails_created == 0


def test_a_claimed_message_cannot_be_claimed_again(session, make):
    overdue_task(make)
    run_sweep(session, NOW, RULE)
    message_id = emails(session)[0].id
    assert email_service.claim(session, message_id, NOW, 300) is True
    assert email_service.claim(session, message_id, NOW, 300) is False
    # Once the claim has lapsed (the worker died), another worker may take it over.
    assert email_service.claim(session, message_id, NOW + timedelta(seconds=301), 300) is True


def test_refused_send_is_retried_with_backoff_then_failed(app, session, make, smtp_server):  # noqa: F811
    host, port, mailbox = smtp_server
    mailbox.refuse = True
    overdue_task(make, lead_mode="digest")
    run_sweep(session, NOW, RULE)
    [message] = emails(session)
    mail = mail_for(app, host, port)
    moment = NOW
    for attempt, wait in enumerate(email_service.BACKOFF_SECONDS, start=1):
        with pytest.raises(EmailNotSent):
            send_email(session, message.id, moment, mail)
        session.refresh(message)
        assert (message.state, message.attempts) == ("pending", attempt)
        assert "Rejected by policy" in message.last_error
        assert message.next_attempt_at == moment + timedelta(seconds=wait)
        # Too early: the backoff is not over, nothing is sent.
        assert send_email(session, message.id, moment, mail).state == "skipped"
        moment = message.next_attempt_at
    with pytest.raises(EmailNotSent):
        send_email(session, message.id, moment, mail)
    session.refresh(message)
    assert (message.state, message.attempts) == ("failed", email_service.MAX_ATTEMPTS)
    assert message in alert_service.problem_emails(session)
    assert send_email(session, message.id, moment + timedelta(days=1), mail).state == "skipped"
    assert mailbox.messages == []


def test_server_down_is_a_retryable_failure(app, session, make):
    overdue_task(make, lead_mode="digest")
    run_sweep(session, NOW, RULE)
    [message] = emails(session)
    with pytest.raises(EmailNotSent):
        send_email(session, message.id, NOW, mail_for(app, "127.0.0.1", closed_port()))
    session.refresh(message)
    assert message.state == "pending" and "ConnectionRefusedError" in message.last_error


def test_recovers_after_a_failure(app, session, make, smtp_server):  # noqa: F811
    host, port, mailbox = smtp_server
    mailbox.refuse = True
    overdue_task(make, lead_mode="digest")
    run_sweep(session, NOW, RULE)
    [message] = emails(session)
    mail = mail_for(app, host, port)
    with pytest.raises(EmailNotSent):
        send_email(session, message.id, NOW, mail)
    mailbox.refuse = False
    later = NOW + timedelta(seconds=email_service.BACKOFF_SECONDS[0])
    assert send_email(session, message.id, later, mail).state == "sent"
    session.refresh(message)
    assert message.last_error is None and len(mailbox.messages) == 1


def test_digest_users_get_one_email_a_day_with_all_their_alerts(app, session, make, smtp_server):  # noqa: F811
    host, port, mailbox = smtp_server
    _, lead, task = overdue_task(make, lead_mode="digest", owner_mode="digest")
    make.task(
        team=session.get(type(task.team), task.team_id),
        initiative=task.initiative,
        due=TODAY + timedelta(days=1),
        title="Brief the providers",
    )
    result = run_sweep(session, NOW, RULE)
    assert result.alerts_created == 3 and result.emails_created == 0
    assert outbox.build_digests(session, NOW) == 2
    assert outbox.build_digests(session, NOW + timedelta(hours=2)) == 0
    digests = emails(session)
    assert [(d.kind, d.digest_date) for d in digests] == [("digest", TODAY)] * 2
    linked = session.scalars(select(Alert.email_message_id)).all()
    assert None not in linked
    mail = mail_for(app, host, port)
    for digest in digests:
        assert send_email(session, digest.id, NOW, mail).state == "sent"
    [to_lead] = mailbox.to(lead.email)
    body = to_lead.get_payload(decode=True).decode("utf-8")  # curly quotes: not 7-bit
    assert "Map housing support" in body and "Brief the providers" in body
    assert to_lead["Subject"] == "Alerts for 30 Nov: 1 overdue, 1 due soon"
    # Tomorrow's alerts go in tomorrow's digest, not today's sent one.
    task.due_date = TODAY - timedelta(days=1)
    session.commit()
    run_sweep(session, NOW, RULE)
    assert outbox.build_digests(session, NOW) == 0
    assert outbox.build_digests(session, NOW + timedelta(days=1)) == 2


def test_without_mail_server_emails_go_to_the_outbox(app, session, make, tmp_path):
    overdue_task(make, lead_mode="digest")
    run_sweep(session, NOW, RULE)
    [message] = emails(session)
    mail = replace(mail_for(app), outbox=tmp_path / "outbox")
    assert send_email(session, message.id, NOW, mail).state == "sent"
    files = list(Path(tmp_path / "outbox").glob("*.eml"))
    assert [f.name for f in files] == [f"email-{message.id}.eml"]
    assert "Map housing support" in files[0].read_text()


def test_users_without_address_or_inactive_get_no_email(session, make):
    owner, lead, _ = overdue_task(make)
    owner.email = ""
    session.commit()
    result = run_sweep(session, NOW, RULE)
    assert result.alerts_created == 2 and result.emails_created == 1
    assert [m.to_address for m in emails(session)] == [lead.email]


def test_queueing_decides_from_the_database_not_the_job_record(app, session, make):
    """An email still pending EMAIL_CLAIM_SECONDS after its last queueing is queued
    again, whatever its job record says: popped by a worker that died says `queued`
    for ever; the claim makes a second job harmless."""
    overdue_task(make)
    claim = 120
    assert run_sweep(session, NOW, RULE).emails_queued == 2
    queue = Queue(QUEUE_EMAIL, connection=get_redis())
    assert queue.count == 2
    assert outbox.queue_pending_emails(session, NOW, claim) == 0  # jobs still waiting
    # A worker takes both jobs off the queue and dies before starting them: RQ's
    # records still say `queued`, and no queue holds them.
    lost = [get_redis().lpop(queue.key).decode() for _ in range(2)]
    assert all(Job.fetch(j, connection=get_redis()).get_status() == "queued" for j in lost)
    assert outbox.queue_pending_emails(session, NOW + timedelta(seconds=claim), claim) == 0
    later = NOW + timedelta(seconds=claim + 1)
    assert outbox.queue_pending_emails(session, later, claim) == 2
    assert len(set(queue.job_ids) | set(lost)) == 4  # fresh ids: nothing overwritten
    assert all(m.queued_at == later for m in emails(session))
    # Redis restarted without persistence: the same again, one bound later.
    get_redis().flushdb()
    assert outbox.queue_pending_emails(session, later + timedelta(seconds=claim + 1), claim) == 2


def test_a_worker_killed_after_its_claim_gets_the_email_requeued_when_the_claim_lapses(
    session, make
):
    overdue_task(make)
    claim = 120
    run_sweep(session, NOW, RULE)
    first, _ = emails(session)
    claimed_at = NOW + timedelta(seconds=5)
    assert email_service.claim(session, first.id, claimed_at, claim)  # then the worker dies
    lapse = claimed_at + timedelta(seconds=claim)
    # Only the unclaimed one is owed (it lost its job too); the claimed one waits out its claim.
    assert outbox.queue_pending_emails(session, lapse - timedelta(seconds=1), claim) == 1
    session.expire_all()
    queue = Queue(QUEUE_EMAIL, connection=get_redis())
    backlog = queue.job_ids
    assert outbox.queue_pending_emails(session, lapse, claim) == 1
    assert session.get(EmailMessage, first.id).queued_at == lapse
    # Already tried: it goes ahead of the backlog of untried ones.
    assert queue.job_ids[1:] == backlog and queue.job_ids[0].startswith(f"send_email-{first.id}-")


def test_a_failed_send_waits_for_its_retry_then_is_queued_if_the_retry_was_lost(app, session, make):
    overdue_task(make)
    claim = 120
    run_sweep(session, NOW, RULE)
    message = emails(session)[0]
    mail = mail_for(app, "127.0.0.1", closed_port())
    with pytest.raises(EmailNotSent):
        send_email(session, message.id, NOW, mail, claim)
    retry_at = NOW + timedelta(seconds=email_service.BACKOFF_SECONDS[0])
    assert message.next_attempt_at == retry_at and message.queued_at == retry_at
    # RQ's own retry is due at retry_at: the sweep leaves it that long, and a bound more.
    others = 1  # the other email of the task, never sent
    assert outbox.queue_pending_emails(session, retry_at + timedelta(seconds=claim), claim) == (
        others
    )
    late = retry_at + timedelta(seconds=claim + 1)
    assert outbox.queue_pending_emails(session, late, claim) == 1


def test_a_send_job_times_out_well_inside_its_claim(app, session, make):
    overdue_task(make)
    run_sweep(session, NOW, RULE)
    queue = Queue(QUEUE_EMAIL, connection=get_redis())
    assert {queue.fetch_job(j).timeout for j in queue.job_ids} == {
        email_service.send_timeout(app.config["EMAIL_CLAIM_SECONDS"])
    }
    assert email_service.send_timeout(120) == 90 and email_service.send_timeout(1) == 1


def test_sweep_with_redis_down_still_records_alerts_and_emails(app, session, make):
    overdue_task(make)
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    app.extensions.pop("tracker_redis", None)
    result = run_sweep(session, NOW, RULE)
    assert result.alerts_created == 2 and result.emails_created == 2
    assert result.emails_queued == 0
    assert all(m.state == "pending" for m in emails(session))


def test_an_alert_never_gets_two_immediate_emails(session, make):
    _, lead, _ = overdue_task(make)
    run_sweep(session, NOW, RULE)
    alert = session.scalar(select(Alert).where(Alert.recipient_id == lead.id))
    # A concurrent sweep that lost the race tries again for an alert the winner
    # already has an email for: the unique alert_id makes its insert a no-op.
    alert.email_message_id = None
    session.commit()
    assert outbox.create_immediate_emails(session, NOW) == 1
    session.commit()
    assert len(emails(session)) == 2  # one per alert (lead and owner), no orphan
    assert {m.id for m in emails(session)} == set(session.scalars(select(Alert.email_message_id)))
