"""Overload episodes (SPEC §5): consecutive overloaded weeks of a team or department.

The sweep keeps `alert_episodes` in step with the stored weekly load in a fixed number
of set-wise statements, whatever the number of teams:

1. `islands`: this sweep's runs of consecutive overloaded weeks in the horizon (gaps
   and islands: a week's index minus its rank among the subject's overloaded weeks is
   the same for every week of one run);
2. an open episode that shares its run with an older open one joins it (ends);
3. an open episode that meets no run has ended: "back under capacity", or "its weeks
   have passed";
4. an open episode takes the earliest run it meets (new last week, current peak);
5. a run that meets no open episode starts one;
6. an episode never alerted, or whose peak rose by OVERLOAD_REALERT_STEP since it was,
   alerts its recipients (one INSERT … SELECT), then records the peak alerted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import (
    Float,
    Insert,
    Integer,
    Select,
    Update,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union,
    union_all,
    update,
)
from sqlalchemy.orm import aliased

from tracker.models import (
    Alert,
    AlertEpisode,
    Department,
    Initiative,
    Task,
    TaskWeekLoad,
    Team,
    TeamWeekLoad,
    User,
)
from tracker.models.base import ACTIVE_INITIATIVE_STATUSES, UTCDateTime
from tracker.models.initiatives import initiative_departments
from tracker.queries.alerts import EPSILON, AlertRule, _active, _rows, _s, _text
from tracker.queries.wording import day_in_words_sql

TEAM_ACTIONS = {
    "lead": "Agree with the initiatives' owners which tasks move to a later week.",
    "owner": "Move some of your initiative's tasks for this team to a later week or another team.",
}
DEPARTMENT_ACTION = (
    "Ask the department's managers which initiatives to re-phase or pause, or fund cover."
)


def _stamp(now: datetime):
    return literal(now, UTCDateTime())


def _week_index(column, weeks: Sequence[date]):
    return case({w: i for i, w in enumerate(weeks)}, value=column, else_=literal(-1))


def team_capacity():
    """A team's capacity in a week of the horizon (SPEC §4)."""
    return Team.capacity_hours_per_week


def overloaded_team_weeks(
    weeks: Sequence[date], rule: AlertRule, team_ids: Sequence[int] | None = None
) -> Select:
    """(subject_id, week_start, idx, ratio) of each overloaded week of each team."""
    capacity = team_capacity()
    stmt = (
        select(
            TeamWeekLoad.team_id.label("subject_id"),
            TeamWeekLoad.week_start.label("week_start"),
            _week_index(TeamWeekLoad.week_start, weeks).label("idx"),
            (TeamWeekLoad.planned_hours / capacity).label("ratio"),
        )
        .join(Team, Team.id == TeamWeekLoad.team_id)
        .where(
            TeamWeekLoad.week_start.in_(list(weeks)),
            TeamWeekLoad.planned_hours > (rule.overload_threshold + EPSILON) * capacity,
        )
    )
    if team_ids is not None:
        stmt = stmt.where(TeamWeekLoad.team_id.in_(list(team_ids)))
    return stmt


def _horizon_weeks(weeks: Sequence[date]):
    rows = [
        select(literal(w).label("week_start"), literal(i).label("idx")) for i, w in enumerate(weeks)
    ]
    return union_all(*rows).subquery("horizon")


def active_initiatives(department_ids: Sequence[int] | None = None):
    """(department_id, active): active initiatives per department."""
    stmt = (
        select(
            initiative_departments.c.department_id.label("department_id"),
            func.count().label("active"),
        )
        .join(Initiative, Initiative.id == initiative_departments.c.initiative_id)
        .where(Initiative.status.in_(ACTIVE_INITIATIVE_STATUSES))
        .group_by(initiative_departments.c.department_id)
    )
    if department_ids is not None:
        stmt = stmt.where(initiative_departments.c.department_id.in_(list(department_ids)))
    return stmt.subquery("active")


