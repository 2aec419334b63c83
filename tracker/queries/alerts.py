"""The SELECTs behind the alert sweep (one per kind and recipient group) and the inbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased

from tracker.domain.wording import day_in_words
from tracker.domain.working_time import WorkingTime
from tracker.models import Alert, Initiative, Task, Team, User
from tracker.models.base import UTCDateTime
from tracker.queries.wording import day_in_words_sql

OPEN_STATUSES = ("not_started", "in_progress", "blocked")
# Alert columns filled by every sweep SELECT, in this order.
ALERT_COLUMNS = (
    "kind",
    "recipient_id",
    "subject_type",
    "subject_id",
    "message",
    "dedup_key",
    "action",
    "url",
)
ALERT_INSERT_COLUMNS = (*ALERT_COLUMNS, "created_at")
# SPEC §4's "strictly above the threshold" (domain.workload.is_overloaded), in SQL.
EPSILON = 1e-9


@dataclass(frozen=True)
class AlertRule:
    """The settings of SPEC §5 a sweep applies, read once at the edge."""

    due_soon_days: int = 7
    escalate_after_days: int = 14
    overload_threshold: float = 1.0
    horizon_weeks: int = 8
    department_initiative_limit: int = 6
    overload_realert_step: float = 0.25
    timezone: str = "Europe/London"  # the council's day (SPEC §8): due dates are London's
    # When immediate emails may go and digests are sent (SPEC §5 "Delivery").
    working_time: WorkingTime = field(default_factory=WorkingTime)


def iso_week_label(week: date) -> str:
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


def day_name(day: date) -> str:
    return day_in_words(day)


def _text(value) -> object:
    return cast(value, String)


def _s(text: str):
    return literal(text, String)


def _stamp(now: datetime):
    return literal(now, UTCDateTime())


def _rows(*columns, now: datetime) -> list:
    """The alert columns, labelled with their names, created_at last (an overload
    alert adds its episode_id after url)."""
    names = ALERT_INSERT_COLUMNS
    if len(columns) == len(ALERT_COLUMNS) + 1:
        names = (*ALERT_COLUMNS, "episode_id", "created_at")
    return [c.label(name) for c, name in zip([*columns, _stamp(now)], names, strict=True)]


def _active(user) -> object:
    return user.active.is_(True)


def task_url(task_id) -> object:
    """The task's status form (SPEC §5 "Actionable"): where its lead acts."""
    return _s("/tasks/") + _text(task_id) + _s("#update")


def task_dedup(kind: str, task=None) -> object:
    """The dedup key of a task alert: per task, kind and due date (SPEC §5); an
    escalation also per first missed date, which re-dating never moves."""
    task = task if task is not None else Task
    key = _s(f"{kind}:task:") + _text(task.id) + _s(":")
    if kind == "escalation":
        key = key + _text(task.first_missed_on) + _s(":")
    return key + _text(task.due_date)


def _name_or(user, fallback: str) -> object:
    return func.coalesce(user.display_name, _s(fallback))


def task_alerts(kind: str, recipients: str, today: date, rule: AlertRule, now: datetime) -> Select:
    """Open tasks due soon, overdue or to escalate, crossed with one recipient group.

    recipients: "lead" (the team's lead), "owner" (the initiative's owner) or
    "directors" (every active director). Each row says what to do and where.
    """
    recipient = aliased(User)
    owner = aliased(User)
    lead = aliased(User)
    due = day_in_words_sql(Task.due_date)
    if kind == "due_soon":
        when = Task.due_date.between(today, today + timedelta(days=rule.due_soon_days))
        says = _s(" is due on ") + due
        action = (
            _s("Finish it by ")
            + due
            + _s(", or agree a new date with ")
            + _name_or(owner, "the initiative's owner")
            + _s(".")
        )
    elif kind == "overdue":
        when = Task.due_date < today
        says = _s(" is overdue: it was due on ") + due
        if recipients == "lead":
            action = (
                _s("Mark it done, or agree a new date with ")
                + _name_or(owner, "the initiative's owner")
                + _s(".")
            )
        else:
            action = (
                _s("Agree a new date with ")
                + _name_or(lead, "the team's lead")
                + _s(", or move the work to another team.")
            )
    else:
        when = and_(
            Task.due_date < today,
            Task.first_missed_on <= today - timedelta(days=rule.escalate_after_days),
        )
        first = day_in_words_sql(Task.first_missed_on)
        says = case(
            (Task.first_missed_on == Task.due_date, _s(" has been overdue since ") + first),
            else_=_s(" first missed its due date on ")
            + first
            + _s(" and is overdue again: it was re-dated to ")
            + due,
        )
        action = (
            _s("Ask ")
            + _name_or(owner, "the initiative's owner")
            + _s(", who owns the initiative, how and when it will be done.")
        )
    message = (
        _s("Task “")
        + Task.title
        + _s("” of initiative “")
        + Initiative.title
        + _s("” (team ")
        + Team.name
        + _s(")")
        + says
        + _s(".")
    )
    stmt = (
        select(
            *_rows(
                _s(kind),
                recipient.id,
                _s("task"),
                Task.id,
                message,
                task_dedup(kind),
                action,
                task_url(Task.id),
                now=now,
            )
        )
        .select_from(Task)
        .join(Team, Team.id == Task.team_id)
        .join(Initiative, Initiative.id == Task.initiative_id)
        .outerjoin(owner, owner.id == Initiative.owner_id)
        .outerjoin(lead, lead.id == Team.lead_id)
    )
    if recipients == "lead":
        stmt = stmt.join(recipient, recipient.id == Team.lead_id)
    elif recipients == "owner":
        stmt = stmt.join(recipient, recipient.id == Initiative.owner_id)
    else:
        stmt = stmt.join(recipient, and_(recipient.role == "director", _active(recipient)))
    return stmt.where(Task.status.in_(OPEN_STATUSES), when, _active(recipient))


# --- the inbox ---


def inbox_select(user_id: int, unread_only: bool = False) -> Select:
    """A user's alerts, newest first; unread_only: unread and unresolved."""
    stmt = (
        select(Alert)
        .where(Alert.recipient_id == user_id)
        .order_by(Alert.created_at.desc(), Alert.id.desc())
    )
    if unread_only:
        stmt = stmt.where(Alert.read_at.is_(None), Alert.resolved_at.is_(None))
    return stmt


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Alert)
        .where(
            Alert.recipient_id == user_id,
            Alert.read_at.is_(None),
            Alert.resolved_at.is_(None),  # a resolved alert leaves the count (SPEC §5)
        )
    )


def departments_of_teams(session: Session, team_ids: Sequence[int]) -> list[int]:
    return list(
        session.scalars(select(Team.department_id).where(Team.id.in_(list(team_ids))).distinct())
    )
