"""Secret iCalendar feeds of task due dates, per team or per user, revocable by their owner."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vText
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.domain.access import Actor
from tracker.domain.validation import single_line
from tracker.models import CalendarFeed, Initiative, Task, Team, User
from tracker.services.errors import Forbidden, Invalid, NotFound

PRODID = "-//Initiative Tracker//Task due dates//EN"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(
    session: Session, actor: Actor, team_id: int | None, now: datetime
) -> tuple[CalendarFeed, str]:
    """A new feed and its secret token (shown once; only its hash is kept). Without a
    team it is the user's own: their led teams' tasks, or a manager's initiatives'."""
    if team_id is not None:
        if session.get(Team, team_id) is None:
            raise Invalid("The feed could not be made", {"scope": "Select a team that exists"})
    elif actor.role not in ("team_lead", "manager"):
        raise Invalid(
            "The feed could not be made",
            {"scope": "A personal feed is for team leads and managers: choose a team"},
        )
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(owner_id=actor.id, team_id=team_id, token_hash=_hash(token), created_at=now)
    session.add(feed)
    session.commit()
    return feed, token


def revoke_feed(session: Session, actor: Actor, feed_id: int, now: datetime) -> CalendarFeed:
    """Stop a feed for good: its URL answers 404 from now on."""
    feed = session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFound(f"There is no calendar feed {feed_id}")
    if feed.owner_id != actor.id:
        raise Forbidden("Only the person who made a calendar feed can revoke it")
    if feed.revoked_at is None:
        feed.revoked_at = now
        session.commit()
    return feed


@dataclass(frozen=True)
class FeedRow:
    feed: CalendarFeed
    team_name: str | None


def feeds_of(session: Session, user_id: int) -> list[FeedRow]:
    """A user's feeds, newest first, with their team names (one query)."""
    stmt = (
        select(CalendarFeed, Team.name)
        .outerjoin(Team, Team.id == CalendarFeed.team_id)
        .where(CalendarFeed.owner_id == user_id)
        .order_by(CalendarFeed.created_at.desc(), CalendarFeed.id.desc())
    )
    return [FeedRow(feed, name) for feed, name in session.execute(stmt)]


def feed_for_token(session: Session, token: str) -> CalendarFeed | None:
    """The live feed of this token: not revoked, its owner still active."""
    if not token or len(token) > 200:
        return None
    feed = session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.token_hash == _hash(token))
        .options(selectinload(CalendarFeed.owner))
    )
    if feed is None or feed.revoked_at is not None or not feed.owner.active:
        return None
    return feed


def feed_tasks(session: Session, feed: CalendarFeed) -> list[tuple[Task, str, str]]:
    """The feed's open tasks with (task, team name, initiative title), by due date."""
    stmt = (
        select(Task, Team.name, Initiative.title)
        .join(Team, Team.id == Task.team_id)
        .join(Initiative, Initiative.id == Task.initiative_id)
        .where(Task.status != "done")
    )
    owner: User = feed.owner
    if feed.team_id is not None:
        stmt = stmt.where(Task.team_id == feed.team_id)
    elif owner.role == "team_lead":
        stmt = stmt.where(Team.lead_id == owner.id)
    elif owner.role == "manager":
        stmt = stmt.where(Initiative.owner_id == owner.id)
    else:
        return []
    stmt = stmt.order_by(Task.due_date, Task.id)
    return [(task, team, title) for task, team, title in session.execute(stmt)]


def feed_name(session: Session, feed: CalendarFeed) -> str:
    if feed.team_id is not None:
        team = session.get(Team, feed.team_id)
        return f"{team.name if team else 'Team'}: task due dates"
    return f"{feed.owner.display_name}: task due dates"


def render_calendar(
    name: str, rows: list[tuple[Task, str, str]], base_url: str, now: datetime
) -> bytes:
    """RFC 5545 text (CRLF lines) that Outlook and Google Calendar accept: one all-day
    event on each open task's due date, its UID stable across fetches."""
    host = urlsplit(base_url).hostname or "initiative-tracker"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", vText(single_line(name)))  # an unknown property: escape it
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for task, team_name, initiative_title in rows:
        link = f"{base_url}/initiatives/{task.initiative_id}"
        event = Event()
        event.add("uid", f"task-{task.id}@{host}")
        event.add("dtstamp", now)
        event.add("last-modified", task.updated_at)
        event.add("sequence", task.version)
        event.add("dtstart", task.due_date)
        event.add("dtend", task.due_date + timedelta(days=1))
        event.add("summary", f"Due: {task.title} ({team_name})")
        event.add(
            "description",
            f"Initiative: {initiative_title}\nTeam: {team_name}\n"
            f"Status: {task.status.replace('_', ' ')}\n{link}",
        )
        event.add("url", link)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
