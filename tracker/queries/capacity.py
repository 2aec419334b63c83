"""SPEC §9's capacity rule in SQL, set-wise over teams × weeks, from stored rows.

A week's working days come in as a VALUES list (the calendar of bank holidays is
Python's), each team's staffing in the week from `team_week_staffing` (absent: fully
staffed). The formula is domain.capacity.capacity_from's, term for term:

    full     = base × working_days / 5
    capacity = full − base / establishment × net_fte_days / 5, never below 0
               (just `full` when the team has no establishment)

Every reader of capacity — team load, preview, the sweep's overload alerts, the
director's figures, the heatmap and the exports — goes through `team_week_capacity`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Date,
    Float,
    Integer,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from tracker.models import Team, TeamWeekLoad, TeamWeekStaffing

# Below this many hours a week's capacity is nothing (floats of a fully vacant team).
ZERO_HOURS = 1e-9
WEEKS_PER_QUERY = 400


def weeks_table(week_days: Mapping[date, int], name: str = "weeks"):
    """The weeks as a derived table (week_start, working_days): a UNION ALL of one-row
    SELECTs, since SQLite cannot name the columns of a VALUES list."""
    rows = [
        select(
            literal(week, Date).label("week_start"),
            literal(int(days), Integer).label("working_days"),
        )
        for week, days in sorted(week_days.items())
    ]
    if len(rows) == 1:
        return rows[0].subquery(name)
    return union_all(*rows).subquery(name)


def capacity_columns(weeks, base=None, establishment=None, net=None):
    """(full_hours, capacity_hours) expressions of §9 over the given columns."""
    base = Team.capacity_hours_per_week if base is None else base
    establishment = Team.establishment_fte if establishment is None else establishment
    net = func.coalesce(TeamWeekStaffing.net_fte_days, 0.0) if net is None else net
    full = base * weeks.c.working_days / 5.0
    reduced = full - base / establishment * net / 5.0
    capacity = case(
        (establishment.is_(None), full),
        (reduced < ZERO_HOURS, 0.0),
        else_=reduced,
    )
    return full, capacity


def team_week_capacity(
    week_days: Mapping[date, int], team_ids: Iterable[int] | None = None
) -> Subquery:
    """Teams × weeks with §9's capacity: columns team_id, department_id, week_start,
    working_days, full_hours, capacity_hours, vacant_fte, absent_fte, agency_fte and
    planned_hours (0 when nothing is planned). One statement, joined by primary keys."""
    weeks = weeks_table(week_days)
    full, capacity = capacity_columns(weeks)
    stmt = (
        select(
            Team.id.label("team_id"),
            Team.department_id.label("department_id"),
            weeks.c.week_start.label("week_start"),
            weeks.c.working_days.label("working_days"),
            cast(full, Float).label("full_hours"),
            cast(capacity, Float).label("capacity_hours"),
            func.coalesce(TeamWeekStaffing.vacant_fte, 0.0).label("vacant_fte"),
            func.coalesce(TeamWeekStaffing.absent_fte, 0.0).label("absent_fte"),
            func.coalesce(TeamWeekStaffing.agency_fte, 0.0).label("agency_fte"),
            func.coalesce(TeamWeekLoad.planned_hours, 0.0).label("planned_hours"),
        )
        .select_from(Team)
        .join(weeks, true())
        .outerjoin(
            TeamWeekStaffing,
            and_(
                TeamWeekStaffing.team_id == Team.id,
                TeamWeekStaffing.week_start == weeks.c.week_start,
            ),
        )
        .outerjoin(
            TeamWeekLoad,
            and_(TeamWeekLoad.team_id == Team.id, TeamWeekLoad.week_start == weeks.c.week_start),
        )
    )
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(list(team_ids)))
    return stmt.subquery("team_week_capacity")


@dataclass(frozen=True)
class CapacityCell:
    team_id: int
    department_id: int
    week_start: date
    working_days: int
    full_hours: float
    capacity_hours: float
    vacant_fte: float
    absent_fte: float
    agency_fte: float
    planned_hours: float


def capacity_cells(
    session: Session, week_days: Mapping[date, int], team_ids: Iterable[int] | None = None
) -> list[CapacityCell]:
    """Every team × week cell of the given weeks, by team then week: one query per
    WEEKS_PER_QUERY weeks (SQLite joins at most 500 SELECTs in one UNION)."""
    team_ids = None if team_ids is None else list(team_ids)
    items = sorted(week_days.items())
    cells: list[CapacityCell] = []
    for i in range(0, len(items), WEEKS_PER_QUERY):
        cells += _cells(session, dict(items[i : i + WEEKS_PER_QUERY]), team_ids)
    cells.sort(key=lambda c: (c.team_id, c.week_start))
    return cells


def _cells(
    session: Session, week_days: Mapping[date, int], team_ids: list[int] | None
) -> list[CapacityCell]:
    grid = team_week_capacity(week_days, team_ids)
    stmt = select(grid).order_by(grid.c.team_id, grid.c.week_start)
    return [
        CapacityCell(
            r.team_id,
            r.department_id,
            r.week_start,
            int(r.working_days),
            float(r.full_hours),
            float(r.capacity_hours),
            float(r.vacant_fte),
            float(r.absent_fte),
            float(r.agency_fte),
            float(r.planned_hours),
        )
        for r in session.execute(stmt)
    ]
