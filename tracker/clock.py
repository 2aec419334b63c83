"""The one clock of the app: instants in UTC, days in the council's time zone (SPEC §8).

Only the edges (views, API, CLI, jobs) import it; services, queries and domain take
`today`/`now` as arguments. Tests move it with time-machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/London"


def council_zone() -> ZoneInfo:
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE
    return ZoneInfo(name)


def now() -> datetime:
    """This instant, in UTC."""
    return datetime.now(UTC)


def local_now() -> datetime:
    """This instant on the council's wall clock."""
    return now().astimezone(council_zone())


def today() -> date:
    """The council's day: in British Summer Time, 00:30 is already tomorrow."""
    return local_now().date()
