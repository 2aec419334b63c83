"""Signing in (with failed attempts slowed down) and API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tracker.models import ApiToken, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginThrottle:
    """Failed sign-ins counted per account and per address in the shared Redis (`limits`)."""

    limiter: MovingWindowRateLimiter | None
    per_account: str
    per_address: str

    @classmethod
    def for_redis(cls, conn: redis.Redis | None, per_account: str, per_address: str):
        if conn is None:
            return cls(None, per_account, per_address)
        storage = RedisStorage("redis://", connection_pool=conn.connection_pool)
        return cls(MovingWindowRateLimiter(storage), per_account, per_address)

    def _keys(self, username: str, address: str):
        return (
            (parse(self.per_account), "login-account", username.strip().lower()),
            (parse(self.per_address), "login-address", address),
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


def authenticate(
    session: Session, throttle: LoginThrottle, username: str, password: str, address: str
) -> User | None:
    """The active user with these credentials, or None; raises TooManyAttempts when
    this account or address has failed too often recently."""
    if not throttle.allowed(username, address):
        raise TooManyAttempts()
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active or not user.check_password(password or ""):
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
