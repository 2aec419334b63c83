"""Staffing of a team (SPEC §9): dated vacancies, absences and agency cover."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.base import UTCDateTime, in_list, utcnow

ADJUSTMENT_KINDS = ("vacancy", "absence", "agency_cover")


class CapacityAdjustment(db.Model):
    """A dated change to a team's staffing: `fte` posts vacant, absent or covered."""

    __tablename__ = "capacity_adjustments"
    __table_args__ = (
        CheckConstraint(in_list("kind", ADJUSTMENT_KINDS), name="kind_known"),
        CheckConstraint("fte > 0", name="fte_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
        Index("ix_capacity_adjustments_team_dates", "team_id", "starts_on", "ends_on"),
        Index("ix_capacity_adjustments_kind_dates", "kind", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    fte: Mapped[float] = mapped_column(Float)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<CapacityAdjustment {self.kind} {self.fte} team={self.team_id}>"
