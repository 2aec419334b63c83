"""Dates in words inside SQL, so set-wise alert messages read like the pages (7 Dec 2026)."""

from __future__ import annotations

from sqlalchemy import Integer, String, case, cast, extract, literal

from tracker.domain.wording import MONTHS


def day_in_words_sql(column):
    """The SQL twin of domain.wording.day_in_words, on SQLite and PostgreSQL alike."""
    day = cast(cast(extract("day", column), Integer), String)
    month = case(
        {number: name for number, name in enumerate(MONTHS, start=1)},
        value=cast(extract("month", column), Integer),
        else_=literal(""),
    )
    year = cast(cast(extract("year", column), Integer), String)
    return day + literal(" ", String) + month + literal(" ", String) + year
