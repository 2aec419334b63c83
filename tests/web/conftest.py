"""Helpers for the page tests: counting queries, snapshots of rows, a small council."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import event, text
from werkzeug.serving import make_server

from tracker import create_app
from tracker.extensions import db


@contextlib.contextmanager
def count_queries():
    """Count the SQL statements run inside the block (by any session of the app)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def snapshot(*tables: str) -> dict[str, list[tuple]]:
    """Every row of the named tables, for checking that a refused request changed nothing."""
    with db.engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
            for t in tables
        }


@dataclass
class Council:
    dept: object
    other_dept: object
    manager: object
    other_manager: object
    lead: object
    other_lead: object
    team: object
    other_team: object
    initiative: object
    task: object


@pytest.fixture
def council(make) -> Council:
    """Two departments, each with a manager, a team and its lead; one initiative of the
    first department with one task for its team."""
    dept = make.department("Adult Social Care")
    other_dept = make.department("Children's Services")
    manager = make.user("manager", department=dept, display_name="Mo Manager")
    other_manager = make.user("manager", department=other_dept)
    lead = make.user("team_lead", display_name="Lee Lead")
    other_lead = make.user("team_lead")
    team = make.team(department=dept, lead=lead, name="Reablement", capacity=20, establishment=5)
    other_team = make.team(department=other_dept, lead=other_lead, name="Fostering")
    initiative = make.initiative(
        owner=manager,
        departments=[dept],
        title="National Service Framework for Older People",
        rationale="Older people should get joined-up care close to home.",
        budget_pence=12_500_050,
    )
    task = make.task(
        team=team,
        initiative=initiative,
        title="Train reablement staff",
        due=date.today() + timedelta(days=10),
        effort=8,
    )
    return Council(
        dept,
        other_dept,
        manager,
        other_manager,
        lead,
        other_lead,
        team,
        other_team,
        initiative,
        task,
    )


def date_parts(day: date) -> list[str]:
    """The day, month and year boxes of a GOV.UK date input, as posted."""
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture
def people(make, council):
    """One person of each role, signed in as by the role matrices."""
    return {
        "admin": make.user("admin"),
        "director": make.user("director"),
        "manager": council.manager,
        "other_manager": council.other_manager,
        "lead": council.lead,
        "other_lead": council.other_lead,
    }


@pytest.fixture
def live_server(app, app_config):
    """The app served on 127.0.0.1 by a thread, with its own app object on the same
    database the test fills (committed rows only), CSRF on as in production."""
    server_app = create_app(app_config | {"WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()
    with server_app.app_context():
        db.engine.dispose()