def overloaded_department_weeks(
    weeks: Sequence[date], rule: AlertRule, department_ids: Sequence[int] | None = None
) -> Select:
    """(subject_id, week_start, idx, ratio) of each overloaded week of each department:
    its teams' summed load over their summed capacity above the threshold, or more
    active initiatives than DEPARTMENT_INITIATIVE_LIMIT (then every week of the horizon)."""
    capacity = (
        select(
            Team.department_id.label("department_id"),
            func.sum(team_capacity()).label("capacity"),
        )
        .group_by(Team.department_id)
        .subquery("capacity")
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
        .subquery("hours")
    )
    horizon = _horizon_weeks(weeks)
    active = active_initiatives(department_ids)
    planned = func.coalesce(hours.c.hours, 0.0)
    stmt = (
        select(
            Department.id.label("subject_id"),
            horizon.c.week_start,
            horizon.c.idx,
            func.coalesce(planned / capacity.c.capacity, 0.0).label("ratio"),
        )
        .select_from(Department)
        .join(horizon, true())
        .outerjoin(capacity, capacity.c.department_id == Department.id)
        .outerjoin(
            hours,
            and_(
                hours.c.department_id == Department.id,
                hours.c.week_start == horizon.c.week_start,
            ),
        )
        .outerjoin(active, active.c.department_id == Department.id)
        .where(
            or_(
                planned > (rule.overload_threshold + EPSILON) * capacity.c.capacity,
                func.coalesce(active.c.active, 0) > rule.department_initiative_limit,
            )
        )
    )
    if department_ids is not None:
        stmt = stmt.where(Department.id.in_(list(department_ids)))
    return stmt


def islands(overloaded_weeks: Select):
    """(subject_id, first_week, last_week, peak): runs of consecutive overloaded weeks."""
    weeks = overloaded_weeks.subquery("weeks")
    ranked = select(
        weeks.c.subject_id,
        weeks.c.week_start,
        weeks.c.ratio,
        (
            weeks.c.idx
            - func.row_number().over(partition_by=weeks.c.subject_id, order_by=weeks.c.week_start)
        ).label("run"),
    ).subquery("ranked")
    return (
        select(
            ranked.c.subject_id,
            func.min(ranked.c.week_start).label("first_week"),
            func.max(ranked.c.week_start).label("last_week"),
            cast(func.max(ranked.c.ratio), Float).label("peak"),
        )
        .group_by(ranked.c.subject_id, ranked.c.run)
        .subquery("islands")
    )


def _meets(run, episode) -> object:
    """The run and the episode share a week (or touch the weeks the episode had)."""
    return and_(
        run.c.subject_id == episode.subject_id,
        run.c.first_week <= episode.last_week,
        run.c.last_week >= episode.first_week,
    )


def _open(subject_type: str, scope: Sequence[int] | None, episode=AlertEpisode) -> list:
    where = [episode.subject_type == subject_type, episode.ended_at.is_(None)]
    if scope is not None:
        where.append(episode.subject_id.in_(list(scope)))
    return where


def _done(stmt: Update) -> Update:
    return stmt.execution_options(synchronize_session=False, preserve_rowcount=True)


def join_older_episodes(subject_type: str, runs, now: datetime, scope=None) -> Update:
    """End an open episode whose run is shared by an older open one (two runs merged)."""
    older = aliased(AlertEpisode)
    shared = exists().where(
        _meets(runs, AlertEpisode),
        *_open(subject_type, None, older),
        older.subject_id == AlertEpisode.subject_id,
        older.first_week < AlertEpisode.first_week,
        runs.c.first_week <= older.last_week,
        runs.c.last_week >= older.first_week,
    )
    return _done(
        update(AlertEpisode)
        .where(*_open(subject_type, scope), shared)
        .values(ended_at=_stamp(now), end_reason="joined an earlier episode")
    )


def end_episodes(subject_type: str, runs, now: datetime, current_week: date, scope=None) -> Update:
    """End each open episode that meets no run of this sweep."""
    reason = case(
        (AlertEpisode.last_week < current_week, _s("its weeks have passed")),
        else_=_s("back under capacity"),
    )
    return _done(
        update(AlertEpisode)
        .where(*_open(subject_type, scope), ~exists().where(_meets(runs, AlertEpisode)))
        .values(ended_at=_stamp(now), end_reason=reason)
    )


