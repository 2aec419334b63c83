"""The council's day: the date on its wall clock (London), not the UTC date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/London"


def council_day(instant: datetime, zone_name: str = DEFAULT_TIMEZONE) -> date:
    """The day an instant falls on in the council's time zone: in British Summer Time,
    23:30 UTC is already tomorrow. A naive instant is taken to be UTC."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(zone_name)).date()
