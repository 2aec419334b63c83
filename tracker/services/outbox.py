"""The email outbox: messages made set-wise from alerts, daily digests, send jobs queued."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta

import redis
from flask import current_app, has_app_context
from rq import Queue, Retry
from sqlalchemy import and_, exists, literal, or_, select, update
from sqlalchemy.orm import Session

from tracker.domain.days import council_day
from tracker.domain.working_time import WorkingTime
from tracker.extensions import QUEUE_EMAIL, get_queue
from tracker.models import Alert, EmailMessage, User
from tracker.models.base import UTCDateTime
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.email import (
    BACKOFF_SECONDS,
    CLAIM_SECONDS,
    MAX_ATTEMPTS,
    is_due,
    send_timeout,
)

log = logging.getLogger(__name__)

SEND_EMAIL_JOB = "tracker.jobs.email.send_email"


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


def create_immediate_emails(
    session: Session, now: datetime, working_time: WorkingTime | None = None
) -> int:
    """One pending email per alert not yet emailed, for users who want them at once.
    Made in quiet hours or on a non-working day, it waits for the next working morning
    (its next_attempt_at), so nobody is emailed at night (SPEC §5).

    Set-wise, two statements whatever the number: INSERT … SELECT the emails (the
    unique alert_id makes a concurrent sweep's second email of an alert a no-op), then
    UPDATE … FROM to link each alert to its email. Does not commit; answers how many
    alerts were linked.
    """
    working_time = working_time or WorkingTime()
    release = working_time.next_working_moment(now, BANK_HOLIDAYS)
    waits_until = literal(release if release > now else None, UTCDateTime())
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
            waits_until,
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
                "next_attempt_at",
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


def build_digests(
    session: Session,
    now: datetime,
    today: date | None = None,
    working_time: WorkingTime | None = None,
) -> int:
    """Today's digest for every digest user with new unresolved alerts not yet emailed;
    then commit. Nothing on a day that is not a working day (SPEC §5): its alerts wait
    for the next working day's digest.

    One INSERT … SELECT (a second run the same day adds nothing: one digest per user
    per day) and one UPDATE linking the alerts to the user's unsent digest.
    """
    working_time = working_time or WorkingTime()
    # The digest is for the council's day (London), never the UTC date.
    today = today or council_day(now, working_time.timezone)
    if not working_time.is_working_day(today, BANK_HOLIDAYS):
        return 0
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
    """A fresh job id for each queueing: an older job of the same email, should it
    still run, never overwrites or blocks the new one (the claim decides who sends)."""
    return f"send_email-{message_id}-{uuid.uuid4().hex[:12]}"


def lost_after_seconds(claim_seconds: int | None = None) -> int:
    """EMAIL_CLAIM_SECONDS, from the app's config when there is one."""
    if claim_seconds is not None:
        return int(claim_seconds)
    if has_app_context():
        return int(current_app.config.get("EMAIL_CLAIM_SECONDS", CLAIM_SECONDS))
    return CLAIM_SECONDS


def send_job_data(
    queue: Queue, message_id: int, claim_seconds: int = CLAIM_SECONDS, at_front: bool = False
):
    return Queue.prepare_data(
        SEND_EMAIL_JOB,
        at_front=at_front,
        args=(message_id,),
        job_id=job_id_for(message_id),
        retry=Retry(max=MAX_ATTEMPTS - 1, interval=list(BACKOFF_SECONDS)),
        result_ttl=3600,
        # A send still running when its claim lapses could be doubled by the next
        # sender: RQ stops it first (SIGALRM in the work horse, orphaned or not).
        timeout=send_timeout(claim_seconds),
    )


def _take_owed(
    session: Session, now: datetime, lost_after: int, chunk: int
) -> list[tuple[int, bool]]:
    """Mark up to `chunk` owed emails queued now and answer (id, tried) for each,
    tried meaning a send was attempted before (claimed, then lost or failed); commits.

    Owed: pending, not under a live claim nor waiting out a backoff, and never queued
    or queued more than `lost_after` seconds ago without being sent. The job record's
    word is not asked: a job popped by a worker that then died says `queued` forever.
    One UPDATE … RETURNING, so two sweeps at once never take the same email.
    """
    cutoff = now - timedelta(seconds=lost_after)
    owed = (
        select(EmailMessage.id)
        .where(
            EmailMessage.state == "pending",
            is_due(now),
            or_(EmailMessage.queued_at.is_(None), EmailMessage.queued_at < cutoff),
        )
        .order_by(EmailMessage.id)
        .limit(chunk)
    )
    taken = session.execute(
        update(EmailMessage)
        .where(
            EmailMessage.id.in_(owed.scalar_subquery()),
            or_(EmailMessage.queued_at.is_(None), EmailMessage.queued_at < cutoff),
        )
        .values(queued_at=now)
        .returning(EmailMessage.id, EmailMessage.attempts > 0)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return sorted((message_id, bool(tried)) for message_id, tried in taken)


def queue_pending_emails(
    session: Session,
    now: datetime,
    claim_seconds: int | None = None,
    chunk: int = 1000,
) -> int:
    """Queue a send job for every pending email that is owed one (see _take_owed).

    Covers new emails, jobs lost with Redis or with a killed worker (before or after
    its claim), and failed sends whose RQ retry never came. A second job for an email
    whose first is merely slow is harmless: only one claim wins. Two statements and
    one Redis round trip per chunk. On a Redis failure it stops quietly: the emails
    taken are owed again `claim_seconds` later, and the next sweep queues them.
    """
    lost_after = lost_after_seconds(claim_seconds)
    queued = 0
    try:
        queue = get_queue(QUEUE_EMAIL)
        while True:
            taken = _take_owed(session, now, lost_after, chunk)
            if not taken:
                break
            # An email already tried (its sender died, or its retry was lost) has waited
            # long enough: it goes ahead of any backlog, oldest first (each one pushed
            # to the front, so the newest is pushed first); the others queue in order.
            tried = sorted((i for i, was_tried in taken if was_tried), reverse=True)
            fresh = [i for i, was_tried in taken if not was_tried]
            queue.enqueue_many(
                [send_job_data(queue, i, lost_after, at_front=True) for i in tried]
                + [send_job_data(queue, i, lost_after) for i in fresh]
            )
            queued += len(taken)
            if len(taken) < chunk:
                break
    except (redis.RedisError, OSError, RuntimeError) as exc:
        log.warning("could not queue emails (%s); the next sweep will try again", exc)
    return queued
