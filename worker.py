"""`python worker.py`: an RQ worker with the scheduler, serving every queue the app uses."""

from __future__ import annotations

import argparse
import logging

from rq import Worker

from tracker import create_app
from tracker.extensions import QUEUE_NAMES, get_queue, get_redis
from tracker.jobs import set_app, utc_now
from tracker.jobs.schedule import ensure_scheduled

log = logging.getLogger("worker")


def served_queue_names() -> tuple[str, ...]:
    """Every queue the app enqueues on (tests/jobs checks the list is complete)."""
    return QUEUE_NAMES


class TrackerWorker(Worker):
    """A forking worker that also keeps the periodic jobs registered.

    Maintenance runs between jobs every few minutes; registering again is a no-op
    while the next run is scheduled, and restores it if Redis lost it.
    """

    app = None

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        # A Redis blip must not stop the worker: the next maintenance tries again.
        try:
            register_periodic_jobs(self.app)
        except Exception:
            log.exception("could not register the periodic jobs")


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
        queues, name=name, connection=connection, maintenance_interval=maintenance_interval
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
    worker = build_worker(app, args.name, args.maintenance_interval, queue_names)
    worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
