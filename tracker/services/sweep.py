"""The alert sweep of SPEC §5: each kind set-wise in SQL, idempotent through a unique key."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, exists, select
from sqlalchemy.orm import Session

from tracker.domain.days import DEFAULT_TIMEZONE, council_day
from tracker.domain.workload import horizon
from tracker.models import Alert, OverloadCheck, SweepRun
from tracker.models.base import ALERT_KINDS
from tracker.queries import resolution
from tracker.queries.alerts import (
    ALERT_INSERT_COLUMNS,
    AlertRule,
    department_initiative_alerts,
    department_load_alerts,
    departments_of_teams,
    task_alerts,
    team_overload_alerts,
)
from tracker.services.outbox import create_immediate_emails, queue_pending_emails

# (kind, recipient group) pairs of the task alerts: one INSERT … SELECT each. Due soon
# goes to the lead only: the owner hears of a task once it is overdue (SPEC §5).
TASK_ALERTS = (
    ("due_soon", "lead"),
    ("overdue", "lead"),
    ("overdue", "owner"),
    ("escalation", "directors"),
)


def rule_from_config(config: Mapping[str, Any]) -> AlertRule:
    return AlertRule(
        due_soon_days=int(config["ALERT_DUE_SOON_DAYS"]),
        escalate_after_days=int(config["ESCALATE_AFTER_DAYS"]),
        overload_threshold=float(config["OVERLOAD_THRESHOLD"]),
        horizon_weeks=int(config["LOAD_HORIZON_WEEKS"]),
        department_initiative_limit=int(config["DEPARTMENT_INITIATIVE_LIMIT"]),
        timezone=config.get("TIMEZONE") or DEFAULT_TIMEZONE,
    )


@dataclass
class SweepResult:
    created: Counter = field(default_factory=Counter)
    resolved: int = 0
    emails_created: int = 0
    emails_queued: int = 0
    seconds: float = 0.0

    @property
    def alerts_created(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        created = " ".join(f"{kind}={self.created.get(kind, 0)}" for kind in ALERT_KINDS)
        return f"{created} resolved={self.resolved}"

    def summary_line(self) -> str:
        return (
            f"Sweep done in {self.seconds:.2f} s: {self.alerts_created} new alert(s) "
            f"({self.summary()}), {self.emails_created} email(s) created, "
            f"{self.emails_queued} email job(s) queued."
        )


def _insert_new(session: Session, rows: Select) -> int:
    """INSERT the rows as alerts, skipping any (recipient, dedup_key) already there."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    due = rows.subquery()
    # Skip what is already there with an anti-join (cheap in bulk); ON CONFLICT still
    # guards against a concurrent sweep inserting the same alert meanwhile.
    new = select(*due.c).where(
        ~exists().where(
            Alert.recipient_id == due.c.recipient_id, Alert.dedup_key == due.c.dedup_key
        )
    )
    stmt = (
        insert(Alert)
        .from_select(list(ALERT_INSERT_COLUMNS), new)
        .on_conflict_do_nothing(index_elements=["recipient_id", "dedup_key"])
        .execution_options(preserve_rowcount=True)
    )
    return max(session.execute(stmt).rowcount, 0)


def _count(session: Session, stmt) -> int:
    return max(session.execute(stmt).rowcount, 0)


def resolve_alerts(
    session: Session, now: datetime, rule: AlertRule, team_ids: Sequence[int] | None = None
) -> int:
    """Resolve every alert whose condition has ended; with team_ids, those teams' only.
    Also records first missed dates, which escalation counts from. Four statements."""
    today = council_day(now, rule.timezone)
    zone = ZoneInfo(rule.timezone)
    session.execute(resolution.record_first_missed(today, team_ids))
    resolved = _count(session, resolution.resolve_done_tasks(now, today, zone, team_ids))
    resolved += _count(session, resolution.resolve_moved_tasks(now, today, team_ids))
    weeks = horizon(today, rule.horizon_weeks)
    resolved += _count(session, resolution.resolve_relieved_team_weeks(now, weeks, rule, team_ids))
    return resolved


