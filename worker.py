"""`python worker.py`: an RQ worker with the scheduler, serving every queue the app uses."""

from __future__ import annotations

import argparse
import logging
import time

import redis
from rq import Worker
from rq.exceptions import StopRequested

from tracker import create_app
from tracker.extensions import QUEUE_NAMES, get_queue, get_redis
from tracker.jobs import set_app, utc_now
from tracker.jobs.schedule import ensure_scheduled

log = logging.getLogger("worker")


def served_queue_names() -> tuple[str, ...]:
    """Every queue the app enqueues on (tests/jobs checks the list is complete)."""
    return QUEUE_NAMES


# How often the worker makes sure its scheduler runs and the periodic jobs are
# registered; an idle worker wakes at least every IDLE_WAKE_SECONDS to do it.
SUPERVISE_SECONDS = 5
IDLE_WAKE_SECONDS = 10
# Waits between attempts to reach Redis again, and before a new work loop.
RECONNECT_SECONDS = (1, 2, 5)


class TrackerWorker(Worker):
    """A forking worker that keeps its scheduler running and the periodic jobs registered.

    RQ's scheduler is a process that dies with the Redis connection, and RQ restarts it
    only in maintenance (minutes apart, between jobs). This worker checks it every few
    seconds instead (on each heartbeat: between jobs, while a job runs, and at least
    every IDLE_WAKE_SECONDS when idle) and registers the periodic jobs again, which
    restores them after a Redis restart without persistence. The same check lets a
    worker whose scheduler lost the lock race take over once the holder's lease ends.
    """

    app = None
    stop_for_good = False
    _next_check = 0.0
    # Reconnect quickly once Redis is back (RQ waits up to a minute between tries).
    max_connection_wait_time = 5.0

    def heartbeat(self, *args, **kwargs):
        super().heartbeat(*args, **kwargs)
        if kwargs.get("pipeline") is None and not self.is_horse:
            self.supervise_scheduler()

    def supervise_scheduler(self) -> None:
        if time.monotonic() < self._next_check:
            return
        self._next_check = time.monotonic() + SUPERVISE_SECONDS
        if self.stop_for_good:
            return  # a warm shutdown has stopped the scheduler on purpose
        try:
            scheduler = self.scheduler
            process = scheduler._process if scheduler is not None else None
            dead = scheduler is not None and not (process and process.is_alive())
            if dead and scheduler.acquire_locks(auto_start=True):
                log.info("scheduler (re)started")
            register_periodic_jobs(self.app)
        except (redis.RedisError, OSError) as exc:
            log.warning("could not check the scheduler (%s); trying again shortly", exc)

    def run_maintenance_tasks(self):
        # RQ's maintenance restarts the scheduler too; supervise_scheduler does that,
        # and two restarters could start two scheduler processes.
        scheduler, self.scheduler = self.scheduler, None
        try:
            super().run_maintenance_tasks()
        finally:
            self.scheduler = scheduler
        # A Redis blip must not stop the worker: the next check tries again.
        try:
            register_periodic_jobs(self.app)
        except Exception:
            log.exception("could not register the periodic jobs")

    def request_stop(self, signum, frame):
        type(self).stop_for_good = True  # SIGTERM or Ctrl-C: end, do not start again
        super().request_stop(signum, frame)


def register_periodic_jobs(app) -> int:
    with app.app_context():
        return ensure_scheduled(get_queue(QUEUE_NAMES[0]), app.config, utc_now())


def build_worker(
    app,
    name: str | None = None,
    maintenance_interval: int = 300,
    queue_names: tuple[str, ...] | None = None,
) -> TrackerWorker:
    with app.app_context():
        connection = get_redis()
        queues = [get_queue(queue_name) for queue_name in queue_names or served_queue_names()]
    worker = TrackerWorker(
        queues,
        name=name,
        connection=connection,
        maintenance_interval=maintenance_interval,
        # RQ blocks on the queues for worker_ttl - 15 seconds between heartbeats.
        worker_ttl=IDLE_WAKE_SECONDS + 15,
    )
    worker.app = app
    return worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="Stop when the queues are empty.")
    parser.add_argument("--name", default=None, help="Worker name (default: RQ's).")
    parser.add_argument(
        "--maintenance-interval",
        type=int,
        default=300,
        help="Seconds between maintenance runs (re-queue abandoned jobs, re-register).",
    )
    parser.add_argument(
        "--queue",
        action="append",
        choices=served_queue_names(),
        help="Serve only this queue (repeatable). A worker on exactly one queue uses RQ's "
        "reliable dequeue; by default one worker serves them all.",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app()
    set_app(app)
    registered = register_periodic_jobs(app)
    log.info("periodic jobs registered by this worker: %d", registered)
    queue_names = tuple(args.queue) if args.queue else None
    return serve(app, args.name, args.maintenance_interval, queue_names, args.burst)


def serve(
    app,
    name: str | None,
    maintenance_interval: int,
    queue_names: tuple[str, ...] | None,
    burst: bool,
) -> int:
    """Run work loops until asked to stop. RQ ends a loop when Redis goes away while a
    job runs (and on any error it does not expect): wait for Redis, then start again."""
    failures = 0
    while True:
        worker = build_worker(app, name, maintenance_interval, queue_names)
        try:
            worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
        except (redis.RedisError, OSError, ValueError) as exc:
            # ValueError: RQ still holds this worker's name (an unclean end): retry.
            log.warning("the work loop ended (%s: %s)", type(exc).__name__, exc)
        if burst or TrackerWorker.stop_for_good:
            return 0
        failures = min(failures + 1, len(RECONNECT_SECONDS))
        log.warning("the work loop ended without a stop request: starting again")
        try:
            wait_for_redis(app, RECONNECT_SECONDS[failures - 1])
        except StopRequested:
            return 0  # SIGTERM while waiting (RQ's handler is still installed)
        if TrackerWorker.stop_for_good:
            return 0


def wait_for_redis(app, first_wait: float) -> None:
    """Block until Redis answers (or a stop is requested), trying every few seconds."""
    time.sleep(first_wait)
    with app.app_context():
        connection = get_redis()
        while not TrackerWorker.stop_for_good:
            try:
                connection.ping()
                return
            except (redis.RedisError, OSError):
                time.sleep(RECONNECT_SECONDS[-1] / 5)


if __name__ == "__main__":
    raise SystemExit(main())