def follow_episodes(subject_type: str, runs, scope=None) -> Update:
    """An open episode takes its earliest run's last week and peak (now, not at most).
    One UPDATE … FROM a join of episodes and runs, ranked per episode."""
    episode = aliased(AlertEpisode)
    matches = (
        select(
            episode.id.label("episode_id"),
            runs.c.last_week,
            runs.c.peak,
            func.row_number().over(partition_by=episode.id, order_by=runs.c.first_week).label("n"),
        )
        .join(runs, _meets(runs, episode))
        .where(*_open(subject_type, scope, episode))
        .subquery("matches")
    )
    return _done(
        update(AlertEpisode)
        .where(AlertEpisode.id == matches.c.episode_id, matches.c.n == 1)
        .values(last_week=matches.c.last_week, peak_ratio=matches.c.peak)
    )


def start_episodes(subject_type: str, runs, now: datetime, insert) -> Insert:
    """A run that meets no open episode starts one (ON CONFLICT: a concurrent sweep)."""
    new = select(
        _s(subject_type),
        runs.c.subject_id,
        runs.c.first_week,
        runs.c.last_week,
        runs.c.peak,
        _stamp(now),
    ).where(~exists().where(_meets(runs, AlertEpisode), *_open(subject_type, None)))
    return (
        insert(AlertEpisode)
        .from_select(
            ["subject_type", "subject_id", "first_week", "last_week", "peak_ratio", "created_at"],
            new,
        )
        .on_conflict_do_nothing(
            index_elements=["subject_type", "subject_id", "first_week"],
            index_where=AlertEpisode.ended_at.is_(None),
        )
    )


def _to_alert(rule: AlertRule, episode=AlertEpisode):
    """Never alerted, or its peak rose by the step since it was."""
    return or_(
        episode.alerted_peak.is_(None),
        episode.peak_ratio >= episode.alerted_peak + rule.overload_realert_step - EPSILON,
    )


def _weeks_in_words(episode=AlertEpisode):
    first = day_in_words_sql(episode.first_week)
    return case(
        (episode.first_week == episode.last_week, _s("the week of ") + first),
        else_=_s("the weeks of ") + first + _s(" to ") + day_in_words_sql(episode.last_week),
    )


def _percent(ratio):
    return _text(cast(func.round(ratio * 100.0), Integer))


def _dedup(kind: str, subject_type: str):
    return (
        _s(f"{kind}:{subject_type}:")
        + _text(AlertEpisode.subject_id)
        + _s(":")
        + _text(AlertEpisode.first_week)
        + _s(":episode-")
        + _text(AlertEpisode.id)
        + _s(":peak-")
        + _percent(AlertEpisode.peak_ratio)
    )


def team_episode_alerts(
    rule: AlertRule, now: datetime, team_ids: Sequence[int] | None = None
) -> Select:
    """Alerts for team episodes due one: to the team's lead and the owners of the
    initiatives with open tasks for the team in the episode's weeks."""
    planners = (
        select(
            TaskWeekLoad.team_id.label("team_id"),
            TaskWeekLoad.week_start.label("week_start"),
            Initiative.owner_id.label("user_id"),
            literal("owner").label("role"),
        )
        .join(Task, Task.id == TaskWeekLoad.task_id)
        .join(Initiative, Initiative.id == Task.initiative_id)
    )
    recipients_of = (
        select(
            AlertEpisode.id.label("episode_id"),
            Team.lead_id.label("user_id"),
            literal("lead").label("role"),
        )
        .join(Team, Team.id == AlertEpisode.subject_id)
        .where(*_open("team", team_ids), _to_alert(rule), Team.lead_id.is_not(None))
    )
    planned = planners.subquery("planners")
    owners = (
        select(AlertEpisode.id, planned.c.user_id, planned.c.role)
        .join(
            planned,
            and_(
                planned.c.team_id == AlertEpisode.subject_id,
                planned.c.week_start >= AlertEpisode.first_week,
                planned.c.week_start <= AlertEpisode.last_week,
            ),
        )
        .where(*_open("team", team_ids), _to_alert(rule))
    )
    # A lead who also owns an initiative gets one alert, as the lead.
    pairs = union(recipients_of, owners).subquery("pairs")
    ranked = (
        select(
            pairs.c.episode_id,
            pairs.c.user_id,
            func.min(pairs.c.role).label("role"),  # "lead" < "owner"
        )
        .group_by(pairs.c.episode_id, pairs.c.user_id)
        .subquery("recipients")
    )
    recipient = aliased(User)
    message = (
        _s("Team ")
        + Team.name
        + _s(" is overloaded in ")
        + _weeks_in_words()
        + _s(": at its peak, ")
        + _percent(AlertEpisode.peak_ratio)
        + _s("% of its capacity.")
    )
    action = case(
        (ranked.c.role == "lead", _s(TEAM_ACTIONS["lead"])), else_=_s(TEAM_ACTIONS["owner"])
    )
    return (
        select(
            *_rows(
                _s("team_overload"),
                recipient.id,
                _s("team"),
                Team.id,
                message,
                _dedup("team_overload", "team"),
                action,
                _s("/teams/") + _text(Team.id) + _s("#load"),
                AlertEpisode.id,
                now=now,
            )
        )
        .select_from(ranked)
        .join(AlertEpisode, AlertEpisode.id == ranked.c.episode_id)
        .join(Team, Team.id == AlertEpisode.subject_id)
        .join(recipient, recipient.id == ranked.c.user_id)
        .where(_active(recipient))
    )


