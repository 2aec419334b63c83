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
from tracker.domain.working_time import WorkingTime
from tracker.domain.workload import horizon
from tracker.models import Alert, OverloadCheck, SweepRun
from tracker.models.base import ALERT_KINDS
from tracker.queries import episodes, resolution
from tracker.queries.alerts import AlertRule, departments_of_teams, task_alerts
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
        overload_realert_step=float(config.get("OVERLOAD_REALERT_STEP", 0.25)),
        timezone=config.get("TIMEZONE") or DEFAULT_TIMEZONE,
        working_time=working_time_from_config(config),
    )


def working_time_from_config(config: Mapping[str, Any]) -> WorkingTime:
    return WorkingTime.of(
        config.get("QUIET_HOURS") or "18:00-08:00",
        bool(config.get("QUIET_WEEKENDS", True)),
        config.get("TIMEZONE") or DEFAULT_TIMEZONE,
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


def _insert_fn(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _insert_new(session: Session, rows: Select) -> int:
    """INSERT the rows as alerts, skipping any (recipient, dedup_key) already there."""
    insert = _insert_fn(session)
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
        .from_select([c.name for c in due.c], new)
        .on_conflict_do_nothing(index_elements=["recipient_id", "dedup_key"])
        .execution_options(preserve_rowcount=True)
    )
    return max(session.execute(stmt).rowcount, 0)


def _count(session: Session, stmt) -> int:
    return max(session.execute(stmt).rowcount, 0)


def resolve_alerts(
    session: Session, now: datetime, rule: AlertRule, team_ids: Sequence[int] | None = None
) -> int:
    """Resolve every task alert whose condition has ended; with team_ids, those teams'
    only. Also records first missed dates, which escalation counts from. Three statements."""
    today = council_day(now, rule.timezone)
    zone = ZoneInfo(rule.timezone)
    session.execute(resolution.record_first_missed(today, team_ids))
    resolved = _count(session, resolution.resolve_done_tasks(now, today, zone, team_ids))
    resolved += _count(session, resolution.resolve_moved_tasks(now, today, team_ids))
    return resolved


def follow_overload(
    session: Session,
    now: datetime,
    rule: AlertRule,
    team_ids: Sequence[int] | None = None,
) -> tuple[Counter, int]:
    """Keep the overload episodes of teams and departments (with team_ids, those teams'
    and their departments') in step with the load, alert those due one, resolve the
    alerts of those that ended: (alerts created by kind, alerts resolved). Fixed
    statements: six per subject type, two to resolve."""
    today = council_day(now, rule.timezone)
    weeks = horizon(today, rule.horizon_weeks)
    created: Counter = Counter()
    if not weeks:
        return created, 0
    departments = None if team_ids is None else departments_of_teams(session, team_ids)
    insert = _insert_fn(session)
    for subject_type, kind, overloaded, scope, alerts in (
        (
            "team",
            "team_overload",
            episodes.overloaded_team_weeks(weeks, rule, team_ids),
            team_ids,
            episodes.team_episode_alerts,
        ),
        (
            "department",
            "department_overload",
            episodes.overloaded_department_weeks(weeks, rule, departments),
            departments,
            episodes.department_episode_alerts,
        ),
    ):
        runs = episodes.islands(overloaded)
        session.execute(episodes.join_older_episodes(subject_type, runs, now, scope))
        session.execute(episodes.end_episodes(subject_type, runs, now, weeks[0], scope))
        session.execute(episodes.follow_episodes(subject_type, runs, scope))
        session.execute(episodes.start_episodes(subject_type, runs, now, insert))
        created[kind] += _insert_new(session, alerts(rule, now, scope))
        session.execute(episodes.mark_alerted(subject_type, rule, scope))
    resolved = _count(session, episodes.resolve_ended_episodes(now))
    resolved += _count(session, episodes.resolve_superseded(now))
    return created, resolved


def create_alerts(
    session: Session, now: datetime, rule: AlertRule, team_ids: Sequence[int] | None = None
) -> Counter:
    """Insert every task alert that is due and new (not with team_ids: the immediate
    check leaves them to the sweep). One statement per kind and recipient group."""
    today = council_day(now, rule.timezone)
    created: Counter = Counter()
    if team_ids is None:
        for kind, recipients in TASK_ALERTS:
            created[kind] += _insert_new(session, task_alerts(kind, recipients, today, rule, now))
    return created


def update_alerts(
    session: Session, now: datetime, rule: AlertRule, team_ids: Sequence[int] | None = None
) -> tuple[Counter, int]:
    """Every alert statement of a sweep (or of the immediate check, with team_ids), in
    order; does not commit: (alerts created by kind, alerts resolved)."""
    resolved = resolve_alerts(session, now, rule, team_ids)
    created = create_alerts(session, now, rule, team_ids)
    overload, overload_resolved = follow_overload(session, now, rule, team_ids)
    created.update(overload)
    return created, resolved + overload_resolved


def _run(
    session: Session, now: datetime, rule: AlertRule, team_ids: Sequence[int] | None, record: bool
) -> SweepResult:
    clock = time.monotonic()
    result = SweepResult()
    try:
        result.created, result.resolved = update_alerts(session, now, rule, team_ids)
        result.emails_created = create_immediate_emails(session, now, rule.working_time)
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
