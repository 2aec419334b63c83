"""Initiatives, the departments they affect and their delivery-confidence history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import (
    CONFIDENCE_LEVELS,
    INITIATIVE_KINDS,
    INITIATIVE_STATUSES,
    UTCDateTime,
    in_list,
    utcnow,
)

if TYPE_CHECKING:
    from tracker.models.org import Department
    from tracker.models.users import User

initiative_departments = Table(
    "initiative_departments",
    db.metadata,
    Column(
        "initiative_id",
        ForeignKey("initiatives.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "department_id",
        ForeignKey("departments.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Initiative(db.Model):
    __tablename__ = "initiatives"
    __table_args__ = (
        CheckConstraint(in_list("kind", INITIATIVE_KINDS), name="kind_known"),
        CheckConstraint(in_list("status", INITIATIVE_STATUSES), name="status_known"),
        CheckConstraint(
            f"confidence IS NULL OR {in_list('confidence', CONFIDENCE_LEVELS)}",
            name="confidence_known",
        ),
        CheckConstraint("start_date <= deadline", name="start_before_deadline"),
        CheckConstraint("budget_pence IS NULL OR budget_pence >= 0", name="budget_not_negative"),
        Index("ix_initiatives_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    budget_pence: Mapped[int | None] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # Current rating; its dated history is in confidence_ratings.
    confidence: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship()
    departments: Mapped[list[Department]] = relationship(
        secondary=initiative_departments, order_by="Department.name"
    )
    confidence_history: Mapped[list[ConfidenceRating]] = relationship(
        back_populates="initiative",
        order_by="ConfidenceRating.set_at.desc()",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )

    @property
    def department_ids(self) -> list[int]:
        return [d.id for d in self.departments]

    def __repr__(self) -> str:
        return f"<Initiative {self.title}>"


class ConfidenceRating(db.Model):
    __tablename__ = "confidence_ratings"
    __table_args__ = (
        CheckConstraint(in_list("rating", CONFIDENCE_LEVELS), name="rating_known"),
        Index("ix_confidence_ratings_initiative_set_at", "initiative_id", "set_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    rating: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="confidence_history")
    set_by: Mapped[User] = relationship()
