"""Enqueueing that fails softly: the database is the record, a sweep catches up."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

import redis
from rq.exceptions import DuplicateJobError
from sqlalchemy.orm import Session

from tracker.extensions import QUEUE_DEFAULT, get_queue
from tracker.models import OverloadCheck

log = logging.getLogger(__name__)

CHECK_TEAM_OVERLOAD = "tracker.jobs.alerts.check_team_overload"


def enqueue_soft(func_path: str, *args, queue_name: str = QUEUE_DEFAULT, **kwargs) -> bool:
    """Enqueue a job by dotted path; on a Redis failure log it and answer False."""
    try:
        get_queue(queue_name).enqueue(func_path, *args, **kwargs)
    except DuplicateJobError:
        return True
    except (redis.RedisError, OSError, RuntimeError) as exc:
        log.warning("could not enqueue %s (%s); the next sweep will catch up", func_path, exc)
        return False
    return True


def queue_overload_check(team_ids: set[int] | list[int]) -> bool:
    """Ask a worker to check these teams (and their departments) for overload now."""
    if not team_ids:
        return True
    return enqueue_soft(CHECK_TEAM_OVERLOAD, sorted(team_ids))


def record_overload_check(session: Session, team_ids: Iterable[int], now: datetime) -> None:
    """Note in the caller's transaction that these teams are owed an overload check.

    The row outlives a lost job: the check deletes it, and the catch-up job runs any
    check still owed a while later. An older request is kept (never pushed back), so
    a team changed every minute is still caught up. Does not commit.
    """
    ids = sorted({int(team_id) for team_id in team_ids})
    if not ids:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(
        insert(OverloadCheck)
        .values([{"team_id": team_id, "requested_at": now} for team_id in ids])
        .on_conflict_do_nothing(index_elements=["team_id"])
    )
