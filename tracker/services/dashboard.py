"""The director's view: department figures, the load heatmap and its drill-downs (SPEC §6).

Every figure comes from the stored aggregates (team_week_loads, team_due_days) and the
one §4 rule of services/workload.py, so pages, API, exports and alerts agree; each
function issues a fixed handful of queries whatever the number of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.domain.capacity import vacancy_rate
from tracker.domain.workload import (
    WeekLoad,
    horizon,
    is_overloaded,
    peak_ratio,
    ratio_or_none,
    week_start,
)
from tracker.models import ConfidenceRating, Department, Initiative, Team
from tracker.queries import dashboard as q
from tracker.services.errors import NotFound
from tracker.services.workload import TeamLoad, departments_load_of, team_weeks, teams_load

# Order of the five-point scale, worst last; None is "not rated yet".
CONFIDENCE_ORDER: tuple[str | None, ...] = ("green", "amber_green", "amber", "amber_red", "red")
AT_RISK = ("amber_red", "red")


# The figures of a department, in the order of SPEC §7 (API, CSV and page alike).
DEPARTMENT_FIELDS = (
    "department_id",
    "name",
    "active_initiatives",
    "open_tasks",
    "overdue_tasks",
    "open_effort_hours",
    "capacity_hours_per_week",
    "peak_load_ratio",
    "overloaded_teams",
    "overloaded_team_ids",
    "peak_team_load_ratio",
    "worst_team_id",
    "establishment_fte",
    "vacant_fte",
    "vacancy_rate",
    "capacity_lost_hours",
    "overloaded",
)
# Ratios that are infinite (work in a week with no capacity, SPEC §9) are null in JSON.
RATIO_FIELDS = ("peak_load_ratio", "peak_team_load_ratio")


@dataclass(frozen=True)
class DepartmentFigures:
    department_id: int
    name: str
    active_initiatives: int
    open_tasks: int
    overdue_tasks: int
    open_effort_hours: float
    capacity_hours_per_week: float
    peak_load_ratio: float
    overloaded_teams: int
    overloaded_team_ids: list[int]
    overloaded: bool
    load_overloaded: bool
    too_many_initiatives: bool
    peak_team_load_ratio: float = 0.0
    worst_team_id: int | None = None
    worst_team_name: str | None = None
    establishment_fte: float | None = None
    vacant_fte: float | None = None
    vacancy_rate: float | None = None
    capacity_lost_hours: float = 0.0
    confidence_counts: dict[str | None, int] = field(default_factory=dict)
    weeks: list[WeekLoad] = field(default_factory=list)

    def api_json(self) -> dict[str, Any]:
        """The SPEC §7 item, plus the department rule's verdict and its worst team."""
        item = {name: getattr(self, name) for name in DEPARTMENT_FIELDS}
        for name in RATIO_FIELDS:
            item[name] = ratio_or_none(item[name])
        return item


