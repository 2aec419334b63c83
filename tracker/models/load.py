"""Workload kept up to date as tasks change, so that reading it is one GROUP BY.

SPEC §4's spreading over working days and bank holidays is too rich for SQL, so each
open task's weekly share is stored when the task is written (task_week_loads); the
per-team sums by week (team_week_loads) and by due date (team_due_days) are refreshed
for just the cells a change touches. Pages then read teams × weeks rows, never tasks.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class TaskWeekLoad(db.Model):
    """An open task's planned hours in one week (its share of effort_hours)."""

    __tablename__ = "task_week_loads"
    __table_args__ = (Index("ix_task_week_loads_team_week", "team_id", "week_start", "hours"),)

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    hours: Mapped[float] = mapped_column(Float)


class TeamWeekLoad(db.Model):
    """A team's planned hours in one week: the sum of task_week_loads for that cell."""

    __tablename__ = "team_week_loads"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    planned_hours: Mapped[float] = mapped_column(Float, default=0.0)


class TeamDueDay(db.Model):
    """A team's open tasks and their effort by due date (overdue counts read these)."""

    __tablename__ = "team_due_days"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    open_tasks: Mapped[int] = mapped_column(Integer, default=0)
    open_effort_hours: Mapped[float] = mapped_column(Float, default=0.0)


class TeamWeekStaffing(db.Model):
    """A team's staffing in one week that some capacity adjustment covers (SPEC §9).

    Stored when an adjustment is written, for just the weeks it touches, because
    working days and bank holidays are too rich for SQL. `net_fte_days` is Σ fte ×
    working days covered (vacancies and absences positive, agency cover negative); the
    week's capacity is then §9's formula in SQL (queries/capacity.py). Weeks without a
    row are fully staffed.
    """

    __tablename__ = "team_week_staffing"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    net_fte_days: Mapped[float] = mapped_column(Float, default=0.0)
    vacant_fte: Mapped[float] = mapped_column(Float, default=0.0)
    absent_fte: Mapped[float] = mapped_column(Float, default=0.0)
    agency_fte: Mapped[float] = mapped_column(Float, default=0.0)
