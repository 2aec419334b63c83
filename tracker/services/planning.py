"""Planning with capacity in view: a team's load before and after a task change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.validation import EFFORT_HOURS
from tracker.domain.workload import is_overloaded, load_ratio, weekly_shares
from tracker.models import TaskWeekLoad, Team
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
) -> LoadPreview:
    """The team's hours in each week the (new or rescheduled) task touches, before and
    after the change. `task_id` names the task being changed, so its current share is
    taken out of `after`. Nothing is written."""
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
    if errors:
        raise Invalid("The preview needs a team, effort and dates in order", errors)
    new = weekly_shares(effort_hours, start_date, due_date, BANK_HOLIDAYS)
    old: dict[date, float] = {}
    if task_id is not None:
        rows = session.execute(
            select(TaskWeekLoad.week_start, TaskWeekLoad.hours).where(
                TaskWeekLoad.task_id == task_id, TaskWeekLoad.team_id == team_id
            )
        ).all()
        old = {row.week_start: row.hours for row in rows}
    weeks = sorted(set(new) | set(old))
    current = {w.week_start: w for w in team_weeks(session, weeks, [team_id]).get(team_id, [])}
    return LoadPreview(
        team_id=team.id,
        team_name=team.name,
        weeks=[
            PreviewWeek(
                week_start=w,
                capacity_hours=current[w].capacity_hours,
                before_hours=current[w].planned_hours,
                after_hours=round(current[w].planned_hours - old.get(w, 0.0) + new.get(w, 0.0), 4),
                threshold=threshold,
                reason=current[w].reason,
            )
            for w in weeks
        ],
    )