def department_figures(
    session: Session,
    today: date,
    horizon_weeks: int,
    threshold: float,
    initiative_limit: int,
) -> list[DepartmentFigures]:
    """One row per department, by name: seven queries over departments, teams, vacancies
    today and the stored aggregates, none over tasks."""
    names = q.departments(session)
    due = q.department_due_figures(session, today)
    confidence = q.active_initiatives_by_confidence(session)
    teams = teams_load(session, today, horizon_weeks)
    vacant = q.vacant_fte_on(session, today)
    dept_weeks = departments_load_of(teams)
    week_list = horizon(today, horizon_weeks)
    overloaded_by_dept: dict[int, list[int]] = {}
    capacity: dict[int, float] = {}
    staffing: dict[int, DepartmentStaffing] = {}
    for team in teams:
        capacity[team.department_id] = capacity.get(team.department_id, 0.0) + team.capacity_hours
        staffing.setdefault(team.department_id, DepartmentStaffing()).add(
            team, vacant.get(team.team_id, 0.0)
        )
        if team.overloaded(threshold):
            overloaded_by_dept.setdefault(team.department_id, []).append(team.team_id)
    rows = []
    for dept_id, name in names:
        figures = due.get(dept_id, q.DueFigures())
        counts = confidence.get(dept_id, {})
        active = sum(counts.values())
        weeks = dept_weeks.get(dept_id) or [WeekLoad(w, 0.0, 0.0) for w in week_list]
        peak = round(peak_ratio(weeks), 4)
        load_over = is_overloaded(peak, threshold)
        too_many = active > initiative_limit
        over_ids = sorted(overloaded_by_dept.get(dept_id, []))
        staff = staffing.get(dept_id, DepartmentStaffing())
        rows.append(
            DepartmentFigures(
                department_id=dept_id,
                name=name,
                active_initiatives=active,
                open_tasks=figures.open_tasks,
                overdue_tasks=figures.overdue_tasks,
                open_effort_hours=figures.open_effort_hours,
                capacity_hours_per_week=round(capacity.get(dept_id, 0.0), 4),
                peak_load_ratio=peak,
                overloaded_teams=len(over_ids),
                overloaded_team_ids=over_ids,
                overloaded=load_over or too_many,
                load_overloaded=load_over,
                too_many_initiatives=too_many,
                peak_team_load_ratio=round(staff.worst_peak, 4),
                worst_team_id=staff.worst_team_id,
                worst_team_name=staff.worst_team_name,
                establishment_fte=staff.establishment,
                vacant_fte=round(staff.vacant, 4) if staff.establishment else None,
                vacancy_rate=_rounded(vacancy_rate(staff.vacant, staff.establishment)),
                capacity_lost_hours=round(staff.lost_hours, 2),
                confidence_counts=counts,
                weeks=weeks,
            )
        )
    return rows


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class DepartmentStaffing:
    """Sums over a department's teams: establishment and vacancies (teams with an
    establishment only: a vacancy needs one), hours lost over the horizon, worst team."""

    establishment: float | None = None
    vacant: float = 0.0
    lost_hours: float = 0.0
    worst_peak: float = 0.0
    worst_team_id: int | None = None
    worst_team_name: str | None = None

    def add(self, team: TeamLoad, vacant_fte: float) -> None:
        if team.establishment_fte:
            self.establishment = (self.establishment or 0.0) + team.establishment_fte
            self.vacant += vacant_fte
        self.lost_hours += team.lost_hours
        peak = team.peak_load_ratio
        if self.worst_team_id is None or peak > self.worst_peak:
            self.worst_peak, self.worst_team_id, self.worst_team_name = (
                peak,
                team.team_id,
                team.team_name,
            )


SORT_KEYS = {
    "name": lambda r: r.name.lower(),
    "active_initiatives": lambda r: r.active_initiatives,
    "open_tasks": lambda r: r.open_tasks,
    "overdue_tasks": lambda r: r.overdue_tasks,
    "open_effort_hours": lambda r: r.open_effort_hours,
    "capacity_hours_per_week": lambda r: r.capacity_hours_per_week,
    "peak_load_ratio": lambda r: r.peak_load_ratio,
    "overloaded_teams": lambda r: r.overloaded_teams,
    "peak_team_load_ratio": lambda r: r.peak_team_load_ratio,
    "vacancy_rate": lambda r: -1.0 if r.vacancy_rate is None else r.vacancy_rate,
    "capacity_lost_hours": lambda r: r.capacity_lost_hours,
}


def sort_figures(
    rows: list[DepartmentFigures], key: str, descending: bool
) -> list[DepartmentFigures]:
    """Rows sorted by a known column (else by name), ties by name."""
    by = SORT_KEYS.get(key, SORT_KEYS["name"])
    ordered = sorted(rows, key=lambda r: r.name.lower())
    return sorted(ordered, key=by, reverse=descending)


def at_risk_initiatives(session: Session) -> list[Initiative]:
    """Active initiatives rated amber/red or red, with their departments (two queries)."""
    found = q.active_initiatives(session, confidences=AT_RISK)
    _load_departments(session, found)
    return sorted(found, key=lambda i: (CONFIDENCE_ORDER.index(i.confidence) * -1, i.deadline))


def _load_departments(session: Session, initiatives: list[Initiative]) -> None:
    if initiatives:
        session.scalars(
            select(Initiative)
            .where(Initiative.id.in_([i.id for i in initiatives]))
            .options(selectinload(Initiative.departments))
        ).all()


