"""Departments and their teams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.models.users import User


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    teams: Mapped[list[Team]] = relationship(
        back_populates="department", order_by="Team.name", lazy="raise_on_sql"
    )

    def __repr__(self) -> str:
        return f"<Department {self.name}>"


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("department_id", "name", name="uq_teams_department_name"),
        CheckConstraint("capacity_hours_per_week > 0", name="capacity_positive"),
        CheckConstraint(
            "establishment_fte IS NULL OR establishment_fte > 0", name="establishment_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    capacity_hours_per_week: Mapped[float] = mapped_column(Float)
    # Funded posts (SPEC §3, §9): needed before vacancies, absences and cover are recorded.
    establishment_fte: Mapped[float | None] = mapped_column(Float, nullable=True)

    department: Mapped[Department] = relationship(back_populates="teams")
    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])

    def __repr__(self) -> str:
        return f"<Team {self.name}>"
