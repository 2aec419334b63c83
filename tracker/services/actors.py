"""Turning a signed-in user into the plain Actor that the access rules judge."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.access import Actor
from tracker.models import Team, User


def actor_for(session: Session, user: User) -> Actor:
    led = frozenset(session.scalars(select(Team.id).where(Team.lead_id == user.id)))
    return Actor(id=user.id, role=user.role, department_id=user.department_id, led_team_ids=led)