def department_episode_alerts(
    rule: AlertRule, now: datetime, department_ids: Sequence[int] | None = None
) -> Select:
    """Alerts for department episodes due one: to every active director."""
    active = active_initiatives(department_ids)
    director = aliased(User)
    count = func.coalesce(active.c.active, 0)
    initiatives = case(
        (
            count > rule.department_initiative_limit,
            _s(", with ")
            + _text(count)
            + _s(f" active initiatives, more than the limit of {rule.department_initiative_limit}"),
        ),
        else_=_s(""),
    )
    message = (
        _s("Department ")
        + Department.name
        + _s(" is overloaded in ")
        + _weeks_in_words()
        + _s(": at its peak, ")
        + _percent(AlertEpisode.peak_ratio)
        + _s("% of its capacity")
        + initiatives
        + _s(".")
    )
    return (
        select(
            *_rows(
                _s("department_overload"),
                director.id,
                _s("department"),
                Department.id,
                message,
                _dedup("department_overload", "department"),
                _s(DEPARTMENT_ACTION),
                _s("/dashboard/departments/") + _text(Department.id),
                AlertEpisode.id,
                now=now,
            )
        )
        .select_from(AlertEpisode)
        .join(Department, Department.id == AlertEpisode.subject_id)
        .outerjoin(active, active.c.department_id == Department.id)
        .join(director, and_(director.role == "director", _active(director)))
        .where(*_open("department", department_ids), _to_alert(rule))
    )


def mark_alerted(subject_type: str, rule: AlertRule, scope=None) -> Update:
    """Record the peak just alerted (after the INSERT, in the same transaction)."""
    return _done(
        update(AlertEpisode)
        .where(*_open(subject_type, scope), _to_alert(rule))
        .values(alerted_peak=AlertEpisode.peak_ratio)
    )


def resolve_ended_episodes(now: datetime) -> Update:
    """Alerts of ended episodes take the episode's reason ("back under capacity")."""
    return _done(
        update(Alert)
        .where(
            Alert.resolved_at.is_(None),
            Alert.episode_id == AlertEpisode.id,
            AlertEpisode.ended_at.is_not(None),
        )
        .values(resolved_at=_stamp(now), resolved_reason=AlertEpisode.end_reason)
    )


def resolve_superseded(now: datetime) -> Update:
    """An episode's older alert to a person gives way to the newer one (its peak rose)."""
    newer = aliased(Alert)
    return _done(
        update(Alert)
        .where(
            Alert.resolved_at.is_(None),
            Alert.episode_id.is_not(None),
            exists().where(
                newer.episode_id == Alert.episode_id,
                newer.recipient_id == Alert.recipient_id,
                newer.id > Alert.id,
            ),
        )
        .values(resolved_at=_stamp(now), resolved_reason="its peak rose: see the newer alert")
    )
