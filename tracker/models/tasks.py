"""Tasks, their dependencies and their update history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import TASK_STATUSES, UTCDateTime, in_list, utcnow

if TYPE_CHECKING:
    from tracker.models.initiatives import Initiative
    from tracker.models.org import Team
    from tracker.models.users import User

task_dependencies = Table(
    "task_dependencies",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "depends_on_id",
        ForeignKey("tasks.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    CheckConstraint("task_id <> depends_on_id", name="ck_task_dependencies_not_self"),
)


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("effort_hours > 0", name="effort_positive"),
        CheckConstraint("start_date <= due_date", name="start_before_due"),
        CheckConstraint(in_list("status", TASK_STATUSES), name="status_known"),
        CheckConstraint(
            "status <> 'blocked' OR (blocked_reason IS NOT NULL AND blocked_reason <> '')",
            name="blocked_has_reason",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        # Covering index for the per-team figures (NOTES.md: 5x faster than (team, status)).
        Index("ix_tasks_team_status_due", "team_id", "status", "due_date", "effort_hours"),
        Index("ix_tasks_initiative_due", "initiative_id", "due_date"),
        Index("ix_tasks_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    effort_hours: Mapped[float] = mapped_column(Float)
    start_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first due date the task passed while open (SPEC §5): moving the due date later
    # never resets it, so escalation counts from here.
    first_missed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    initiative: Mapped[Initiative] = relationship()
    team: Mapped[Team] = relationship()
    depends_on: Mapped[list[Task]] = relationship(
        secondary=task_dependencies,
        primaryjoin="Task.id == task_dependencies.c.task_id",
        secondaryjoin="Task.id == task_dependencies.c.depends_on_id",
        order_by="Task.id",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status != "done"

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.title}>"


class TaskUpdate(db.Model):
    """One entry of a task's history: a status change, a note, or an edit of its plan."""

    __tablename__ = "task_updates"
    __table_args__ = (Index("ix_task_updates_task_created", "task_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # Plan edits (title, team, dates, effort…) as "field: old → new" lines.
    changes: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()
