"""Shared column helpers and the enumerations of SPEC §3."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator

ROLES = ("admin", "director", "manager", "team_lead")
INITIATIVE_KINDS = (
    "legislation",
    "framework",
    "funding",
    "performance_target",
    "inspection",
    "other",
)
INITIATIVE_STATUSES = ("proposed", "planning", "rollout", "embedded", "closed")
ACTIVE_INITIATIVE_STATUSES = ("planning", "rollout")
CONFIDENCE_LEVELS = ("green", "amber_green", "amber", "amber_red", "red")
TASK_STATUSES = ("not_started", "in_progress", "blocked", "done")
ALERT_KINDS = (
    "due_soon",
    "overdue",
    "escalation",
    "team_overload",
    "department_overload",
    "return_due",
    "return_overdue",
    "grant_at_risk",
    "question_answered",
)
SUBJECT_TYPES = ("task", "team", "department", "indicator", "grant", "question")
EMAIL_MODES = ("digest", "immediate", "off")
# cancelled: every alert it carried was resolved before it was sent (SPEC §5).
EMAIL_STATES = ("pending", "sent", "failed", "cancelled")
NAME_MAX = 200
TEXT_MAX = 10_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_list(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK constraint limiting a column to an enumeration."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value
