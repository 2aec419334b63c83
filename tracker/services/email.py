"""Email delivery of alerts: creating messages set-wise, queueing them, sending each once."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from sqlalchemy import (
    and_,
    exists,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from tracker.extensions import QUEUE_EMAIL, get_queue
from tracker.models import Alert, EmailMessage, User
from tracker.models.base import UTCDateTime

log = logging.getLogger(__name__)

SEND_EMAIL_JOB = "tracker.jobs.email.send_email"
# Attempts in all (the first plus RQ's retries) and the waits between them, in seconds.
BACKOFF_SECONDS = (30, 120, 600, 1800)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
# How long a worker holds a message it is sending before another may take it over.
CLAIM_SECONDS = 300
FINISHED_JOB_STATES = {
    JobStatus.FINISHED,
    JobStatus.FAILED,
    JobStatus.STOPPED,
    JobStatus.CANCELED,
}
SUBJECT_PATHS = {
    "task": "/tasks/{}",
    "team": "/teams/{}",
    "department": "/dashboard/departments/{}",
}
KIND_LABELS = {
    "due_soon": "Due soon",
    "overdue": "Overdue",
    "escalation": "Escalation",
    "team_overload": "Team overload",
    "department_overload": "Department overload",
}


@dataclass(frozen=True)
class MailSettings:
    """The MAIL_* settings of SPEC §8, and where .eml files go without a server."""

    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    sender: str
    base_url: str
    outbox: Path

    @classmethod
    def from_config(cls, config: Any) -> MailSettings:
        return cls(
            server=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            use_tls=bool(config["MAIL_USE_TLS"]),
            sender=config["MAIL_DEFAULT_SENDER"],
            base_url=config["BASE_URL"],
            outbox=Path(config["INSTANCE_PATH"]) / "outbox",
        )


class EmailNotSent(Exception):
    """The SMTP server did not take the message; RQ retries the job."""


def _insert(session: Session, table):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table)


def _unemailed(mode: str):
    """Alerts not yet in any email, of active users of this email mode with an address."""
    return and_(
        Alert.email_message_id.is_(None),
        User.email_mode == mode,
        User.active.is_(True),
        User.email != "",
    )


def create_immediate_emails(session: Session, now: datetime) -> int:
    """One pending email per alert not yet emailed, for users who want them at once.

    Set-wise, two statements whatever the number: INSERT … SELECT the emails (the
    unique alert_id makes a concurrent sweep's second email of an alert a no-op), then
    UPDATE … FROM to link each alert to its email. Does not commit; answers how many
    alerts were linked.
    """
    new_emails = (
        select(
            Alert.recipient_id,
            literal("immediate"),
            Alert.id,
            User.email,
            literal(""),
            literal(""),
            literal("pending"),
            literal(0),
            literal(now, UTCDateTime()),
        )
        .join(User, User.id == Alert.recipient_id)
        .where(_unemailed("immediate"))
    )
    session.execute(
        _insert(session, EmailMessage)
        .from_select(
            [
                "recipient_id",
                "kind",
                "alert_id",
                "to_address",
                "subject",
                "body",
                "state",
                "attempts",
                "created_at",
            ],
            new_emails,
        )
        .on_conflict_do_nothing(index_elements=["alert_id"])
    )
    linked = session.execute(
        update(Alert)
        .where(Alert.id == EmailMessage.alert_id, Alert.email_message_id.is_(None))
        .values(email_message_id=EmailMessage.id)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    ).rowcount
    return max(linked, 0)


def build_digests(session: Session, now: datetime) -> int:
    """Today's digest for every digest user with alerts not yet emailed; then commit.

    One INSERT … SELECT (a second run the same day adds nothing: one digest per user
    per day) and one UPDATE linking the alerts to the user's unsent digest.
    """
    today: date = now.date()
    waiting = exists().where(Alert.recipient_id == User.id, Alert.email_message_id.is_(None))
    digest_users = select(
        User.id,
        literal("digest"),
        literal(today),
        User.email,
        literal(""),
        literal(""),
        literal("pending"),
        literal(0),
        literal(now, UTCDateTime()),
    ).where(User.email_mode == "digest", User.active.is_(True), User.email != "", waiting)
    stmt = (
        _insert(session, EmailMessage)
        .from_select(
            [
                "recipient_id",
                "kind",
                "digest_date",
                "to_address",
                "subject",
                "body",
                "state",
                "attempts",
                "created_at",
            ],
            digest_users,
        )
        .on_conflict_do_nothing(index_elements=["recipient_id", "digest_date"])
        .execution_options(preserve_rowcount=True)
    )
    created = session.execute(stmt).rowcount
    todays_digest = (
        select(EmailMessage.id)
        .where(
            EmailMessage.recipient_id == Alert.recipient_id,
            EmailMessage.digest_date == today,
            EmailMessage.state == "pending",
        )
        .scalar_subquery()
    )
    session.execute(
        update(Alert)
        .where(
            Alert.email_message_id.is_(None),
            Alert.recipient_id.in_(
                select(User.id).where(
                    User.email_mode == "digest", User.active.is_(True), User.email != ""
                )
            ),
        )
        .values(email_message_id=todays_digest)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    session.commit()
    return max(created, 0)


def _due(now: datetime):
    """Neither held by a worker sending it nor waiting out a backoff."""
    return or_(EmailMessage.next_attempt_at.is_(None), EmailMessage.next_attempt_at <= now)


def job_id_for(message_id: int) -> str:
    return f"send_email-{message_id}"


def _due_pending(session: Session, now: datetime, chunk: int) -> Iterator[list[tuple[int, bool]]]:
    """(id, claimed before) of pending emails that are due, in chunks of ids."""
    last_id = 0
    while True:
        rows = session.execute(
            select(EmailMessage.id, EmailMessage.next_attempt_at.is_not(None))
            .where(EmailMessage.state == "pending", _due(now), EmailMessage.id > last_id)
            .order_by(EmailMessage.id)
            .limit(chunk)
        ).all()
        if not rows:
            return
        yield [(row[0], bool(row[1])) for row in rows]
        last_id = rows[-1][0]


def _job_is_live(status: str | None, claim_lapsed: bool) -> bool:
    """Will this job still send its email? A started job whose claim has lapsed is one
    whose worker died (its claim outlives any SMTP timeout), so it is not."""
    if status is None:
        return False
    if status == JobStatus.STARTED:
        return not claim_lapsed
    return status not in FINISHED_JOB_STATES


def _job_statuses(connection: redis.Redis, job_ids: list[str]) -> list[str | None]:
    """Each job's status, or None where Redis has no such job: one round trip."""
    pipe = connection.pipeline(transaction=False)
    for job_id in job_ids:
        pipe.hget(Job.key_for(job_id), "status")
    return [raw.decode() if raw else None for raw in pipe.execute()]


def send_job_data(queue: Queue, message_id: int):
    return Queue.prepare_data(
        SEND_EMAIL_JOB,
        args=(message_id,),
        job_id=job_id_for(message_id),
        retry=Retry(max=MAX_ATTEMPTS - 1, interval=list(BACKOFF_SECONDS)),
        result_ttl=3600,
    )


def queue_pending_emails(session: Session, now: datetime, chunk: int = 1000) -> int:
    """Queue a send job for every pending email that is due and has no live job.

    Covers new emails, jobs lost with Redis or with a killed worker, and failed sends
    whose backoff is over. A job still queued, scheduled for a retry or running is
    left alone. Two Redis round trips per chunk. On a Redis failure it stops quietly:
    the next sweep tries again.
    """
    queued = 0
    try:
        queue = get_queue(QUEUE_EMAIL)
        for rows in _due_pending(session, now, chunk):
            job_ids = [job_id_for(i) for i, _ in rows]
            statuses = _job_statuses(queue.connection, job_ids)
            todo = [
                (message_id, status is not None)
                for (message_id, claimed), status in zip(rows, statuses, strict=True)
                if not _job_is_live(status, claimed)
            ]
            if not todo:
                continue
            # Finished or dead jobs (rare) make room for a fresh job of the same id.
            stale = [job_id_for(i) for i, exists in todo if exists]
            for job in Job.fetch_many(stale, connection=queue.connection):
                if job is not None:
                    job.delete()
            queue.enqueue_many([send_job_data(queue, i) for i, _ in todo])
            queued += len(todo)
    except (redis.RedisError, OSError, RuntimeError) as exc:
        log.warning("could not queue emails (%s); the next sweep will try again", exc)
    return queued


@dataclass(frozen=True)
class Outcome:
    state: str  # "sent", "skipped", "failed" or "retry"
    detail: str = ""


def claim(session: Session, message_id: int, now: datetime, claim_seconds: int) -> bool:
    """Take the message for this worker: a conditional UPDATE only one worker can win."""
    result = session.execute(
        update(EmailMessage)
        .where(
            EmailMessage.id == message_id,
            EmailMessage.state == "pending",
            _due(now),
        )
        .values(
            attempts=EmailMessage.attempts + 1,
            next_attempt_at=now + timedelta(seconds=claim_seconds),
        )
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    session.commit()
    return result.rowcount == 1


def send_email(
    session: Session,
    message_id: int,
    now: datetime,
    mail: MailSettings,
    claim_seconds: int = CLAIM_SECONDS,
    backoff: Sequence[int] = BACKOFF_SECONDS,
) -> Outcome:
    """Send one pending email, at most once; raise EmailNotSent for RQ to retry."""
    if not claim(session, message_id, now, claim_seconds):
        return Outcome("skipped", "already sent, failed, or being sent by another worker")
    message = session.get(EmailMessage, message_id, populate_existing=True)
    alerts = list(
        session.scalars(
            select(Alert).where(Alert.email_message_id == message_id).order_by(Alert.id)
        )
    )
    if not alerts:
        message.state, message.last_error = "failed", "No alerts to send"
        message.next_attempt_at = None
        session.commit()
        return Outcome("failed", message.last_error)
    # Stored with the outcome, in the same commit: one write after the claim.
    message.subject, message.body = render(message, alerts, mail.base_url)
    try:
        deliver(mail, mime_message(message, mail.sender, now))
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        message.last_error = error
        if message.attempts >= len(backoff) + 1:
            message.state, message.next_attempt_at = "failed", None
        else:
            wait = backoff[min(message.attempts, len(backoff)) - 1]
            message.next_attempt_at = now + timedelta(seconds=wait)
        session.commit()
        raise EmailNotSent(f"email {message_id} attempt {message.attempts}: {error}") from exc
    message.state, message.sent_at = "sent", now
    message.next_attempt_at, message.last_error = None, None
    session.commit()
    return Outcome("sent")


def subject_path(alert: Alert) -> str:
    """The page of the alert's task, team or department, relative to the site."""
    return SUBJECT_PATHS[alert.subject_type].format(alert.subject_id)


def _link(base_url: str, alert: Alert) -> str:
    return base_url + subject_path(alert)


def render(message: EmailMessage, alerts: list[Alert], base_url: str) -> tuple[str, str]:
    """Subject and plain-text body; each alert's message names task, initiative, team, date."""
    if message.kind == "digest":
        day = message.digest_date or alerts[0].created_at.date()
        subject = f"Initiative Tracker: {len(alerts)} alert(s) for {day.day} {day:%B %Y}"
        lines = [f"Your alerts from Initiative Tracker for {day.day} {day:%B %Y}:", ""]
        for alert in alerts:
            lines.append(f"* {KIND_LABELS[alert.kind]}: {alert.message}")
            lines.append(f"  {_link(base_url, alert)}")
    else:
        alert = alerts[0]
        subject = f"{KIND_LABELS[alert.kind]}: {alert.message.rstrip('.')}"[:300]
        lines = [alert.message, "", f"See it here: {_link(base_url, alert)}"]
    lines += [
        "",
        f"All your alerts: {base_url}/alerts",
        f"Choose immediate emails or a daily digest: {base_url}/preferences",
    ]
    return subject, "\n".join(lines) + "\n"


def mime_message(message: EmailMessage, sender: str, now: datetime) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "localhost"
    mime["Message-ID"] = make_msgid(idstring=f"alert-email-{message.id}", domain=domain)
    mime["X-Tracker-Email-Id"] = str(message.id)
    mime.set_content(message.body)
    return mime


def deliver(mail: MailSettings, mime: MimeMessage) -> None:
    """Hand the message to the SMTP server (returns once it accepted it) or the outbox."""
    if not mail.server:
        mail.outbox.mkdir(parents=True, exist_ok=True)
        target = mail.outbox / f"email-{mime['X-Tracker-Email-Id']}.eml"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(mime.as_bytes())
        os.replace(temporary, target)
        return
    with smtplib.SMTP(mail.server, mail.port, timeout=30) as smtp:
        if mail.use_tls:
            smtp.starttls(context=ssl.create_default_context())
        if mail.username:
            smtp.login(mail.username, mail.password)
        smtp.send_message(mime)
