"""Outages of the database or Redis, told apart from bugs: the web and the API answer
them 503 with Retry-After, because trying again shortly will work."""

from __future__ import annotations

import redis
from sqlalchemy import exc as sa_exc

# Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30

# The exception classes worth a look; is_outage() decides for each instance.
OUTAGE_CANDIDATES: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    redis.ConnectionError,
    redis.TimeoutError,
)

# SQLite raises OperationalError for mistakes in SQL too; only these mean "not now".
SQLITE_OUTAGE_MESSAGES = (
    "database is locked",
    "unable to open database file",
    "disk i/o error",
)


def is_outage(error: BaseException) -> bool:
    """True when the database or Redis cannot be reached or is too busy to answer."""
    if isinstance(error, (redis.ConnectionError, redis.TimeoutError, sa_exc.TimeoutError)):
        return True  # TimeoutError of SQLAlchemy: no pooled connection came free in time
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error, sa_exc.InterfaceError):
        return True
    origin = type(error.orig).__module__
    if origin.startswith("psycopg"):
        # PostgreSQL's OperationalError classes: connection (08), resources (53),
        # operator intervention (57, a shutdown or a statement timeout), system (58).
        return isinstance(error, sa_exc.OperationalError)
    if origin.startswith("sqlite3"):
        message = str(error.orig).lower()
        return any(text in message for text in SQLITE_OUTAGE_MESSAGES)
    return False
