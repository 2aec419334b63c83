"""The password rule with its list of common passwords (zxcvbn's 30,000, from real leaks)."""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from tracker.domain.passwords import password_error


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def weak_password(password: str | None, username: str | None) -> str | None:
    """Why this password may not be used, or None."""
    return password_error(password, username, common_passwords())
