"""Outages: a database or Redis that does not answer gets 503 with Retry-After (a
GOV.UK page, or the API's error object with code `unavailable`), never a bare 500."""

from __future__ import annotations

import sqlite3

import pytest
import redis as redis_lib
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from tests.jobs.smtp_server import closed_port
from tracker import create_app
from tracker.extensions import db
from tracker.models import Task
from tracker.outages import RETRY_AFTER_SECONDS, is_outage

TITLE = "Sorry, the service is briefly unavailable"


def _unavailable_page(response) -> str:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert TITLE in html
    assert "govuk-template" in html and "govuk-frontend.min.css" in html  # styled, ours
    assert "Traceback" not in html and "psycopg" not in html and "Sign out" not in html
    return html


def _unavailable_json(response) -> dict:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    error = response.get_json()["error"]
    assert error["code"] == "unavailable"
    assert set(error) == {"code", "message", "fields"}
    return error


@pytest.fixture(params=["postgresql", "sqlite"])
def database_down(request, tmp_path, redis_url):
    """An app whose database cannot be reached: a PostgreSQL port where nothing listens,
    or an SQLite file in a folder that does not exist."""
    if request.param == "postgresql":
        url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/tracker"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.db'}"
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": redis_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_pages_answer_503_when_the_database_is_down(database_down):
    client = database_down.test_client()
    response = client.post("/sign-in", data={"username": "lee", "password": "secret words"})
    _unavailable_page(response)
    # Signed in: the page must not ask the database who is looking.
    with client.session_transaction() as session:
        session["_user_id"] = "1:token"
        session["_fresh"] = True
    for path in ("/initiatives", "/alerts", "/dashboard", "/no-such-page"):
        _unavailable_page(client.get(path))
    response = client.post("/tasks/1/status", data={"status": "done", "version": "1"})
    _unavailable_page(response)


def test_api_answers_503_unavailable_when_the_database_is_down(database_down):
    client = database_down.test_client()
    response = client.post("/api/v1/tokens", json={"username": "lee", "password": "secret"})
    assert "briefly unavailable" in _unavailable_json(response)["message"]
    headers = {"Authorization": "Bearer some-token"}
    _unavailable_json(client.get("/api/v1/tasks", headers=headers))
    _unavailable_json(client.patch("/api/v1/tasks/1", json={"version": 1}, headers=headers))


@pytest.fixture
def redis_down(app):
    """The test's app pointed at a Redis port where nothing listens."""
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    app.extensions.pop("tracker_redis", None)
    return app


def test_with_redis_down_work_is_still_saved_and_only_the_job_pages_answer_503(
    redis_down, client, login_as, make, session
):
    """Nothing needs Redis but the background jobs: a change is saved at once (the next
    sweep catches up); the RQ dashboard, which is nothing but Redis, answers 503."""
    lead = make.user("team_lead")
    task = make.task(team=make.team(lead=lead))
    login_as(user=lead)
    response = client.post(f"/tasks/{task.id}/status", data={"status": "in_progress", "version": 1})
    assert response.status_code == 302
    assert session.scalar(select(Task.status).where(Task.id == task.id)) == "in_progress"
    login_as("admin")
    _unavailable_page(client.get("/admin/rq/0/view/job/periodic-sweep-1"))
    _unavailable_page(client.get("/admin/rq/0/data/queues.json"))
    operations = client.get("/admin/operations")  # says what is wrong, shows the rest
    assert operations.status_code == 200
    assert "Connection refused" in operations.get_data(as_text=True)


def test_with_redis_down_the_api_still_saves_work(redis_down, api, make, session):
    lead = make.user("team_lead")
    task = make.task(team=make.team(lead=lead))
    token = api.client.post("/api/v1/tokens", json={"username": lead.username, "password": ""})
    assert token.status_code in (400, 401, 422)  # the sign-in throttle does not stop it
    response = api.as_(lead).patch(
        f"/api/v1/tasks/{task.id}", json={"status": "in_progress", "version": 1}
    )
    assert response.status_code == 200, response.get_json()
    assert session.scalar(select(Task.status).where(Task.id == task.id)) == "in_progress"


def test_an_api_call_that_needs_redis_answers_503_unavailable(tmp_path, redis_url):
    """Any API view whose Redis call fails gets the error object (a route of this test's
    own: the API's routes need no Redis today)."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}",
            "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )

    @app.get("/api/v1/test-only-ping")
    def ping():
        from tracker.extensions import get_redis

        return {"pong": get_redis().ping()}

    _unavailable_json(app.test_client().get("/api/v1/test-only-ping"))


def _wrapped(error: Exception, cls=sa_exc.OperationalError) -> Exception:
    return cls("SELECT 1", {}, error)


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (_wrapped(sqlite3.OperationalError("database is locked")), True),
        (_wrapped(sqlite3.OperationalError("unable to open database file")), True),
        (_wrapped(sqlite3.OperationalError("no such table: tasks")), False),
        (_wrapped(sqlite3.OperationalError("near 'SELEC': syntax error")), False),
        (_wrapped(sqlite3.InterfaceError("closed"), sa_exc.InterfaceError), True),
        (_wrapped(sqlite3.IntegrityError("UNIQUE constraint"), sa_exc.IntegrityError), False),
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (redis_lib.ConnectionError("Connection refused"), True),
        (redis_lib.TimeoutError("Timeout reading from socket"), True),
        (redis_lib.ResponseError("WRONGTYPE"), False),
        (ValueError("not ours"), False),
    ],
)
def test_outages_are_told_apart_from_bugs(error, outage):
    assert is_outage(error) is outage


def test_a_bug_of_the_same_class_stays_a_500(app, client, login_as):
    """An OperationalError that is a mistake in our SQL is not an outage: no 503."""

    @app.get("/test-only-bad-sql")
    def bad_sql():
        db.session.execute(db.text("SELECT * FROM no_such_table"))
        return "unreachable"

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/test-only-bad-sql")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
