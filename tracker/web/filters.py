"""Jinja filters: dates, money and enum labels as people read them."""

from __future__ import annotations

import math
from datetime import date, datetime

from flask import Flask

from tracker import clock
from tracker.domain.wording import day_in_words, when_in_words

LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
    "performance_target": "Performance target",
    "amber_green": "Amber/green",
    "amber_red": "Amber/red",
    "team_lead": "Team lead",
    "due_soon": "Due soon",
    "team_overload": "Team overload",
    "department_overload": "Department overload",
}


def label(value: str | None) -> str:
    if value is None:
        return ""
    return LABELS.get(value, value.replace("_", " ").capitalize())


def govuk_date(value: date | datetime | None) -> str:
    """The one date filter: "7 Dec 2026"; an instant also gets its London time."""
    if isinstance(value, datetime):
        return when_in_words(value, clock.council_zone())
    return day_in_words(value)


def pounds(pence: int | None) -> str:
    if pence is None:
        return "None"
    pounds_part, pence_part = divmod(pence, 100)
    return f"£{pounds_part:,}" if pence_part == 0 else f"£{pounds_part:,}.{pence_part:02d}"


def hours(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def ratio(value: float | None) -> str:
    """A load ratio to two places; an infinite one (work in a week with no capacity at
    all, SPEC §9) in words."""
    if value is None:
        return ""
    if math.isinf(value):
        return "no capacity"
    return f"{value:.2f}"


def kind_counts(summary: str | None) -> str:
    """A sweep's stored "due_soon=0 overdue=8 …" as words: "8 overdue, 1 team overload"."""
    parts = []
    for pair in (summary or "").split():
        kind, _, count = pair.partition("=")
        if count.isdigit() and int(count):
            parts.append(f"{int(count)} {label(kind).lower()}")
    return ", ".join(parts) or "None"


def register_filters(app: Flask) -> None:
    app.add_template_filter(kind_counts)
    app.add_template_filter(label)
    app.add_template_filter(govuk_date)
    app.add_template_filter(pounds)
    app.add_template_filter(hours)
    app.add_template_filter(ratio)
