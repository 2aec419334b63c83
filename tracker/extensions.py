"""Flask extensions and the Redis/RQ accessors shared by web, CLI and worker."""

from __future__ import annotations

import redis
from flask import current_app
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from rq import Queue
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

from tracker.redis_embedded import ensure_embedded_redis

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()

# Queue names: every one of them is served by worker.py (tests/test_architecture.py).
QUEUE_DEFAULT = "default"
QUEUE_EMAIL = "email"
QUEUE_NAMES = (QUEUE_DEFAULT, QUEUE_EMAIL)


def redis_url_for(app) -> str:
    """The Redis URL in force: REDIS_URL, else the embedded server's socket."""
    url = app.config.get("REDIS_URL")
    if url:
        return url
    sock = ensure_embedded_redis(app.config["INSTANCE_PATH"])
    return f"unix://{sock}"


def get_redis() -> redis.Redis:
    """The app's Redis connection (one pool per process)."""
    app = current_app._get_current_object()
    conn = app.extensions.get("tracker_redis")
    if conn is None:
        conn = redis.Redis.from_url(redis_url_for(app), socket_timeout=5, socket_connect_timeout=2)
        app.extensions["tracker_redis"] = conn
    return conn


def get_queue(name: str = QUEUE_DEFAULT) -> Queue:
    """An RQ queue on the app's Redis."""
    return Queue(name, connection=get_redis())


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite enforces foreign keys only when asked, per connection."""
    if dbapi_connection.__class__.__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
