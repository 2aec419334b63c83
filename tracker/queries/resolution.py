"""The UPDATEs that end alerts whose condition has ended (SPEC §5 "Resolution").

Each is one set-wise statement, whatever the number of alerts; the sweep runs them
all, the immediate check after a task change runs them for the teams it touched.
A resolved alert keeps its place in the inbox with `resolved_at` and a short reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Update, and_, case, literal, or_, update

from tracker.domain.wording import day_in_words
from tracker.models import Alert, Task
from tracker.models.base import UTCDateTime
from tracker.queries.alerts import (
    OPEN_STATUSES,
    _s,
    task_dedup,
)
from tracker.queries.wording import day_in_words_sql

TASK_KINDS = ("due_soon", "overdue", "escalation")


def _unresolved():
    return Alert.resolved_at.is_(None)


def _of_task_alerts(team_ids: Sequence[int] | None):
    where = [
        _unresolved(),
        Alert.subject_type == "task",
        Alert.kind.in_(TASK_KINDS),
        Alert.subject_id == Task.id,
    ]
    if team_ids is not None:
        where.append(Task.team_id.in_(list(team_ids)))
    return where


def _resolve(stmt: Update, now: datetime, reason) -> Update:
    stamp = literal(now, UTCDateTime())
    return stmt.values(resolved_at=stamp, resolved_reason=reason).execution_options(
        synchronize_session=False, preserve_rowcount=True
    )


def record_first_missed(today: date, team_ids: Sequence[int] | None = None) -> Update:
    """Open tasks past their due date keep that date as their first missed date, once."""
    stmt = update(Task).where(
        Task.status.in_(OPEN_STATUSES), Task.due_date < today, Task.first_missed_on.is_(None)
    )
    if team_ids is not None:
        stmt = stmt.where(Task.team_id.in_(list(team_ids)))
    return stmt.values(first_missed_on=Task.due_date).execution_options(
        synchronize_session=False, preserve_rowcount=True
    )


def resolve_done_tasks(
    now: datetime, today: date, zone: ZoneInfo, team_ids: Sequence[int] | None = None
) -> Update:
    """Task alerts of tasks now done: "done on 3 Dec 2026" (the council's day)."""
    start_of_today = datetime.combine(today, time(0), zone)
    reason = case(
        (Task.completed_at.is_(None), _s("done")),
        (
            Task.completed_at >= literal(start_of_today, UTCDateTime()),
            _s(f"done on {day_in_words(today)}"),
        ),
        else_=_s("done on ") + day_in_words_sql(Task.completed_at),
    )
    stmt = update(Alert).where(*_of_task_alerts(team_ids), Task.status == "done")
    return _resolve(stmt, now, reason)


def resolve_moved_tasks(
    now: datetime, today: date, team_ids: Sequence[int] | None = None
) -> Update:
    """Task alerts about a due date the task no longer has ("re-dated to 15 Jan 2027"),
    and due-soon alerts of tasks now overdue (the overdue alert takes over)."""
    current_key = case(
        {kind: task_dedup(kind) for kind in TASK_KINDS}, value=Alert.kind, else_=_s("")
    )
    moved = Alert.dedup_key != current_key
    now_overdue = and_(Alert.kind == "due_soon", Task.due_date < today)
    reason = case(
        (moved, _s("re-dated to ") + day_in_words_sql(Task.due_date)),
        else_=_s("now overdue"),
    )
    stmt = update(Alert).where(
        *_of_task_alerts(team_ids), Task.status.in_(OPEN_STATUSES), or_(moved, now_overdue)
    )
    return _resolve(stmt, now, reason)
