"""Alerts for people and operators: the inbox, the email preference, the operations view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from tracker.extensions import get_queue
from tracker.models import Alert, EmailMessage, SweepRun, User
from tracker.models.base import EMAIL_MODES
from tracker.queries.alerts import inbox_select, unread_count
from tracker.services.errors import Invalid, NotFound

PAGE_SIZE = 50


def inbox(
    session: Session, user_id: int, page: int = 1, unread_only: bool = False
) -> tuple[list[Alert], int, int]:
    """(alerts on the page, total, unread): the user's alerts, newest first; 3 queries."""
    stmt = inbox_select(user_id, unread_only)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)))
    return rows, total, unread_count(session, user_id)


def mark_read(session: Session, user_id: int, alert_id: int, now: datetime) -> Alert:
    """Mark one of the user's own alerts read; another person's is NotFound, not Forbidden."""
    alert = session.scalar(select(Alert).where(Alert.id == alert_id, Alert.recipient_id == user_id))
    if alert is None:
        raise NotFound("There is no such alert in your inbox")
    if alert.read_at is None:
        alert.read_at = now
        session.commit()
    return alert


def mark_all_read(session: Session, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(Alert)
        .where(Alert.recipient_id == user_id, Alert.read_at.is_(None), Alert.resolved_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    session.commit()
    return max(result.rowcount, 0)


def set_email_mode(session: Session, user: User, mode: object, now: datetime) -> User:
    """The user's own choice of alert emails (SPEC §5): digest, immediate or off."""
    if mode not in EMAIL_MODES:
        choices = ", ".join(EMAIL_MODES)
        raise Invalid("Choose how to get alert emails", {"email_mode": f"Choose one of {choices}"})
    user.email_mode = str(mode)
    user.email_mode_chosen_at = now
    session.commit()
    return user


def recent_sweeps(session: Session, limit: int = 5) -> list[SweepRun]:
    """The latest sweeps, newest first, for the operations page."""
    return list(session.scalars(select(SweepRun).order_by(SweepRun.id.desc()).limit(limit)))


def email_counts(session: Session) -> dict[str, int]:
    """Emails by state, for the operations page."""
    rows = session.execute(
        select(EmailMessage.state, func.count()).group_by(EmailMessage.state)
    ).all()
    return {state: count for state, count in rows}


def problem_emails(session: Session, limit: int = 20) -> list[EmailMessage]:
    """Failed emails and pending ones that have had an error, newest first."""
    return list(
        session.scalars(
            select(EmailMessage)
            .where(
                or_(
                    EmailMessage.state == "failed",
                    and_(EmailMessage.state == "pending", EmailMessage.last_error.is_not(None)),
                )
            )
            .order_by(EmailMessage.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class QueueStatus:
    name: str
    queued: int
    scheduled: int
    started: int
    failed: int
    latest_errors: list[tuple[str, str]]  # (job id, last line of the error)


def queue_overview(queue_names: Sequence[str], errors_per_queue: int = 5) -> list[QueueStatus]:
    """Length and failures of each RQ queue; raises redis errors for the page to report."""
    result = []
    for name in queue_names:
        queue = get_queue(name)
        failed = FailedJobRegistry(queue=queue)
        ids = failed.get_job_ids(0, errors_per_queue - 1, desc=True)
        latest = []
        for job in Job.fetch_many(ids, connection=queue.connection):
            if job is not None:
                text = (job.exc_info or "").strip().splitlines()
                latest.append((job.id, text[-1] if text else "unknown error"))
        result.append(
            QueueStatus(
                name=name,
                queued=queue.count,
                scheduled=ScheduledJobRegistry(queue=queue).count,
                started=StartedJobRegistry(queue=queue).count,
                failed=failed.count,
                latest_errors=latest,
            )
        )
    return result
