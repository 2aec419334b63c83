"""Field checks shared by every use case: they fill an errors dict from the domain's rules
(`tracker.domain.validation`), so pages, API and CLI refuse the same things the same way."""

from __future__ import annotations

from datetime import date

from tracker.domain.validation import (
    EARLIEST,
    LATEST,
    Bounds,
    date_error,
    number_error,
    one_line_error,
    task_span_error,
    text_error,
)

__all__ = ["EARLIEST", "LATEST", "check_dates", "check_name", "check_number", "check_text"]


def check_name(
    errors: dict[str, str], field: str, value: str | None, label: str, required: bool = True
) -> None:
    """A one-line field (name, title, username): no control characters, ≤ 200 characters."""
    if error := one_line_error(value, label, required=required):
        errors.setdefault(field, error)


def check_text(errors: dict[str, str], field: str, value: str | None, label: str) -> None:
    """A multi-line field: line breaks allowed, other control characters not, ≤ 10,000."""
    if error := text_error(value, label):
        errors.setdefault(field, error)


def check_number(
    errors: dict[str, str],
    field: str,
    value: float | None,
    bounds: Bounds,
    label: str,
    missing: str | None = None,
) -> None:
    """A finite number within `bounds`; `missing` is the message when it is required."""
    if value is None:
        if missing:
            errors.setdefault(field, missing)
    elif error := number_error(value, bounds, label):
        errors.setdefault(field, error)


def check_choice(
    errors: dict[str, str], field: str, value: str | None, choices: tuple[str, ...], label: str
) -> None:
    if value not in choices:
        errors[field] = f"Select {label}: one of {', '.join(choices)}"


def check_dates(
    errors: dict[str, str],
    start: date | None,
    end: date | None,
    start_field: str,
    end_field: str,
    end_label: str,
) -> None:
    if start is None:
        errors.setdefault(start_field, "Enter a start date")
    if end is None:
        errors.setdefault(end_field, f"Enter a {end_label}")
    for field, day, label in (
        (start_field, start, "the start date"),
        (end_field, end, f"the {end_label}"),
    ):
        if error := date_error(day, label):
            errors.setdefault(field, error)
    if start and end and start > end:
        errors.setdefault(end_field, f"The {end_label} must be the same as or after the start date")


def check_task_span(errors: dict[str, str], start: date | None, due: date | None) -> None:
    """Checked before any spreading of effort, which goes day by day."""
    if error := task_span_error(start, due):
        errors.setdefault("due_date", error)
