"""Jobs and the worker in process: every queue served, periodic jobs once, jobs end to end."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

import worker
from tests.jobs.smtp_server import closed_port, smtp_server  # noqa: F401
from tracker.extensions import QUEUE_DEFAULT, QUEUE_EMAIL, QUEUE_NAMES, get_redis
from tracker.jobs import alerts as alert_jobs
from tracker.jobs import schedule, set_app
from tracker.models import Alert, EmailMessage, OverloadCheck, Task, TaskUpdate
from tracker.services.actors import actor_for
from tracker.services.outbox import SEND_EMAIL_JOB
from tracker.services.queueing import CHECK_TEAM_OVERLOAD, record_overload_check
from tracker.services.sweep import run_sweep
from tracker.services.tasks import update_task


@pytest.fixture
def jobs_app(app):
    """Jobs run in this process use the test's app (and its database and Redis)."""
    set_app(app)
    yield app
    set_app(None)


def run_queued_jobs() -> None:
    queues = [Queue(name, connection=get_redis()) for name in worker.served_queue_names()]
    SimpleWorker(queues, connection=get_redis()).work(burst=True)


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_queue_the_app_uses_is_served_and_every_job_path_resolves():
    used = {QUEUE_DEFAULT, QUEUE_EMAIL}
    assert used <= set(worker.served_queue_names())
    assert set(worker.served_queue_names()) == set(QUEUE_NAMES)
    paths = [CHECK_TEAM_OVERLOAD, SEND_EMAIL_JOB, schedule.TICK]
    paths += [job.func for job in schedule.PERIODIC_JOBS]
    for path in paths:
        assert callable(_resolve(path)), path


def test_periodic_jobs_are_registered_once_however_many_workers_start(app):
    now = datetime(2026, 11, 30, 9, 10, tzinfo=UTC)
    first = Queue(QUEUE_DEFAULT, connection=get_redis())
    second = Queue(QUEUE_DEFAULT, connection=get_redis())
    assert schedule.ensure_scheduled(first, app.config, now) == len(schedule.PERIODIC_JOBS)
    assert schedule.ensure_scheduled(second, app.config, now) == 0
    assert schedule.ensure_scheduled(first, app.config, now + timedelta(seconds=30)) == 0
    registry = ScheduledJobRegistry(queue=first)
    ids = sorted(registry.get_job_ids())
    sweep = schedule.BY_NAME["sweep"]
    slot = sweep.slot_at(app.config, now) + 1
    assert sweep.slot_start(app.config, slot) == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    digest = schedule.BY_NAME["digest"]
    digest_slot = digest.slot_at(app.config, now) + 1
    catch_up = schedule.BY_NAME["catch_up"]
    catch_up_slot = catch_up.slot_at(app.config, now) + 1
    assert catch_up.slot_start(app.config, catch_up_slot) == datetime(
        2026, 11, 30, 9, 11, tzinfo=UTC
    )
    expected = [sweep.job_id(slot), digest.job_id(digest_slot), catch_up.job_id(catch_up_slot)]
    assert ids == sorted(expected)
    assert digest.slot_start(app.config, digest_slot) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_a_tick_schedules_its_successor_then_runs(jobs_app, session, make):
    sweep = schedule.BY_NAME["sweep"]
    slot = sweep.slot_at(jobs_app.config, datetime.now(UTC))
    summary = schedule.tick("sweep", slot)
    assert summary.startswith("Sweep done")
    registry = ScheduledJobRegistry(queue=Queue(QUEUE_DEFAULT, connection=get_redis()))
    assert registry.get_job_ids() == [sweep.job_id(slot + 1)]
    # The same tick run again (a retry) schedules nothing more.
    schedule.tick("sweep", slot)
    assert registry.get_job_ids() == [sweep.job_id(slot + 1)]


