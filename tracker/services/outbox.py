"""The email outbox: messages made set-wise from alerts, daily digests, send jobs queued."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime

import redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from sqlalchemy import and_, exists, literal, select, update
from sqlalchemy.orm import Session

from tracker.domain.days import council_day
from tracker.extensions import QUEUE_EMAIL, get_queue
from tracker.models import Alert, EmailMessage, User
from tracker.models.base import UTCDateTime
from tracker.services.email import BACKOFF_SECONDS, MAX_ATTEMPTS, is_due

log = logging.getLogger(__name__)

SEND_EMAIL_JOB = "tracker.jobs.email.send_email"
FINISHED_JOB_STATES = {
    JobStatus.FINISHED,
    JobStatus.FAILED,
    JobStatus.STOPPED,
    JobStatus.CANCELED,
}


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
        Alert.resolved_at.is_(None),
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


def build_digests(session: Session, now: datetime, today: date | None = None) -> int:
    """Today's digest for every digest user with alerts not yet emailed; then commit.

    One INSERT … SELECT (a second run the same day adds nothing: one digest per user
    per day) and one UPDATE linking the alerts to the user's unsent digest.
    """
    # The digest is for the council's day (London), never the UTC date.
    today = today or council_day(now)
    waiting = exists().where(
        Alert.recipient_id == User.id,
        Alert.email_message_id.is_(None),
        Alert.resolved_at.is_(None),
    )
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
            Alert.resolved_at.is_(None),
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


def job_id_for(message_id: int) -> str:
    return f"send_email-{message_id}"


def _due_pending(session: Session, now: datetime, chunk: int) -> Iterator[list[tuple[int, bool]]]:
    """(id, claimed before) of pending emails that are due, in chunks of ids."""
    last_id = 0
    while True:
        rows = session.execute(
            select(EmailMessage.id, EmailMessage.next_attempt_at.is_not(None))
            .where(EmailMessage.state == "pending", is_due(now), EmailMessage.id > last_id)
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