def create_alerts(
    session: Session, now: datetime, rule: AlertRule, team_ids: Sequence[int] | None = None
) -> Counter:
    """Insert every alert that is due and new; with team_ids, only those teams' overload
    and their departments'. A fixed number of statements whatever the data size."""
    today = council_day(now, rule.timezone)
    created: Counter = Counter()
    if team_ids is None:
        for kind, recipients in TASK_ALERTS:
            created[kind] += _insert_new(session, task_alerts(kind, recipients, today, rule, now))
    weeks = horizon(today, rule.horizon_weeks)
    if not weeks:
        return created
    for recipients in ("lead", "managers"):
        created["team_overload"] += _insert_new(
            session, team_overload_alerts(recipients, weeks, rule, now, team_ids)
        )
    departments = None if team_ids is None else departments_of_teams(session, team_ids)
    created["department_overload"] += _insert_new(
        session, department_load_alerts(weeks, rule, now, departments)
    )
    created["department_overload"] += _insert_new(
        session, department_initiative_alerts(weeks[0], rule, now, departments)
    )
    return created


def _run(
    session: Session, now: datetime, rule: AlertRule, team_ids: Sequence[int] | None, record: bool
) -> SweepResult:
    clock = time.monotonic()
    result = SweepResult()
    try:
        result.resolved = resolve_alerts(session, now, rule, team_ids)
        result.created = create_alerts(session, now, rule, team_ids)
        result.emails_created = create_immediate_emails(session, now)
        _checks_done(session, now, team_ids)
        session.commit()
    except Exception as exc:
        session.rollback()
        if record:
            session.add(SweepRun(started_at=now, finished_at=now, error=repr(exc)[:2000]))
            session.commit()
        raise
    # After the commit: a lost job is re-queued by the next sweep, never lost for good.
    result.emails_queued = queue_pending_emails(session, now)
    result.seconds = time.monotonic() - clock
    if record:
        session.add(
            SweepRun(
                started_at=now,
                finished_at=now + timedelta(seconds=result.seconds),
                alerts_created=result.alerts_created,
                emails_queued=result.emails_queued,
                summary=result.summary(),
            )
        )
        session.commit()
    return result


def _checks_done(session: Session, now: datetime, team_ids: Sequence[int] | None) -> None:
    """The overload checks this run has done (all of them, for a whole sweep) are no
    longer owed; one asked for after `now` stays."""
    done = delete(OverloadCheck).where(OverloadCheck.requested_at <= now)
    if team_ids is not None:
        done = done.where(OverloadCheck.team_id.in_(list(team_ids)))
    session.execute(done.execution_options(synchronize_session=False))


def run_owed_overload_checks(
    session: Session, now: datetime, rule: AlertRule, owed_since: datetime, limit: int = 500
) -> int:
    """Run the overload checks asked for before `owed_since` and never done (their job
    lost with Redis or a worker); how many teams were checked."""
    team_ids = list(
        session.scalars(
            select(OverloadCheck.team_id)
            .where(OverloadCheck.requested_at <= owed_since)
            .order_by(OverloadCheck.requested_at)
            .limit(limit)
        )
    )
    if team_ids:
        check_team_overload(session, team_ids, now, rule)
    return len(team_ids)


def run_sweep(session: Session, now: datetime, rule: AlertRule | None = None) -> SweepResult:
    """The periodic sweep: all five kinds, then email for the new alerts."""
    if rule is None:
        from flask import current_app

        rule = rule_from_config(current_app.config)
    return _run(session, now, rule, None, record=True)


def check_team_overload(
    session: Session, team_ids: Sequence[int], now: datetime, rule: AlertRule
) -> SweepResult:
    """At once after a change to these teams' tasks: resolve their alerts whose condition
    has ended, and run the overload part of the sweep for them and their departments."""
    if not team_ids:
        return SweepResult()
    return _run(session, now, rule, list(team_ids), record=False)
