"""RQ jobs: thin wrappers that take ids, call one service and clean the session up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask import Flask

from tracker import clock

_app: Flask | None = None
_engine_pid: int | None = None


def get_app() -> Flask:
    """The worker process's app, built once (worker.py builds it before forking)."""
    global _app
    if _app is None:
        from tracker import create_app

        _app = create_app()
    return _app


def set_app(app: Flask) -> None:
    """Use this app for jobs run in this process (worker.py, tests)."""
    global _app
    _app = app


@contextmanager
def job_context() -> Iterator[Flask]:
    """An app context for one job; the session is removed afterwards, whatever happens."""
    from tracker.extensions import db

    global _engine_pid
    app = get_app()
    with app.app_context():
        if _engine_pid != os.getpid():
            # A forked work horse must not reuse its parent's database connections.
            db.engine.dispose(close=False)
            _engine_pid = os.getpid()
        try:
            yield app
        finally:
            db.session.remove()


def utc_now() -> datetime:
    """The clock, read at the edge (jobs), never in services."""
    return clock.now()
