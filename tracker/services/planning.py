"""Planning with capacity in view: a team's load before and after a task change, and
what would fit instead (SPEC §9's suggestions)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.capacity import weeks_between
from tracker.domain.planning import (
    Suggestions,
    TeamOption,
    due_date_that_fits,
    earliest_start,
    fits,
    peak_after,
    search_end,
)
from tracker.domain.validation import EFFORT_HOURS
from tracker.domain.workload import is_overloaded, load_ratio, weekly_shares
from tracker.models import Initiative, Task, TaskWeekLoad, Team
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.errors import Invalid
from tracker.services.validation import check_dates, check_number, check_task_span
from tracker.services.workload import team_weeks


@dataclass(frozen=True)
class PreviewWeek:
    week_start: date
    capacity_hours: float
    before_hours: float
    after_hours: float
    threshold: float
    reason: str = ""  # why the week has less capacity than usual, if it has

    @property
    def before_ratio(self) -> float:
        return load_ratio(self.before_hours, self.capacity_hours)

    @property
    def after_ratio(self) -> float:
        return load_ratio(self.after_hours, self.capacity_hours)

    @property
    def overloaded_after(self) -> bool:
        return is_overloaded(self.after_ratio, self.threshold)


@dataclass(frozen=True)
class LoadPreview:
    team_id: int
    team_name: str
    weeks: list[PreviewWeek]
    suggestions: Suggestions | None = None  # only when the task would overload the team

    @property
    def overloaded(self) -> bool:
        return any(w.overloaded_after for w in self.weeks)


def preview_task_load(
    session: Session,
    team_id: int,
    effort_hours: float,
    start_date: date,
    due_date: date,
    threshold: float,
    task_id: int | None = None,
    initiative_id: int | None = None,
) -> LoadPreview:
    """The team's hours in each week the (new or rescheduled) task touches, before and
    after the change, and — when that overloads the team — SPEC §9's suggestions.
    `task_id` names the task being changed, so its current share is taken out of
    `after`; `initiative_id` (or the task's) says which departments' teams may take it
    instead. Nothing is written; a fixed handful of queries."""
    team = session.get(Team, team_id) if team_id is not None else None
    errors: dict[str, str] = {}
    if team is None:
        errors["team_id"] = "Select a team that exists"
    # The task form's own rules, checked before any spreading: they bound the work.
    check_number(
        errors,
        "effort_hours",
        effort_hours,
        EFFORT_HOURS,
        "the effort",
        missing="Enter the effort in hours",
    )
    check_dates(errors, start_date, due_date, "start_date", "due_date", "due date")
    check_task_span(errors, start_date, due_date)
    department_ids = _departments(session, errors, team, task_id, initiative_id)
    if errors:
        raise Invalid("The preview needs a team, effort and dates in order", errors)
    new = weekly_shares(effort_hours, start_date, due_date, BANK_HOLIDAYS)
    old = _current_shares(session, task_id)
    mine = old.get(team.id, {})
    weeks = sorted(set(new) | set(mine))
    loads = {w.week_start: w for w in team_weeks(session, weeks, [team.id]).get(team.id, [])}
    preview = LoadPreview(
        team_id=team.id,
        team_name=team.name,
        weeks=[
            PreviewWeek(
                week_start=w,
                capacity_hours=loads[w].capacity_hours,
                before_hours=loads[w].planned_hours,
                after_hours=round(loads[w].planned_hours - mine.get(w, 0.0) + new.get(w, 0.0), 4),
                threshold=threshold,
                reason=loads[w].reason,
            )
            for w in weeks
        ],
    )
    if not preview.overloaded:
        return preview
    # Only an overload needs the weeks a later start or due date could reach.
    grid = weeks_between(min(weeks[0], start_date), search_end(start_date, due_date))
    loads = {w.week_start: w for w in team_weeks(session, grid, [team.id]).get(team.id, [])}
    planned = {w: load.planned_hours - mine.get(w, 0.0) for w, load in loads.items()}
    capacity = {w: load.capacity_hours for w, load in loads.items()}
    args = (effort_hours, start_date, due_date, planned, capacity, threshold, BANK_HOLIDAYS)
    suggestions = Suggestions(
        earliest_start=earliest_start(*args),
        due_date_that_fits=due_date_that_fits(*args),
        other_teams=_other_teams(session, team, department_ids, new, old, threshold),
    )
    return replace(preview, suggestions=suggestions)


def _departments(
    session: Session,
    errors: dict[str, str],
    team: Team | None,
    task_id: int | None,
    initiative_id: int | None,
) -> list[int]:
    """The departments whose teams may take the task: the initiative's (given, or the
    task's), else the team's own. A team outside them is refused, as the task form does."""
    if initiative_id is None and task_id is not None:
        task = session.get(Task, task_id)
        initiative_id = task.initiative_id if task else None
    if initiative_id is None:
        return [team.department_id] if team else []
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        errors["initiative_id"] = "Select an initiative that exists"
        return []
    departments = list(initiative.department_ids)
    if team is not None and team.department_id not in departments:
        errors.setdefault("team_id", "Select a team of a department the initiative affects")
    return departments


def _current_shares(session: Session, task_id: int | None) -> dict[int, dict[date, float]]:
    """The task's stored weekly hours by team (its current place), to take out."""
    found: dict[int, dict[date, float]] = {}
    if task_id is None:
        return found
    rows = session.execute(
        select(TaskWeekLoad.team_id, TaskWeekLoad.week_start, TaskWeekLoad.hours).where(
            TaskWeekLoad.task_id == task_id
        )
    )
    for row in rows:
        found.setdefault(row.team_id, {})[row.week_start] = row.hours
    return found


OTHER_TEAMS = 5


def _other_teams(
    session: Session,
    team: Team,
    department_ids: list[int],
    new: dict[date, float],
    old: dict[int, dict[date, float]],
    threshold: float,
) -> list[TeamOption]:
    """Up to five other teams of those departments that take the task as proposed
    without going over, least loaded first (two queries)."""
    teams = session.execute(
        select(Team.id, Team.name).where(Team.department_id.in_(department_ids), Team.id != team.id)
    ).all()
    if not teams:
        return []
    names = {t.id: t.name for t in teams}
    options = []
    for team_id, weeks in team_weeks(session, sorted(new), list(names)).items():
        mine = old.get(team_id, {})
        planned = {w.week_start: w.planned_hours - mine.get(w.week_start, 0.0) for w in weeks}
        capacity = {w.week_start: w.capacity_hours for w in weeks}
        if fits(new, planned, capacity, threshold):
            peak = round(peak_after(new, planned, capacity), 4)
            options.append(TeamOption(team_id, names[team_id], peak))
    options.sort(key=lambda o: (o.peak_load_ratio_after, o.name.lower()))
    return options[:OTHER_TEAMS]
