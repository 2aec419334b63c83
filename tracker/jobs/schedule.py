"""The one list of periodic jobs, each registered once per slot however many workers start.

Each run is an RQ scheduled job whose id names its slot (`periodic-sweep-<n>`), enqueued
with `unique=True`: every worker and every tick tries to schedule the next slot, and
Redis lets exactly one of them do it (DuplicateJobError for the others). A tick first
schedules its successor, then runs its target, so a failing run never breaks the chain;
worker maintenance re-registers the chain should Redis lose it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rq import Queue
from rq.exceptions import DuplicateJobError

from tracker.extensions import QUEUE_DEFAULT, get_queue
from tracker.jobs import job_context, utc_now

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TICK = "tracker.jobs.schedule.tick"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: str  # dotted path of a job function taking no arguments
    period: Callable[[Mapping[str, Any]], timedelta]
    offset: Callable[[Mapping[str, Any]], timedelta] = lambda config: timedelta(0)

    def slot_at(self, config: Mapping[str, Any], moment: datetime) -> int:
        return (moment - EPOCH - self.offset(config)) // self.period(config)

    def slot_start(self, config: Mapping[str, Any], slot: int) -> datetime:
        return EPOCH + self.offset(config) + slot * self.period(config)

    def job_id(self, slot: int) -> str:
        return f"periodic-{self.name}-{slot}"

    def next_slot(self, config: Mapping[str, Any], now: datetime, after: int | None) -> int:
        slot = self.slot_at(config, now) + 1
        return slot if after is None else max(slot, after + 1)


@dataclass(frozen=True)
class WorkingDayJob(PeriodicJob):
    """Once a working day at an hour of the council's clock (DST included): its slot is
    the day's ordinal, and days that are not working days have no slot at all."""

    hour: Callable[[Mapping[str, Any]], int] = lambda config: 8

    def _working_time(self, config: Mapping[str, Any]):
        from tracker.services.sweep import working_time_from_config

        return working_time_from_config(config)

    def slot_at(self, config: Mapping[str, Any], moment: datetime) -> int:
        working = self._working_time(config)
        local = moment.astimezone(working.zone)
        day = local.date()
        if local < working.digest_time(day, self.hour(config)):
            day -= timedelta(days=1)
        return day.toordinal()

    def slot_start(self, config: Mapping[str, Any], slot: int) -> datetime:
        return self._working_time(config).digest_time(date.fromordinal(slot), self.hour(config))

    def next_slot(self, config: Mapping[str, Any], now: datetime, after: int | None) -> int:
        from tracker.services.calendar import BANK_HOLIDAYS

        slot = super().next_slot(config, now, after)
        working = self._working_time(config)
        while not working.is_working_day(date.fromordinal(slot), BANK_HOLIDAYS):
            slot += 1
        return slot


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        "sweep",
        "tracker.jobs.alerts.run_sweep",
        period=lambda c: timedelta(minutes=int(c["SWEEP_INTERVAL_MINUTES"])),
    ),
    PeriodicJob(
        "catch_up",
        "tracker.jobs.alerts.catch_up",
        period=lambda c: timedelta(seconds=int(c.get("CATCH_UP_SECONDS", 60))),
    ),
    WorkingDayJob(
        "digest",
        "tracker.jobs.email.send_digests",
        period=lambda c: timedelta(days=1),
        hour=lambda c: int(c.get("DIGEST_HOUR", 8)),
    ),
)
BY_NAME = {job.name: job for job in PERIODIC_JOBS}


def schedule_next(
    queue: Queue,
    job: PeriodicJob,
    config: Mapping[str, Any],
    now: datetime,
    after_slot: int | None = None,
) -> bool:
    """Schedule the job's next slot unless someone already has; True if this call did."""
    slot = job.next_slot(config, now, after_slot)
    period = int(job.period(config).total_seconds())
    try:
        queue.enqueue_at(
            job.slot_start(config, slot),
            TICK,
            job.name,
            slot,
            job_id=job.job_id(slot),
            unique=True,
            result_ttl=max(period, 60),
            description=f"periodic {job.name} #{slot}",
        )
    except DuplicateJobError:
        return False
    return True


def ensure_scheduled(queue: Queue, config: Mapping[str, Any], now: datetime) -> int:
    """Register every periodic job's next run (once, whoever calls); how many this call did."""
    return sum(schedule_next(queue, job, config, now) for job in PERIODIC_JOBS)


def tick(name: str, slot: int) -> Any:
    """One periodic run: schedule the successor first, then run the target."""
    job = BY_NAME[name]
    with job_context() as app:
        schedule_next(get_queue(QUEUE_DEFAULT), job, app.config, utc_now(), after_slot=slot)
    module, _, attribute = job.func.rpartition(".")
    return getattr(importlib.import_module(module), attribute)()