@dataclass(frozen=True)
class HeatmapGroup:
    department_id: int
    name: str
    teams: list[TeamLoad]


@dataclass(frozen=True)
class Heatmap:
    weeks: list[date]
    groups: list[HeatmapGroup]
    threshold: float


def heatmap(
    session: Session,
    today: date,
    horizon_weeks: int,
    threshold: float,
    department_id: int | None = None,
) -> Heatmap:
    """Teams × weeks of the horizon grouped by department (three queries)."""
    names = q.departments(session)
    loads = teams_load(session, today, horizon_weeks)
    by_dept: dict[int, list[TeamLoad]] = {}
    for team in loads:
        by_dept.setdefault(team.department_id, []).append(team)
    groups = [
        HeatmapGroup(dept_id, name, by_dept.get(dept_id, []))
        for dept_id, name in names
        if department_id is None or dept_id == department_id
    ]
    return Heatmap(horizon(today, horizon_weeks), groups, threshold)


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(f"There is no department {department_id}")
    return department


def department_initiatives(session: Session, department_id: int) -> list[Initiative]:
    """A department's active initiatives with all their departments (two queries)."""
    found = q.active_initiatives(session, department_id=department_id)
    _load_departments(session, found)
    return found


@dataclass(frozen=True)
class TeamWeek:
    team: Team
    week_start: date
    tasks: list[q.WeekTask]
    planned_hours: float
    threshold: float

    week_load: WeekLoad | None = None

    @property
    def load(self) -> WeekLoad:
        if self.week_load is not None:
            return WeekLoad(
                self.week_start,
                self.planned_hours,
                self.week_load.capacity_hours,
                working_days=self.week_load.working_days,
                full_hours=self.week_load.full_hours,
                vacant_fte=self.week_load.vacant_fte,
                absent_fte=self.week_load.absent_fte,
                agency_fte=self.week_load.agency_fte,
            )
        return WeekLoad(self.week_start, self.planned_hours, self.team.capacity_hours_per_week)

    @property
    def overloaded(self) -> bool:
        return is_overloaded(self.load.load_ratio, self.threshold)


def team_week(session: Session, team_id: int, week: date, threshold: float) -> TeamWeek:
    """The tasks making up a team's planned hours in the week holding `week`."""
    team = session.get(Team, team_id, options=[selectinload(Team.department)])
    if team is None:
        raise NotFound(f"There is no team {team_id}")
    monday = week_start(week)
    tasks = q.tasks_in_team_week(session, team_id, monday)
    week_load = team_weeks(session, [monday], [team_id])[team_id][0]
    return TeamWeek(
        team, monday, tasks, round(sum(t.hours for t in tasks), 4), threshold, week_load
    )


def get_initiative_with_history(session: Session, initiative_id: int) -> Initiative:
    """The initiative with its departments and confidence history (newest first)."""
    initiative = session.scalar(
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .options(
            selectinload(Initiative.departments),
            selectinload(Initiative.owner),
            selectinload(Initiative.confidence_history).selectinload(ConfidenceRating.set_by),
        )
    )
    if initiative is None:
        raise NotFound(f"There is no initiative {initiative_id}")
    return initiative


TIMELINE_LIMIT = 300


@dataclass(frozen=True)
class Timeline:
    initiative: Initiative
    tasks: list[q.TimelineTask]
    dependencies: list[tuple[int, int]]
    total_tasks: int


def initiative_timeline(
    session: Session, initiative_id: int, limit: int = TIMELINE_LIMIT
) -> Timeline:
    """An initiative's first `limit` tasks by start date, their dependencies and the
    total count (five queries): a chart of thousands of rows helps nobody, the CSV
    export has them all."""
    initiative = session.get(
        Initiative, initiative_id, options=[selectinload(Initiative.departments)]
    )
    if initiative is None:
        raise NotFound(f"There is no initiative {initiative_id}")
    return Timeline(
        initiative,
        q.initiative_timeline_tasks(session, initiative_id, limit),
        q.initiative_dependencies(session, initiative_id),
        q.count_initiative_tasks(session, initiative_id),
    )
