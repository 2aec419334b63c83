"""Alert jobs: the periodic sweep and the overload check queued after task changes."""

from __future__ import annotations

from tracker.extensions import db
from tracker.jobs import job_context, utc_now
from tracker.services import sweep


def run_sweep() -> str:
    with job_context():
        return sweep.run_sweep(db.session, utc_now()).summary_line()


def check_team_overload(team_ids: list[int]) -> str:
    with job_context() as app:
        rule = sweep.rule_from_config(app.config)
        result = sweep.check_team_overload(db.session, [int(t) for t in team_ids], utc_now(), rule)
        return result.summary_line()
