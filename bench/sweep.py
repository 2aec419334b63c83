"""Benchmark of the alert sweep and email jobs: `python bench/sweep.py --tasks N`.

Builds a fresh database with the migrations, generates a council of N tasks with the
`demo load --scale N` machinery, then prints, as ratios measured in the same run:
the first sweep against the SQL floor of the same selection (each kind's SELECT,
counted but not inserted), the second (no-op) sweep, peak memory, and email jobs per
second against RQ no-op jobs per second on the same Redis (same worker class).
PostgreSQL: pass --database-url of a database you can wipe (its schema is dropped).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from rq import Queue, SimpleWorker
from sqlalchemy import func, select, text, update

from tracker import clock, create_app
from tracker.domain.days import council_day
from tracker.domain.workload import horizon
from tracker.extensions import QUEUE_EMAIL, db, get_redis
from tracker.jobs import set_app
from tracker.models import EmailMessage, Task, User
from tracker.queries import alerts as q
from tracker.queries import episodes
from tracker.redis_embedded import stop_embedded_redis
from tracker.services import outbox, sweep

NOOP_JOB = "bench.sweep.noop"


def noop() -> None:
    """The RQ no-op job the email job is compared with."""


def selections(session, now, rule):
    """The SELECTs the sweep inserts from, in the same order (queries.alerts)."""
    today = council_day(now, rule.timezone)
    weeks = horizon(today, rule.horizon_weeks)
    found = [q.task_alerts(kind, who, today, rule, now) for kind, who in sweep.TASK_ALERTS]
    # Overload: the runs of overloaded weeks the episodes follow (queries.episodes).
    for overloaded in (
        episodes.overloaded_team_weeks(weeks, rule),
        episodes.overloaded_department_weeks(weeks, rule),
    ):
        found.append(select(*episodes.islands(overloaded).c))
    return found


def sql_floor(session, now, rule) -> tuple[float, int]:
    """Seconds to compute (and count) every alert row the sweep would insert."""
    started = time.perf_counter()
    rows = 0
    for stmt in selections(session, now, rule):
        sub = stmt.subquery()
        # Summing the text columns makes the database build every row, as the sweep does.
        built = (
            func.sum(func.length(sub.c.message) + func.length(sub.c.dedup_key))
            if "message" in sub.c
            else func.max(sub.c.peak)
        )
        count, _ = session.execute(select(func.count(), built)).one()
        rows += count
    session.rollback()
    return time.perf_counter() - started, rows


def jobs_per_second(queue: Queue, func_path: str, args_list: list[tuple]) -> float:
    queue.empty()
    queue.enqueue_many([Queue.prepare_data(func_path, args=a) for a in args_list])
    worker = SimpleWorker([queue], connection=queue.connection)
    started = time.perf_counter()
    worker.work(burst=True, logging_level="WARNING")
    return len(args_list) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, required=True)
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", default="", help="default: an embedded Redis")
    parser.add_argument("--jobs", type=int, default=500, help="jobs per throughput run")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app = create_app(
        {
            "ENV_NAME": "bench",
            "SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(folder),
            "REDIS_URL": args.redis_url,
            "MAIL_SERVER": "",
            # Measure the heaviest path at any hour: one email per alert, no quiet hours.
            "QUIET_HOURS": "00:00-00:00",
            "QUIET_WEEKENDS": False,
        }
    )
    set_app(app)
    with app.app_context():
        if not url.startswith("sqlite"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        get_redis().flushdb()
        from tracker.services.scale_demo import generate_council

        generate_council(db.session, args.tasks, seed=1, echo=print, today=clock.today())
        db.session.execute(update(User).values(email_mode="immediate"))
        db.session.commit()
        tasks = db.session.scalar(select(func.count()).select_from(Task))
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        rule = sweep.rule_from_config(app.config)
        now = clock.now()
        session = db.session

        sql_floor(session, now, rule)  # warm the caches for both sides alike
        floor, rows = sql_floor(session, now, rule)

        started = time.perf_counter()
        created, _ = sweep.update_alerts(session, now, rule)
        session.commit()
        alerts_time = time.perf_counter() - started
        started = time.perf_counter()
        emails = outbox.create_immediate_emails(session, now, rule.working_time)
        session.commit()
        emails_time = time.perf_counter() - started
        started = time.perf_counter()
        queued = outbox.queue_pending_emails(session, now)
        queue_time = time.perf_counter() - started

        # Peak memory of the same first sweep, run again from scratch under tracemalloc
        # (which slows Python down, so it is not timed).
        session.execute(text("UPDATE alerts SET email_message_id = NULL"))
        session.execute(text("DELETE FROM email_messages"))
        session.execute(text("DELETE FROM alerts"))
        session.execute(text("DELETE FROM alert_episodes"))
        session.commit()
        get_redis().flushdb()
        tracemalloc.start()
        sweep.update_alerts(session, now, rule)
        outbox.create_immediate_emails(session, now, rule.working_time)
        session.commit()
        outbox.queue_pending_emails(session, now)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        started = time.perf_counter()
        again, _ = sweep.update_alerts(session, now, rule)
        session.commit()
        second_alerts_time = time.perf_counter() - started
        assert sum(again.values()) == 0
        started = time.perf_counter()
        second = sweep.run_sweep(session, now, rule)
        second_time = time.perf_counter() - started

        email_queue = Queue(QUEUE_EMAIL, connection=get_redis())
        email_queue.empty()
        n = min(args.jobs, emails) or args.jobs
        noop_rate = jobs_per_second(email_queue, NOOP_JOB, [()] * n)
        ids = list(
            session.scalars(select(EmailMessage.id).where(EmailMessage.state == "pending").limit(n))
        )
        session.rollback()
        email_rate = jobs_per_second(email_queue, outbox.SEND_EMAIL_JOB, [(i,) for i in ids])
        sent = session.scalar(
            select(func.count()).select_from(EmailMessage).where(EmailMessage.state == "sent")
        )
        email_queue.empty()
        dialect = db.engine.dialect.name
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(created.values())
    print(f"\n== sweep benchmark: {tasks:,} tasks on {dialect} ==")
    print(f"alert rows selected (SQL floor)     : {rows:,} in {floor:.3f} s")
    print(f"first sweep, alerts inserted        : {total:,} in {alerts_time:.3f} s")
    print(f"  ratio sweep / floor               : {alerts_time / floor:.2f}x")
    print(f"  + immediate emails created        : {emails:,} in {emails_time:.3f} s")
    print(f"  + email jobs queued               : {queued:,} in {queue_time:.3f} s")
    full = alerts_time + emails_time + queue_time
    print(f"  whole first sweep / floor         : {full / floor:.2f}x")
    print(f"second (no-op) sweep                : {second.alerts_created} new, {second_time:.3f} s")
    print(f"  ratio second sweep / floor        : {second_time / floor:.2f}x")
    print(f"  its alert statements only         : {second_alerts_time:.3f} s")
    print(f"  ratio alert statements / floor    : {second_alerts_time / floor:.2f}x")
    print(f"  (the rest re-checks {emails:,} unsent emails' jobs: no worker ran)")
    print(f"peak Python memory in the sweep     : {peak / 1e6:.1f} MB (tracemalloc)")
    print(f"  per 1,000 tasks                   : {peak / 1e3 / max(tasks, 1):.2f} kB")
    print(f"process max RSS (incl. generation)  : {maxrss_mb:.0f} MB")
    print(f"RQ no-op jobs/s (SimpleWorker)      : {noop_rate:.0f}")
    print(f"email jobs/s (.eml outbox)          : {email_rate:.0f} ({sent:,} sent)")
    print(f"  ratio email / no-op               : {email_rate / noop_rate:.2f}")
    if not args.redis_url:
        stop_embedded_redis(str(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
