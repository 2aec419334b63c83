"""Planning with capacity in view: a team's load before and after a task change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.workload import is_overloaded, load_ratio, weekly_shares
from tracker.models import TaskWeekLoad, Team
from tracker.queries.load import team_week_hours
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.errors import Invalid


@dataclass(frozen=True)
class PreviewWeek:
    week_start: date
    capacity_hours: float
    before_hours: float
    after_hours: float
    threshold: float

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
    errors = {}
    if team is None:
        errors["team_id"] = "Select a team that exists"
    if not effort_hours or effort_hours <= 0:
        errors["effort_hours"] = "Effort must be more than 0 hours"
    if start_date is None or due_date is None or start_date > due_date:
        errors["due_date"] = "The due date must be the same as or after the start date"
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
    current = team_week_hours(session, weeks, [team_id]).get(team_id, {})
    return LoadPreview(
        team_id=team.id,
        team_name=team.name,
        weeks=[
            PreviewWeek(
                week_start=w,
                capacity_hours=team.capacity_hours_per_week,
                before_hours=round(current.get(w, 0.0), 4),
                after_hours=round(current.get(w, 0.0) - old.get(w, 0.0) + new.get(w, 0.0), 4),
                threshold=threshold,
            )
            for w in weeks
        ],
    )
