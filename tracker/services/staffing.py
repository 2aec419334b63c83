"""Staffing use cases (SPEC §9): record, change, end and remove capacity adjustments,
keeping each covered week's stored staffing (team_week_staffing) exact."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from tracker.domain.access import Actor, can_adjust_capacity
from tracker.domain.capacity import (
    ADJUSTMENT_KINDS,
    Adjustment,
    week_staffing,
    week_working_days,
    weeks_between,
)
from tracker.domain.validation import FTE, LATEST, date_error, number_error
from tracker.models import CapacityAdjustment, Team, TeamWeekStaffing
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.errors import Forbidden, Invalid, NotFound
from tracker.services.queueing import queue_overload_check, record_overload_check
from tracker.services.validation import check_text

ADJUSTMENT_FIELDS = ("kind", "fte", "starts_on", "ends_on", "note")


def week_days(weeks: Iterable[date]) -> dict[date, int]:
    """Working days (Monday–Friday less bank holidays) of each week, for the SQL form."""
    return {w: len(week_working_days(w, BANK_HOLIDAYS)) for w in weeks}


def refresh_team_staffing(session: Session, team_id: int, first: date, last: date | None) -> None:
    """Recompute the stored staffing of the team's weeks from `first` to `last` (an
    open end: to the last plannable date) from its adjustments: just those weeks."""
    weeks = weeks_between(first, min(last or LATEST, LATEST))
    if not weeks:
        return
    span_end = weeks[-1] + timedelta(days=6)
    rows = session.execute(
        select(
            CapacityAdjustment.kind,
            CapacityAdjustment.fte,
            CapacityAdjustment.starts_on,
            CapacityAdjustment.ends_on,
        ).where(
            CapacityAdjustment.team_id == team_id,
            CapacityAdjustment.starts_on <= span_end,
            or_(CapacityAdjustment.ends_on.is_(None), CapacityAdjustment.ends_on >= weeks[0]),
        )
    ).all()
    adjustments = [Adjustment(r.kind, r.fte, r.starts_on, r.ends_on) for r in rows]
    session.execute(
        delete(TeamWeekStaffing).where(
            TeamWeekStaffing.team_id == team_id,
            TeamWeekStaffing.week_start.between(weeks[0], weeks[-1]),
        )
    )
    values = []
    for monday in weeks:
        sunday = monday + timedelta(days=6)
        present = [a for a in adjustments if a.starts_on <= sunday and not _ended(a, monday)]
        if not present:
            continue
        staffing = week_staffing(monday, present, BANK_HOLIDAYS)
        if staffing.empty:
            continue  # only weekend or bank-holiday days covered
        values.append(
            {
                "team_id": team_id,
                "week_start": monday,
                "net_fte_days": staffing.net_fte_days,
                "vacant_fte": staffing.vacant_fte,
                "absent_fte": staffing.absent_fte,
                "agency_fte": staffing.agency_fte,
            }
        )
    if values:
        session.execute(insert(TeamWeekStaffing), values)


def _ended(adjustment: Adjustment, day: date) -> bool:
    return adjustment.ends_on is not None and adjustment.ends_on < day


def rebuild_team_staffing(session: Session, team_ids: Iterable[int] | None = None) -> None:
    """Recompute every stored week of the given teams (or all), e.g. after a bulk load."""
    stmt = select(CapacityAdjustment.team_id).distinct()
    if team_ids is not None:
        stmt = stmt.where(CapacityAdjustment.team_id.in_(list(team_ids)))
    teams = list(session.scalars(stmt))
    stale = delete(TeamWeekStaffing)
    if team_ids is not None:
        stale = stale.where(TeamWeekStaffing.team_id.in_(list(team_ids)))
    session.execute(stale)
    for team_id in teams:
        first = session.scalar(
            select(CapacityAdjustment.starts_on)
            .where(CapacityAdjustment.team_id == team_id)
            .order_by(CapacityAdjustment.starts_on)
            .limit(1)
        )
        refresh_team_staffing(session, team_id, first, None)


# --- use cases ---


@dataclass
class AdjustmentData:
    kind: str | None = None
    fte: float | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    note: str = ""

    @classmethod
    def of(cls, adjustment: CapacityAdjustment) -> AdjustmentData:
        return cls(**{f: getattr(adjustment, f) for f in ADJUSTMENT_FIELDS})


def validate(team: Team, data: AdjustmentData) -> dict[str, str]:
    """Every rule an adjustment must meet, as field messages a person can act on."""
    errors: dict[str, str] = {}
    if not team.establishment_fte:
        errors["establishment_fte"] = (
            f"{team.name} has no establishment yet: an administrator must first set its "
            "funded posts (establishment FTE) on the team, then vacancies, absences and "
            "agency cover can be recorded"
        )
    if data.kind not in ADJUSTMENT_KINDS:
        errors["kind"] = "Select the kind: vacancy, absence or agency cover"
    if data.fte is None:
        errors["fte"] = "Enter the FTE, for example 1.5"
    elif isinstance(data.fte, int | float) and not isinstance(data.fte, bool) and data.fte <= 0:
        errors["fte"] = "The FTE must be more than 0, for example 0.5 for a half-time post"
    elif error := number_error(data.fte, FTE, "the FTE"):
        errors["fte"] = error
    if data.starts_on is None:
        errors["starts_on"] = "Enter the date it starts"
    elif error := date_error(data.starts_on, "the start date"):
        errors["starts_on"] = error
    if data.ends_on is not None:
        if error := date_error(data.ends_on, "the end date"):
            errors["ends_on"] = error
        elif data.starts_on is not None and data.ends_on < data.starts_on:
            errors["ends_on"] = (
                "The end date must be the same as or after the start date "
                "(leave it empty for until further notice)"
            )
    check_text(errors, "note", data.note, "the note")
    return errors


def get_team(session: Session, team_id: int, lock: bool = False) -> Team:
    team = session.get(Team, team_id, with_for_update=lock) if team_id is not None else None
    if team is None:
        raise NotFound(f"There is no team {team_id}")
    return team


def get_adjustment(session: Session, adjustment_id: int) -> CapacityAdjustment:
    adjustment = session.get(CapacityAdjustment, adjustment_id)
    if adjustment is None:
        raise NotFound(f"There is no capacity adjustment {adjustment_id}")
    return adjustment


def _require_may_adjust(actor: Actor, team: Team) -> None:
    if can_adjust_capacity(actor, team.id, team.department_id):
        return
    if actor.role == "director":
        raise Forbidden("Directors see staffing but do not record it: ask the team's manager")
    raise Forbidden(
        f"Only the lead of {team.name}, managers of its department and administrators "
        "can record its staffing"
    )


def _touched(*spans: tuple[date, date | None]) -> tuple[date, date | None]:
    """The smallest span covering all of `spans` (None: open-ended)."""
    first = min(s for s, _ in spans)
    ends = [e for _, e in spans]
    return first, None if any(e is None for e in ends) else max(ends)


def create_adjustment(
    session: Session, actor: Actor, team_id: int, data: AdjustmentData, now: datetime
) -> CapacityAdjustment:
    team = get_team(session, team_id, lock=True)
    _require_may_adjust(actor, team)
    if errors := validate(team, data):
        session.rollback()
        raise Invalid("The staffing change could not be saved", errors)
    adjustment = CapacityAdjustment(
        team_id=team.id,
        kind=data.kind,
        fte=float(data.fte),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        note=(data.note or "").strip(),
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(adjustment)
    session.flush()
    refresh_team_staffing(session, team.id, data.starts_on, data.ends_on)
    record_overload_check(session, {team.id}, now)
    session.commit()
    queue_overload_check({team.id})
    return adjustment


def update_adjustment(
    session: Session, actor: Actor, adjustment_id: int, changes: dict[str, Any], now: datetime
) -> CapacityAdjustment:
    """Change any of kind, fte, dates and note; ending one is setting `ends_on`."""
    adjustment = get_adjustment(session, adjustment_id)
    team = get_team(session, adjustment.team_id, lock=True)
    _require_may_adjust(actor, team)
    if unknown := set(changes) - set(ADJUSTMENT_FIELDS):
        raise Invalid("Unknown fields", {f: "This field cannot be changed" for f in unknown})
    before = AdjustmentData.of(adjustment)
    after = AdjustmentData(**{**before.__dict__, **changes})
    if errors := validate(team, after):
        session.rollback()
        raise Invalid("The staffing change could not be saved", errors)
    for name in ADJUSTMENT_FIELDS:
        value = getattr(after, name)
        setattr(adjustment, name, (value or "").strip() if name == "note" else value)
    adjustment.fte = float(after.fte)
    adjustment.updated_at = now
    session.flush()
    first, last = _touched((before.starts_on, before.ends_on), (after.starts_on, after.ends_on))
    refresh_team_staffing(session, team.id, first, last)
    record_overload_check(session, {team.id}, now)
    session.commit()
    queue_overload_check({team.id})
    return adjustment


def end_adjustment(
    session: Session, actor: Actor, adjustment_id: int, on: date, now: datetime
) -> CapacityAdjustment:
    """End an adjustment on `on` (a post filled, a return to work, cover stopped)."""
    adjustment = get_adjustment(session, adjustment_id)
    ends = max(on, adjustment.starts_on)
    return update_adjustment(session, actor, adjustment_id, {"ends_on": ends}, now)


def delete_adjustment(session: Session, actor: Actor, adjustment_id: int, now: datetime) -> None:
    """Remove an adjustment recorded in error (ending it keeps the history)."""
    adjustment = get_adjustment(session, adjustment_id)
    team = get_team(session, adjustment.team_id, lock=True)
    _require_may_adjust(actor, team)
    span = (adjustment.starts_on, adjustment.ends_on)
    session.delete(adjustment)
    session.flush()
    refresh_team_staffing(session, team.id, *span)
    record_overload_check(session, {team.id}, now)
    session.commit()
    queue_overload_check({team.id})


def team_adjustments(
    session: Session, team_id: int, today: date | None = None
) -> list[CapacityAdjustment]:
    """A team's adjustments, newest start first; with `today`, only current and coming."""
    stmt = select(CapacityAdjustment).where(CapacityAdjustment.team_id == team_id)
    if today is not None:
        stmt = stmt.where(
            or_(CapacityAdjustment.ends_on.is_(None), CapacityAdjustment.ends_on >= today)
        )
    return list(
        session.scalars(stmt.order_by(CapacityAdjustment.starts_on.desc(), CapacityAdjustment.id))
    )
