"""Jinja filters: dates, money and enum labels as people read them."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

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
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.day} {value:%B %Y} {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def short_date(value: date | None) -> str:
    return "" if value is None else f"{value.day} {value:%b %Y}"


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
    return "" if value is None else f"{value:.2f}"


def register_filters(app: Flask) -> None:
    app.add_template_filter(label)
    app.add_template_filter(govuk_date)
    app.add_template_filter(short_date)
    app.add_template_filter(pounds)
    app.add_template_filter(hours)
    app.add_template_filter(ratio)
