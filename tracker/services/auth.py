"""Signing in (with failed attempts slowed down) and API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import redis
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.models import ApiToken, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginThrottle:
    """Failed sign-ins counted in the shared Redis (`limits`, moving windows).

    - `per_pair`: failures of one account from one address. A stranger guessing at
      someone's account slows only themselves: the owner, from their own address,
      still signs in.
    - `per_address`: failures from one address, whatever the accounts (spraying).
    - `per_account`: a much higher ceiling on failures of one account from all
      addresses together, against guessing spread over many addresses.
    """

    limiter: MovingWindowRateLimiter | None
    per_pair: str
    per_address: str
    per_account: str

    @classmethod
    def for_redis(
        cls, conn: redis.Redis | None, per_pair: str, per_address: str, per_account: str
    ) -> LoginThrottle:
        if conn is None:
            return cls(None, per_pair, per_address, per_account)
        storage = RedisStorage("redis://", connection_pool=conn.connection_pool)
        return cls(MovingWindowRateLimiter(storage), per_pair, per_address, per_account)

    def _keys(self, username: str, address: str):
        account = (username or "").strip().lower()
        return (
            (parse(self.per_pair), "login-pair", account, address),
            (parse(self.per_address), "login-address", address),
            (parse(self.per_account), "login-account", account),
        )

    def allowed(self, username: str, address: str) -> bool:
        if self.limiter is None:
            return True
        try:
            return all(
                self.limiter.test(limit, *ids) for limit, *ids in self._keys(username, address)
            )
        except redis.RedisError as exc:
            log.warning("login throttle unavailable: %s", exc)
            return True

    def record_failure(self, username: str, address: str) -> None:
        if self.limiter is None:
            return
        try:
            for limit, *ids in self._keys(username, address):
                self.limiter.hit(limit, *ids)
        except redis.RedisError as exc:
            log.warning("login throttle unavailable: %s", exc)


class TooManyAttempts(Exception):
    pass


@cache
def _dummy_hash() -> str:
    """A hash made the same way as users' hashes, so checking a password for an
    unknown username costs as long as for a real one (no enumeration by timing)."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(
    session: Session, throttle: LoginThrottle, username: str, password: str, address: str
) -> User | None:
    """The active user with these credentials, or None; raises TooManyAttempts when
    this account from this address, this address, or this account overall has failed
    too often recently."""
    if not throttle.allowed(username or "", address):
        raise TooManyAttempts()
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password or "")  # same work, same time
        throttle.record_failure(username or "", address)
        return None
    if not user.check_password(password or ""):
        throttle.record_failure(username or "", address)
        return None
    return user


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, now: datetime, hours: int) -> tuple[str, datetime]:
    """A new bearer token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hours)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at < now))
    session.add(
        ApiToken(user_id=user.id, token_hash=_hash(token), created_at=now, expires_at=expires)
    )
    session.commit()
    return token, expires


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.expires_at <= now or not row.user.active:
        return None
    return row.user


def revoke_tokens(session: Session, user: User) -> None:
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def revoke_token(session: Session, token: str) -> bool:
    """End one bearer token (its holder signing out of the API); False if unknown."""
    result = session.execute(delete(ApiToken).where(ApiToken.token_hash == _hash(token)))
    session.commit()
    return bool(result.rowcount)
