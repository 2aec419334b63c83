"""Weak passwords are refused, each with its reason."""

from __future__ import annotations

import pytest

from tracker.domain.passwords import password_error
from tracker.services.passwords import common_passwords

COMMON = frozenset({"password", "dragon", "qwertyuiop"})


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 10 characters"),
        (" " * 10, "only spaces"),
        ("aaaaaaaaaa", "repeats one or two characters"),
        ("abababababab", "repeats one or two characters"),
        ("password12", "most common passwords"),
        ("!Dragon2026!", "most common passwords"),
        ("qwertyuiop", "most common passwords"),
        ("jo.bloggs-2026", "must not contain the username"),
        ("x" * 150 + "yz" * 30, "200 characters or fewer"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, reason):
    assert reason in password_error(password, "Jo.Bloggs", COMMON)


def test_a_long_uncommon_phrase_is_accepted():
    assert password_error("kettle orbit marmalade", "jo.bloggs", COMMON) is None
    assert password_error("initiative-demo", "admin", common_passwords()) is None


def test_the_shipped_list_is_large_and_lower_case():
    common = common_passwords()
    assert len(common) >= 25_000
    assert {"password", "123456", "letmein"} <= common
    assert password_error("password12", "jo", common) is not None
    assert password_error("Letmein2026", "jo", common) is not None
