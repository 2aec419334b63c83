"""Working time for email (SPEC §5 "Delivery"): quiet hours, working days, digest times.

Outside working time (QUIET_HOURS on the council's clock, plus weekends and bank
holidays unless QUIET_WEEKENDS=false) immediate emails wait for the next working
morning, and no digest goes on a day that is not a working day.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """ "18:00-08:00" → (18:00, 08:00): quiet from the first time until the second."""
    try:
        start, end = (part.strip() for part in text.split("-"))
        return time.fromisoformat(start), time.fromisoformat(end)
    except ValueError as exc:
        raise ValueError(f"QUIET_HOURS must look like 18:00-08:00, not {text!r}") from exc


@dataclass(frozen=True)
class WorkingTime:
    quiet_from: time = time(18, 0)
    quiet_until: time = time(8, 0)
    quiet_weekends: bool = True
    timezone: str = "Europe/London"

    @classmethod
    def of(cls, quiet_hours: str, quiet_weekends: bool, timezone: str) -> WorkingTime:
        quiet_from, quiet_until = parse_quiet_hours(quiet_hours)
        return cls(quiet_from, quiet_until, quiet_weekends, timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date, holidays: Container[date]) -> bool:
        """Monday to Friday and not a bank holiday; every day with QUIET_WEEKENDS=false."""
        if not self.quiet_weekends:
            return True
        return day.weekday() < 5 and day not in holidays

    def _quiet_time_of_day(self, moment: time) -> bool:
        if self.quiet_from == self.quiet_until:
            return False
        if self.quiet_from > self.quiet_until:  # over midnight: 18:00-08:00
            return moment >= self.quiet_from or moment < self.quiet_until
        return self.quiet_from <= moment < self.quiet_until

    def is_quiet(self, instant: datetime, holidays: Container[date]) -> bool:
        local = instant.astimezone(self.zone)
        if not self.is_working_day(local.date(), holidays):
            return True
        return self._quiet_time_of_day(local.time().replace(tzinfo=None))

    def next_working_moment(self, instant: datetime, holidays: Container[date]) -> datetime:
        """The instant itself in working time, else when working time next begins (UTC)."""
        if not self.is_quiet(instant, holidays):
            return instant.astimezone(UTC)
        local = instant.astimezone(self.zone)
        for offset in range(0, 30):
            day = local.date() + timedelta(days=offset)
            if not self.is_working_day(day, holidays):
                continue
            begins = datetime.combine(day, self.quiet_until, self.zone)
            if begins > local and not self.is_quiet(begins, holidays):
                return begins.astimezone(UTC)
        raise ValueError("no working time in the next 30 days")

    def digest_time(self, day: date, hour: int) -> datetime:
        """The instant (UTC) of the digest of a day: `hour` o'clock on the council's clock."""
        return datetime.combine(day, time(hour), self.zone).astimezone(UTC)
