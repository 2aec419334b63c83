"""The alerts inbox: a user's own alerts, marking them read, their email preference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tracker.models import Alert, SweepRun, User
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
        .where(Alert.recipient_id == user_id, Alert.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    session.commit()
    return max(result.rowcount, 0)


def set_email_mode(session: Session, user: User, mode: str) -> User:
    if mode not in EMAIL_MODES:
        raise Invalid("Choose how to get alert emails", {"email_mode": "Choose an option"})
    user.email_mode = mode
    session.commit()
    return user


def recent_sweeps(session: Session, limit: int = 5) -> list[SweepRun]:
    """The latest sweeps, newest first, for the operations page."""
    return list(session.scalars(select(SweepRun).order_by(SweepRun.id.desc()).limit(limit)))
