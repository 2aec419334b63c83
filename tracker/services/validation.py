"""Field checks shared by every use case: lengths, enumerations, dates."""

from __future__ import annotations

from datetime import date

from tracker.models.base import NAME_MAX, TEXT_MAX

# Plans live in this range; it also bounds the day-by-day spreading of effort.
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)


def check_name(errors: dict[str, str], field: str, value: str | None, label: str) -> None:
    if value is None or not value.strip():
        errors[field] = f"Enter {label}"
    elif len(value) > NAME_MAX:
        errors[field] = f"{label.capitalize()} must be {NAME_MAX} characters or fewer"


def check_text(errors: dict[str, str], field: str, value: str | None, label: str) -> None:
    if value is not None and len(value) > TEXT_MAX:
        errors[field] = f"{label.capitalize()} must be {TEXT_MAX:,} characters or fewer"


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
    for field, day in ((start_field, start), (end_field, end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            errors.setdefault(field, f"Enter a date between {EARLIEST.year} and {LATEST.year}")
    if start and end and start > end:
        errors.setdefault(end_field, f"The {end_label} must be the same as or after the start date")
