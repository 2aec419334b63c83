"""Bank holidays in England and Wales, from the maintained `holidays` package."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _year(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


class BankHolidays:
    """A Container[date] of England and Wales bank holidays, any year on demand."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in _year(day.year)


BANK_HOLIDAYS = BankHolidays()
