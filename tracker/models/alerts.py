"""Alerts, the emails that deliver them, and the record of each sweep."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import text

from tracker.extensions import db
from tracker.models.base import (
    ALERT_KINDS,
    EMAIL_STATES,
    SUBJECT_TYPES,
    UTCDateTime,
    in_list,
    utcnow,
)

if TYPE_CHECKING:
    from tracker.models.users import User


class EmailMessage(db.Model):
    """One email to send: for one alert (immediate) or a day's alerts (digest).

    Its state lives here, not in Redis: `pending` until the SMTP server accepts it,
    then `sent` (never sent again); `failed` after the last retry, error kept.
    """

    __tablename__ = "email_messages"
    __table_args__ = (
        CheckConstraint(in_list("state", EMAIL_STATES), name="state_known"),
        CheckConstraint(in_list("kind", ("immediate", "digest")), name="kind_known"),
        UniqueConstraint("recipient_id", "digest_date", name="uq_email_messages_digest"),
        Index("ix_email_messages_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="immediate")
    # Set for digests only, so that a user gets one digest a day.
    digest_date: Mapped[date | None] = mapped_column(Date)
    # Set for immediate emails only: the one alert it carries. Unique, so that two
    # sweeps at once cannot make two emails of one alert. (No foreign key: alerts
    # already point here through email_message_id.)
    alert_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a send job was last queued (or, after a failed send, when RQ's retry is
    # due): a pending email still unclaimed EMAIL_CLAIM_SECONDS after it has lost its
    # job, whatever Redis says, and is queued again (outbox.queue_pending_emails).
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()


class Alert(db.Model):
    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("recipient_id", "dedup_key", name="uq_alerts_recipient_dedup"),
        CheckConstraint(in_list("kind", ALERT_KINDS), name="kind_known"),
        CheckConstraint(in_list("subject_type", SUBJECT_TYPES), name="subject_type_known"),
        Index("ix_alerts_recipient_created", "recipient_id", "created_at"),
        Index("ix_alerts_recipient_unread", "recipient_id", "read_at"),
        Index("ix_alerts_email_message", "email_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    dedup_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What to do about it, in one sentence, and where to do it (SPEC §5 "Actionable").
    action: Mapped[str] = mapped_column(Text, default="", server_default="")
    url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Set when its condition ends (SPEC §5 "Resolution"): it leaves the unread count.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_reason: Mapped[str | None] = mapped_column(String(200))
    # The overload episode an overload alert is about (SPEC §5 "Episodes").
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_episodes.id", ondelete="SET NULL"), index=True
    )
    # NULL until an email carrying this alert exists (immediate or digest).
    email_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("email_messages.id", ondelete="SET NULL")
    )

    recipient: Mapped[User] = relationship()
    email_message: Mapped[EmailMessage | None] = relationship()


class AlertEpisode(db.Model):
    """Consecutive overloaded weeks of one team or department (SPEC §5 "Episodes").

    Kept between sweeps so that an episode is alerted once, again only when its peak
    rises by OVERLOAD_REALERT_STEP, and its alerts resolve when it ends. Its identity
    is its first week: weeks may join or leave at the end, the horizon may move on.
    """

    __tablename__ = "alert_episodes"
    __table_args__ = (
        CheckConstraint(in_list("subject_type", ("team", "department")), name="subject_known"),
        CheckConstraint("first_week <= last_week", name="weeks_in_order"),
        # One open episode per subject and first week, even with two sweeps at once.
        Index(
            "uq_alert_episodes_open",
            "subject_type",
            "subject_id",
            "first_week",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    first_week: Mapped[date] = mapped_column(Date)
    last_week: Mapped[date] = mapped_column(Date)
    peak_ratio: Mapped[float] = mapped_column(Float)
    # The peak last alerted; NULL until the first alert.
    alerted_peak: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(200))


class SweepRun(db.Model):
    """One run of the alert sweep, for the operators' page."""

    __tablename__ = "sweep_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerts_created: Mapped[int] = mapped_column(Integer, default=0)
    emails_queued: Mapped[int] = mapped_column(Integer, default=0)
    # Per-kind counts as "kind=n" pairs, e.g. "due_soon=3 overdue=1".
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)


class OverloadCheck(db.Model):
    """A team whose overload check is owed: written with the task change that asked
    for it, deleted by the check. A row left behind (its job lost with Redis or a
    worker) is run by the catch-up job; the hourly sweep clears them all."""

    __tablename__ = "overload_checks"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