def test_worker_sends_queued_emails_once(jobs_app, session, make, smtp_server):  # noqa: F811
    host, port, mailbox = smtp_server
    jobs_app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    lead = make.user("team_lead", email_mode="immediate")
    team = make.team(lead=lead)
    make.task(team=team, due=date.today() - timedelta(days=1), start=date.today() - timedelta(3))
    runner = jobs_app.test_cli_runner()
    # The lead chose immediate emails; the initiative's owner has the default digest.
    assert "1 email job(s) queued" in runner.invoke(args=["alerts", "sweep"]).output
    run_queued_jobs()
    assert len(mailbox.messages) == 1 and len(mailbox.to(lead.email)) == 1
    states = session.scalars(select(EmailMessage.state)).all()
    assert states == ["sent"]
    runner.invoke(args=["alerts", "sweep"])
    run_queued_jobs()
    assert len(mailbox.messages) == 1


def test_failing_send_is_retried_by_rq_with_backoff(jobs_app, session, make):
    jobs_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port())
    lead = make.user("team_lead", email_mode="immediate")
    make.user("manager", email="")  # the owner below has no address: one email only
    team = make.team(lead=lead)
    owner = make.user("manager", email="")
    initiative = make.initiative(owner=owner, departments=[team.department])
    make.task(team=team, initiative=initiative, due=date.today() - timedelta(days=1))
    jobs_app.test_cli_runner().invoke(args=["alerts", "sweep"])
    run_queued_jobs()
    message = session.scalar(select(EmailMessage))
    assert (message.state, message.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in message.last_error
    registry = ScheduledJobRegistry(queue=Queue(QUEUE_EMAIL, connection=get_redis()))
    [retry] = registry.get_job_ids()  # RQ's retry, with backoff
    assert retry.startswith(f"send_email-{message.id}-")


def test_task_change_queues_an_overload_check_that_a_worker_runs(jobs_app, session, make):
    lead = make.user("team_lead", email_mode="immediate")
    team = make.team(lead=lead, capacity=10)
    task = make.task(team=team, start=date.today(), due=date.today() + timedelta(days=20))
    manager = session.get(type(lead), task.initiative.owner_id)
    update_task(
        session,
        actor_for(session, manager),
        task.id,
        {"effort_hours": 500.0},
        task.version,
        datetime.now(UTC),
    )
    assert Queue(QUEUE_DEFAULT, connection=get_redis()).count == 1
    assert owed_checks(session) == [team.id]  # written with the change
    run_queued_jobs()
    kinds = session.scalars(select(Alert.kind).where(Alert.recipient_id == lead.id)).all()
    assert "team_overload" in kinds and "due_soon" not in kinds
    assert owed_checks(session) == []  # done


def owed_checks(session) -> list[int]:
    session.expire_all()
    return list(session.scalars(select(OverloadCheck.team_id).order_by(OverloadCheck.team_id)))


def test_a_lost_overload_check_is_run_by_the_catch_up(jobs_app, session, make):
    """A worker pops the check and dies before running it: the database still says the
    check is owed, and the catch-up job runs it a CATCH_UP_SECONDS later."""
    lead = make.user("team_lead")
    team = make.team(lead=lead, capacity=10)
    task = make.task(team=team, start=date.today(), due=date.today() + timedelta(days=20))
    manager = session.get(type(lead), task.initiative.owner_id)
    changed_at = datetime.now(UTC)
    actor = actor_for(session, manager)
    update_task(session, actor, task.id, {"effort_hours": 500.0}, task.version, changed_at)
    queue = Queue(QUEUE_DEFAULT, connection=get_redis())
    assert get_redis().lpop(queue.key) is not None  # lost between pop and start
    assert catch_up_at(jobs_app, changed_at).startswith("0 owed overload check(s) run")
    later = changed_at + timedelta(seconds=jobs_app.config["CATCH_UP_SECONDS"])
    assert catch_up_at(jobs_app, later).startswith("1 owed overload check(s) run")
    kinds = session.scalars(select(Alert.kind).where(Alert.recipient_id == lead.id)).all()
    assert "team_overload" in kinds
    assert owed_checks(session) == []
    assert catch_up_at(jobs_app, later).startswith("0 owed")


def test_a_whole_sweep_settles_every_owed_check(jobs_app, session, make):
    teams = [make.team() for _ in range(3)]
    now = datetime.now(UTC)
    record_overload_check(session, [t.id for t in teams], now)
    record_overload_check(session, [teams[0].id], now + timedelta(minutes=5))  # kept older
    session.commit()
    assert session.scalar(select(OverloadCheck.requested_at).where(
        OverloadCheck.team_id == teams[0].id)) == now  # fmt: skip
    run_sweep(session, now)
    assert owed_checks(session) == []
    record_overload_check(session, [teams[1].id], now + timedelta(minutes=1))
    session.commit()
    run_sweep(session, now)  # asked for after this sweep began: still owed
    assert owed_checks(session) == [teams[1].id]


def catch_up_at(app, moment: datetime) -> str:
    with time_machine.travel(moment, tick=False):
        return alert_jobs.catch_up()


def test_status_update_is_saved_with_redis_down_and_the_sweep_catches_up(
    app, session, make, redis_url
):
    lead = make.user("team_lead", email_mode="immediate")
    team = make.team(lead=lead, capacity=10)
    task = make.task(team=team, start=date.today(), due=date.today() + timedelta(days=3), effort=60)
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    app.extensions.pop("tracker_redis", None)
    actor = actor_for(session, lead)
    saved = update_task(
        session, actor, task.id, {"status": "in_progress"}, task.version, datetime.now(UTC),
        note="Started",
    )  # fmt: skip
    assert saved.status == "in_progress"
    session.expire_all()
    assert session.scalar(select(Task.status).where(Task.id == task.id)) == "in_progress"
    assert session.scalar(select(func.count()).select_from(TaskUpdate)) == 1
    # Redis comes back: the next sweep creates what the lost check would have, and queues.
    app.config["REDIS_URL"] = redis_url
    app.extensions.pop("tracker_redis", None)
    result = app.test_cli_runner().invoke(args=["alerts", "sweep"])
    assert "email job(s) queued" in result.output
    kinds = session.scalars(select(Alert.kind).where(Alert.recipient_id == lead.id)).all()
    assert "team_overload" in kinds
    assert Queue(QUEUE_EMAIL, connection=get_redis()).count >= 1


def test_status_page_saves_at_once_with_redis_down(app, client, login_as, session, make):
    lead = make.user("team_lead", email_mode="immediate")
    team = make.team(lead=lead)
    task = make.task(team=team, start=date.today(), due=date.today() + timedelta(days=5))
    login_as(user=lead)
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    app.extensions.pop("tracker_redis", None)
    response = client.post(
        f"/tasks/{task.id}/status",
        data={"status": "in_progress", "version": str(task.version), "note": "On it"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(Task.status).where(Task.id == task.id)) == "in_progress"
    note = session.scalar(select(TaskUpdate.note).where(TaskUpdate.task_id == task.id))
    assert note == "On it"


def test_the_worker_registers_the_periodic_jobs_again_after_redis_lost_them(app):
    """What the worker checks every few seconds (worker.supervise_scheduler): the
    periodic jobs come back after a Redis restart without persistence, and a Redis
    that does not answer is logged, never raised."""
    built = worker.build_worker(app)
    assert built.dequeue_timeout <= worker.IDLE_WAKE_SECONDS  # wakes up to check
    registry = ScheduledJobRegistry(queue=Queue(QUEUE_DEFAULT, connection=get_redis()))
    built.supervise_scheduler()
    assert registry.count == len(schedule.PERIODIC_JOBS)
    get_redis().flushdb()  # Redis restarted empty
    built.supervise_scheduler()
    assert registry.count == 0  # checked a moment ago: not yet
    built._next_check = 0.0
    built.supervise_scheduler()
    assert registry.count == len(schedule.PERIODIC_JOBS)
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    app.extensions.pop("tracker_redis", None)
    built._next_check = 0.0
    built.supervise_scheduler()  # logs a warning, carries on
