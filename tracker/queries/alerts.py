"""The SELECTs behind the alert sweep (one per kind and recipient group) and the inbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Integer,
    Numeric,
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
from tracker.models import Alert, Initiative, Task, Team, TeamWeekLoad, User
from tracker.models.base import ACTIVE_INITIATIVE_STATUSES, UTCDateTime
from tracker.models.initiatives import initiative_departments
from tracker.models.org import Department
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
DEPARTMENT_ACTION = (
    "Ask the department's managers which initiatives to re-phase or pause, or fund cover."
)
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
    timezone: str = "Europe/London"  # the council's day (SPEC §8): due dates are London's


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
    """The alert columns, labelled with their names, created_at last."""
    return [
        c.label(name) for c, name in zip([*columns, _stamp(now)], ALERT_INSERT_COLUMNS, strict=True)
    ]


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


def _week_columns(weeks: Sequence[date]):
    labels = {w: iso_week_label(w) for w in weeks}
    names = {w: day_name(w) for w in weeks}
    return (
        case(labels, value=TeamWeekLoad.week_start, else_=literal("")),
        case(names, value=TeamWeekLoad.week_start, else_=literal("")),
    )


def _hours(expr):
    return _text(func.round(cast(expr, Numeric(12, 2)), 1))


def team_overload_alerts(
    recipients: str,
    weeks: Sequence[date],
    rule: AlertRule,
    now: datetime,
    team_ids: Sequence[int] | None = None,
) -> Select:
    """Teams over the threshold in a week of the horizon, for their lead or managers."""
    iso, named = _week_columns(weeks)
    recipient = aliased(User)
    percent = _text(
        cast(func.round(TeamWeekLoad.planned_hours * 100.0 / Team.capacity_hours_per_week), Integer)
    )
    message = (
        _s("Team ")
        + Team.name
        + _s(" is overloaded in the week of ")
        + named
        + _s(": ")
        + _hours(TeamWeekLoad.planned_hours)
        + _s(" planned hours against a capacity of ")
        + _hours(Team.capacity_hours_per_week)
        + _s(" (")
        + percent
        + _s("%).")
    )
    dedup = _s("team_overload:team:") + _text(Team.id) + _s(":") + iso
    stmt = (
        select(
            *_rows(
                _s("team_overload"),
                recipient.id,
                _s("team"),
                Team.id,
                message,
                dedup,
                case(
                    (
                        recipient.id == Team.lead_id,
                        _s("Agree with the initiatives' owners which tasks move to a later week."),
                    ),
                    else_=_s("Re-date some of the team's tasks, or give them to another team."),
                ),
                _s("/teams/") + _text(Team.id) + _s("#load"),
                now=now,
            )
        )
        .select_from(TeamWeekLoad)
        .join(Team, Team.id == TeamWeekLoad.team_id)
    )
    if recipients == "lead":
        stmt = stmt.join(recipient, recipient.id == Team.lead_id)
    else:
        stmt = stmt.join(
            recipient,
            and_(recipient.role == "manager", recipient.department_id == Team.department_id),
        )
    stmt = stmt.where(
        TeamWeekLoad.week_start.in_(list(weeks)),
        TeamWeekLoad.planned_hours
        > (rule.overload_threshold + EPSILON) * Team.capacity_hours_per_week,
        _active(recipient),
    )
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(list(team_ids)))
    return stmt


def department_load_alerts(
    weeks: Sequence[date],
    rule: AlertRule,
    now: datetime,
    department_ids: Sequence[int] | None = None,
) -> Select:
    """Departments whose summed load exceeds the threshold in a week, for directors."""
    iso, named = _week_columns(weeks)
    capacity = (
        select(
            Team.department_id.label("department_id"),
            func.sum(Team.capacity_hours_per_week).label("capacity"),
        )
        .group_by(Team.department_id)
        .subquery()
    )
    hours = (
        select(
            Team.department_id.label("department_id"),
            TeamWeekLoad.week_start.label("week_start"),
            func.sum(TeamWeekLoad.planned_hours).label("hours"),
        )
        .join(Team, Team.id == TeamWeekLoad.team_id)
        .where(TeamWeekLoad.week_start.in_(list(weeks)))
        .group_by(Team.department_id, TeamWeekLoad.week_start)
    )
    if department_ids is not None:
        hours = hours.where(Team.department_id.in_(list(department_ids)))
    hours = hours.subquery()
    labels = {w: iso_week_label(w) for w in weeks}
    names = {w: day_name(w) for w in weeks}
    iso = case(labels, value=hours.c.week_start, else_=literal(""))
    named = case(names, value=hours.c.week_start, else_=literal(""))
    director = aliased(User)
    message = (
        _s("Department ")
        + Department.name
        + _s(" is overloaded in the week of ")
        + named
        + _s(": ")
        + _hours(hours.c.hours)
        + _s(" planned hours against a capacity of ")
        + _hours(capacity.c.capacity)
        + _s(".")
    )
    dedup = _s("department_overload:department:") + _text(Department.id) + _s(":") + iso
    return (
        select(
            *_rows(
                _s("department_overload"),
                director.id,
                _s("department"),
                Department.id,
                message,
                dedup,
                _s(DEPARTMENT_ACTION),
                _s("/dashboard/departments/") + _text(Department.id),
                now=now,
            )
        )
        .select_from(hours)
        .join(capacity, capacity.c.department_id == hours.c.department_id)
        .join(Department, Department.id == hours.c.department_id)
        .join(director, and_(director.role == "director", _active(director)))
        .where(hours.c.hours > (rule.overload_threshold + EPSILON) * capacity.c.capacity)
    )


def department_initiative_alerts(
    week: date,
    rule: AlertRule,
    now: datetime,
    department_ids: Sequence[int] | None = None,
) -> Select:
    """Departments with more active initiatives than the limit, this ISO week, for directors."""
    counts = (
        select(
            initiative_departments.c.department_id.label("department_id"),
            func.count().label("active"),
        )
        .join(Initiative, Initiative.id == initiative_departments.c.initiative_id)
        .where(Initiative.status.in_(ACTIVE_INITIATIVE_STATUSES))
        .group_by(initiative_departments.c.department_id)
        .having(func.count() > rule.department_initiative_limit)
    )
    if department_ids is not None:
        counts = counts.where(initiative_departments.c.department_id.in_(list(department_ids)))
    counts = counts.subquery()
    director = aliased(User)
    message = (
        _s("Department ")
        + Department.name
        + _s(" has ")
        + _text(counts.c.active)
        + _s(f" active initiatives, more than the limit of {rule.department_initiative_limit}")
        + _s(f" (week of {day_name(week)}).")
    )
    dedup = (
        _s("department_overload:department:")
        + _text(Department.id)
        + _s(f":{iso_week_label(week)}")
    )
    return (
        select(
            *_rows(
                _s("department_overload"),
                director.id,
                _s("department"),
                Department.id,
                message,
                dedup,
                _s(DEPARTMENT_ACTION),
                _s("/dashboard/departments/") + _text(Department.id),
                now=now,
            )
        )
        .select_from(counts)
        .join(Department, Department.id == counts.c.department_id)
        .join(director, and_(director.role == "director", _active(director)))
    )


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
