"""Field rules shared by every way in (pages, API, CLI): one-line text, dates, numbers.

Each check returns an error message a person can act on, or None when the value is
fine, so a form validator, the API's field reader and a service can all use it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from datetime import date

NAME_MAX = 200  # names, titles and other one-line fields (SPEC §3)
TEXT_MAX = 10_000  # summaries, rationales, descriptions, notes

# Plans live in this range; it also bounds the day-by-day spreading of effort.
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Line and paragraph separators break a line as surely as LF does.
_LINE_BREAKING = {"Cc", "Zl", "Zp"}
_TEXT_ALLOWED = {"\n", "\r", "\t"}


def has_control_characters(value: str, allowed: Container[str] = frozenset()) -> bool:
    """Whether `value` holds a control character (NUL, CR, LF, tab, DEL, …) or a
    Unicode line or paragraph separator, other than those `allowed`."""
    return any(unicodedata.category(ch) in _LINE_BREAKING and ch not in allowed for ch in value)


def single_line(value: str) -> str:
    """`value` with every control character or line break made a space: for text
    written before the one-line rule, on its way into a header or a calendar name."""
    return "".join(" " if has_control_characters(ch) else ch for ch in value)


def one_line_error(
    value: str | None, label: str, *, required: bool = True, max_length: int = NAME_MAX
) -> str | None:
    """A name, title, username or other one-line field: no control characters at all
    (NUL, CR, LF, tab, line separators), not blank when required, not too long.
    `label` reads after "Enter", e.g. "a title"."""
    if value is None or not value.strip():
        return f"Enter {label}" if required else None
    if has_control_characters(value):
        return (
            f"{_capital(label)} must be one line of text, "
            "without line breaks, tabs or control characters"
        )
    if len(value) > max_length:
        return f"{_capital(label)} must be {max_length:,} characters or fewer"
    return None


def text_error(value: str | None, label: str, *, max_length: int = TEXT_MAX) -> str | None:
    """Multi-line text (descriptions, notes): line breaks and tabs are fine, other
    control characters (NUL included) are not."""
    if value is None:
        return None
    if has_control_characters(value, _TEXT_ALLOWED):
        return f"{_capital(label)} must not contain control characters"
    if len(value) > max_length:
        return f"{_capital(label)} must be {max_length:,} characters or fewer"
    return None


def date_error(day: date | None, label: str = "the date") -> str | None:
    """A date outside the years plans can live in."""
    if day is not None and not EARLIEST <= day <= LATEST:
        return f"{_capital(label)} must be between {EARLIEST.year} and {LATEST.year}"
    return None


def parse_date(text: str, label: str = "the date") -> date:
    """`YYYY-MM-DD` only (no week dates, ordinals or times), between 1990 and 2100;
    raises ValueError with a message a person can act on."""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError(f"Enter {label} as YYYY-MM-DD, like 2026-04-01")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{_capital(label)} must be a real date (YYYY-MM-DD)") from None
    if error := date_error(day, label):
        raise ValueError(error)
    return day


# A task's effort is spread day by day and stored week by week: five years is already
# more than any one step of a plan, and keeps a preview or a save quick.
TASK_SPAN_YEARS = 5


def task_span_error(start: date | None, due: date | None) -> str | None:
    """A task from `start` to `due` that runs longer than TASK_SPAN_YEARS."""
    if start is None or due is None or due < start:
        return None
    if (due - start).days > TASK_SPAN_YEARS * 366:
        return f"A task can run for at most {TASK_SPAN_YEARS} years: split longer work into tasks"
    return None


@dataclass(frozen=True)
class Bounds:
    """The sensible range of a quantity: `low` ≤ value ≤ `high`, both finite."""

    low: float
    high: float
    unit: str = ""

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"from {_number(self.low)} to {_number(self.high)}{unit}"


EFFORT_HOURS = Bounds(0.1, 1_000_000, "hours")
CAPACITY_HOURS_PER_WEEK = Bounds(0.1, 10_000, "hours a week")
# Full-time equivalents: a team's establishment and a capacity adjustment (SPEC §9).
FTE = Bounds(0.01, 10_000, "FTE")


def number_error(value: float | int | None, bounds: Bounds, label: str) -> str | None:
    """A number that is not finite or lies outside `bounds` (None is not checked:
    whether a value is required is the caller's rule)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{_capital(label)} must be a number"
    if not math.isfinite(value) or not bounds.low <= value <= bounds.high:
        return f"{_capital(label)} must be {bounds.describe()}"
    return None


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]
