"""Alert jobs: the periodic sweep, the overload check queued after task changes, and
the catch-up that finds work whose job was lost."""

from __future__ import annotations

from datetime import timedelta

from tracker.extensions import db
from tracker.jobs import job_context, utc_now
from tracker.services import outbox, sweep


def run_sweep() -> str:
    with job_context():
        return sweep.run_sweep(db.session, utc_now()).summary_line()


def check_team_overload(team_ids: list[int]) -> str:
    with job_context() as app:
        rule = sweep.rule_from_config(app.config)
        result = sweep.check_team_overload(db.session, [int(t) for t in team_ids], utc_now(), rule)
        return result.summary_line()


def catch_up() -> str:
    """Every CATCH_UP_SECONDS: the overload checks and emails still owed, decided from
    the database alone (a job lost between a worker's pop and its start leaves no trace
    RQ would ever act on)."""
    with job_context() as app:
        now = utc_now()
        rule = sweep.rule_from_config(app.config)
        owed_since = now - timedelta(seconds=int(app.config["CATCH_UP_SECONDS"]))
        checked = sweep.run_owed_overload_checks(db.session, now, rule, owed_since)
        queued = outbox.queue_pending_emails(
            db.session, now, int(app.config["EMAIL_CLAIM_SECONDS"])
        )
        return f"{checked} owed overload check(s) run, {queued} email job(s) queued"
