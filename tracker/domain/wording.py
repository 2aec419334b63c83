"""How the app writes dates and email subjects for people: one way, everywhere."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SUBJECT_LIMIT = 78  # one line of a mail client's list, RFC 5322's recommended line length


def day_in_words(value: date | None) -> str:
    """7 Dec 2026: the day first, the month in letters, never 2026-12-07 or 07/12."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def when_in_words(instant: datetime | None, zone: tzinfo) -> str:
    """7 Dec 2026, 14:05 on the council's clock (instants are stored in UTC)."""
    if instant is None:
        return ""
    local = instant.astimezone(zone) if instant.tzinfo else instant
    return f"{day_in_words(local.date())}, {local:%H:%M}"


def subject_line(kind_label: str, subject_name: str, limit: int = SUBJECT_LIMIT) -> str:
    """Short and specific: "Overdue: Audit of child protection reviews", cut at a word
    with an ellipsis when the name is long."""
    subject = f"{kind_label}: {' '.join(subject_name.split())}"
    if len(subject) <= limit:
        return subject
    cut = subject[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.–-")
    return f"{cut}…"
