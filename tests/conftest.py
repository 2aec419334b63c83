"""Fixtures: a real database built by the migrations, a real Redis, small factories.

The database is SQLite in a temporary folder unless TEST_DATABASE_URL (or, in CI,
DATABASE_URL) names another, e.g. PostgreSQL. Redis is the embedded one of SPEC §8
unless TEST_REDIS_URL names a server.
"""

from __future__ import annotations

import contextvars
import os
from pathlib import Path

import pytest
import redis as redis_lib
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from tests.factories import Factory
from tracker import create_app
from tracker.extensions import db
from tracker.redis_embedded import ensure_embedded_redis, stop_embedded_redis


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    folder = tmp_path_factory.mktemp("redis")
    sock = ensure_embedded_redis(str(folder))
    yield f"unix://{sock}"
    stop_embedded_redis(str(folder))


@pytest.fixture(scope="session")
def instance_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def _migrated(database_url, redis_url, instance_root):
    """Build the schema once per session, with the migrations (never create_all)."""
    app = create_app(_config(database_url, redis_url, instance_root))
    with app.app_context():
        if not database_url.startswith("sqlite"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return True


def _config(database_url: str, redis_url: str, instance_root: Path) -> dict:
    return {
        "ENV_NAME": "testing",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": _normalise(database_url),
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": str(instance_root),
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "",
        "SERVER_NAME": None,
        # Tests run at any hour of any day: no quiet hours unless a test sets its own
        # (tests/services/test_delivery.py travels in time with the real settings).
        "QUIET_HOURS": "00:00-00:00",
        "QUIET_WEEKENDS": False,
    }


def _normalise(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@pytest.fixture
def app_config(database_url, redis_url, instance_root) -> dict:
    """Override keys in a test module with its own `app_config` fixture."""
    return _config(database_url, redis_url, instance_root)


@pytest.fixture
def app(_migrated, app_config, redis_url):
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()
    redis_lib.Redis.from_url(redis_url).flushdb()


def empty_tables() -> None:
    """Empty every table of the models, children first (new tables need no list)."""
    engine = db.engine
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in a real server: its own `g`,
    its own database session. Afterwards the test's session ends its transaction and
    forgets what it had loaded, so the test reads what the request wrote."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.commit()
            db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def make(app) -> Factory:
    """Keyword factories: make.user(role=…), make.team(…), make.task(team=…, due=…)."""
    return Factory(db.session)


@pytest.fixture
def login_as(client, make):
    """Sign a test client in as a new user of `role` (or as the given user)."""

    def sign_in(role: str | None = None, user=None, **kwargs):
        user = user or make.user(role=role, **kwargs)
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return user

    return sign_in


@pytest.fixture
def api(client, make):
    """An API caller: api.as_(user).get('/api/v1/…'), with a real bearer token."""
    from tests.api_client import ApiClient

    return ApiClient(client, make)
