"""Enqueueing that fails softly: the database is the record, a sweep catches up."""

from __future__ import annotations

import logging

import redis
from rq.exceptions import DuplicateJobError

from tracker.extensions import QUEUE_DEFAULT, get_queue

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
