"""What makes a password too weak to accept, each reason explained to the person."""

from __future__ import annotations

from collections.abc import Container

MIN_LENGTH = 10
MAX_LENGTH = 200

# Characters people add to a common word to pass a rule ("password12", "!dragon2026").
_DECORATION = "0123456789!@#$%^&*()-_=+.,?~ "


def password_error(
    password: str | None, username: str | None, common: Container[str]
) -> str | None:
    """Why `password` may not be used, or None when it may.

    `common` holds known common passwords in lower case (see `services.passwords`);
    a password is refused when it, or it without the digits and symbols added at
    its ends, is one of them.
    """
    if not password or len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"The password must be {MAX_LENGTH} characters or fewer"
    if not password.strip():
        return "The password cannot be only spaces"
    if "\x00" in password:
        return "The password must not contain NUL characters"
    if len(set(password)) <= 2:
        return "The password repeats one or two characters: choose one that is harder to guess"
    lowered = password.lower()
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in lowered:
        return "The password must not contain the username"
    core = lowered.strip(_DECORATION)
    if lowered in common or (len(core) >= 4 and core in common):
        return (
            "This is one of the most common passwords, which attackers try first: "
            "choose a longer phrase of unrelated words"
        )
    return None
