"""How much do alerts weigh on people? `python bench/noise.py` simulates a working quarter.

On the demo council and on a generated council of 60 teams (`demo load --scale 3000`),
it runs the project's own code through 13 weeks: the sweep every few hours, the
immediate check after each task change, the digest job at DIGEST_HOUR on working days,
the email sender. Team leads finish most tasks on time, some late; owners re-date some
overdue tasks (some of which miss the new date too); a few tasks linger. Email modes are
the defaults (everyone on the digest) unless --mode says otherwise.

It prints, per role, the mean and maximum alerts and emails per person per working day
and the person-days with more than 2 and more than 5 emails; the share of unread alerts
that are stale (their condition ended) right after the sweeps; the overload alerts per
team and per person-team pair and any repeated for an episode that did not worsen; and
whether every task that met the escalation rule reached every director.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import func, select, update

from tracker import create_app
from tracker.domain.days import council_day
from tracker.domain.workload import horizon
from tracker.extensions import db
from tracker.models import Alert, EmailMessage, Initiative, Task, Team, User
from tracker.queries import episodes
from tracker.redis_embedded import stop_embedded_redis
from tracker.services import outbox, sweep
from tracker.services import tasks as task_service
from tracker.services.actors import actor_for
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.email import MailSettings, is_due, send_email

START = date(2027, 1, 4)  # a Monday: a quarter of 13 weeks from the first working week
WEEKS = int(__import__("os").environ.get("NOISE_WEEKS", "13"))
ACT_HOURS = (10, 15)  # when leads and owners update tasks (London)


def london(day: date, hour: int, zone) -> datetime:
    return datetime.combine(day, dtime(hour), zone).astimezone(UTC)


class Simulation:
    def __init__(self, app, label: str, seed: int, sweeps_per_day: int):
        self.app, self.label, self.rng = app, label, random.Random(seed)  # nosec B311
        self.rule = sweep.rule_from_config(app.config)
        self.working = self.rule.working_time
        self.zone = self.working.zone
        self.sweep_hours = set(range(0, 24, 24 // sweeps_per_day))
        self.events: dict[datetime, list[tuple[str, int, date | None]]] = defaultdict(list)
        self.stale = self.unread = 0
        self.escalation_due: set[int] = set()
        self.escalation_missed: set[int] = set()
        self.redated: set[int] = set()
        self.touched: set[int] = set()
        folder = Path(app.config["INSTANCE_PATH"])
        self.mail = MailSettings.from_config(app.config)
        self.mail = MailSettings(**{**self.mail.__dict__, "outbox": folder / "outbox"})

    # --- planning what people will do ---

    def working_day_on_or_after(self, day: date) -> date:
        while not self.working.is_working_day(day, BANK_HOLIDAYS):
            day += timedelta(days=1)
        return day

    def at(self, day: date, kind: str, task_id: int, new_due: date | None = None) -> None:
        moment = london(self.working_day_on_or_after(day), self.rng.choice(ACT_HOURS), self.zone)
        self.events[moment].append((kind, task_id, new_due))

    def plan_fates(self, session, end: date) -> None:
        rng = self.rng
        rows = session.execute(
            select(Task.id, Task.due_date).where(Task.status != "done", Task.due_date <= end)
        ).all()
        for task_id, due in rows:
            roll = rng.random()
            if due < START:  # overdue when the quarter starts
                if roll < 0.6:
                    self.at(START + timedelta(days=rng.randrange(0, 21)), "done", task_id)
                elif roll < 0.8:
                    moved = START + timedelta(days=rng.randrange(7, 35))
                    self.at(START + timedelta(days=rng.randrange(0, 5)), "redate", task_id, moved)
                    self.at(moved + timedelta(days=rng.randrange(-3, 20)), "done", task_id)
                continue  # else it lingers
            if roll < 0.70:  # on time
                self.at(due - timedelta(days=rng.randrange(0, 5)), "done", task_id)
            elif roll < 0.88:  # late
                self.at(due + timedelta(days=rng.randrange(1, 16)), "done", task_id)
            elif roll < 0.96:  # re-dated once overdue; half of them miss the new date too
                moved = due + timedelta(days=rng.randrange(14, 36))
                self.at(due + timedelta(days=rng.randrange(2, 8)), "redate", task_id, moved)
                late = 0 if rng.random() < 0.5 else rng.randrange(1, 21)
                self.at(moved + timedelta(days=late), "done", task_id)
            # else: not done this quarter

    # --- what happens at each hour ---

    def act(self, session, now: datetime) -> None:
        actors: dict[int, object] = {}
        teams: set[int] = set()
        for kind, task_id, new_due in self.events.pop(now, []):
            task = session.get(Task, task_id, populate_existing=True)
            if task is None or task.status == "done":
                continue
            initiative = session.get(Initiative, task.initiative_id)
            team = session.get(Team, task.team_id)
            who = team.lead_id if kind == "done" and team.lead_id else initiative.owner_id
            if who not in actors:
                actors[who] = actor_for(session, session.get(User, who))
            if kind == "done":
                changes: dict = {"status": "done"}
            else:
                changes = {"due_date": max(new_due, task.start_date)}
                self.redated.add(task_id)
            task_service.update_task(session, actors[who], task_id, changes, task.version, now)
            teams |= self.touched
            self.touched.clear()
        if teams:
            # What the worker does with the job each change queues: the immediate check.
            sweep.check_team_overload(session, sorted(teams), now, self.rule)

    def run_sweep(self, session, now: datetime) -> None:
        sweep.update_alerts(session, now, self.rule)
        outbox.create_immediate_emails(session, now, self.working)
        session.commit()

    def send_due_emails(self, session, now: datetime) -> None:
        due = session.scalars(
            select(EmailMessage.id).where(EmailMessage.state == "pending", is_due(now))
        ).all()
        for message_id in due:
            send_email(session, message_id, now, self.mail)

    def measure(self, session, now: datetime) -> None:
        """Right after a sweep: unread alerts whose condition has ended, and tasks that meet
        the escalation rule without an escalation to every director."""
        today = council_day(now)
        weeks = horizon(today, self.rule.horizon_weeks)
        over_teams = {
            row.subject_id
            for row in session.execute(episodes.overloaded_team_weeks(weeks, self.rule))
        }
        over_departments = {
            row.subject_id
            for row in session.execute(episodes.overloaded_department_weeks(weeks, self.rule))
        }
        alerts = session.execute(
            select(Alert.kind, Alert.subject_id, Alert.dedup_key, Task.status, Task.due_date)
            .outerjoin(Task, (Alert.subject_type == "task") & (Task.id == Alert.subject_id))
            .where(Alert.read_at.is_(None), Alert.resolved_at.is_(None))
        ).all()
        window = today + timedelta(days=self.rule.due_soon_days)
        for kind, subject_id, key, status, due in alerts:
            if kind in ("due_soon", "overdue"):
                keyed = date.fromisoformat(key.split(":")[3])
                holds = status != "done" and keyed == due
                holds = holds and (today <= due <= window if kind == "due_soon" else due < today)
            elif kind == "escalation":
                holds = status != "done" and due < today
            elif kind == "team_overload":
                holds = subject_id in over_teams
            else:
                holds = subject_id in over_departments
            self.unread += 1
            self.stale += not holds
        limit = today - timedelta(days=self.rule.escalate_after_days)
        meeting = set(
            session.scalars(
                select(Task.id).where(
                    Task.status != "done", Task.due_date < today, Task.first_missed_on <= limit
                )
            )
        )
        directors = session.scalar(
            select(func.count()).where(User.role == "director", User.active.is_(True))
        )
        reached = Counter(
            session.scalars(
                select(Alert.subject_id).where(
                    Alert.kind == "escalation",
                    Alert.resolved_at.is_(None),
                    Alert.subject_id.in_(meeting),
                )
            )
        )
        self.escalation_due |= meeting
        self.escalation_missed |= {t for t in meeting if reached[t] < directors}

    def run(self, session, mode: str | None) -> None:
        if mode:
            session.execute(update(User).values(email_mode=mode))
            session.commit()
        end = START + timedelta(weeks=WEEKS) - timedelta(days=1)
        self.plan_fates(session, end)
        moment = london(START, 0, self.zone)
        finish = london(end + timedelta(days=1), 0, self.zone)
        digest_hour = int(self.app.config["DIGEST_HOUR"])
        while moment < finish:
            local = moment.astimezone(self.zone)
            today = local.date()
            working = self.working.is_working_day(today, BANK_HOLIDAYS)
            if moment in self.events:
                self.act(session, moment)
            if local.hour in self.sweep_hours:
                self.run_sweep(session, moment)
                if working and 9 <= local.hour <= 17:
                    self.measure(session, moment)
            if working and local.hour == digest_hour:
                outbox.build_digests(session, moment, today, self.working)
            self.send_due_emails(session, moment)
            moment += timedelta(hours=1)
        self.report(session, START, end)

    # --- the figures ---

    def report(self, session, start: date, end: date) -> None:
        zone = self.zone
        days = [
            start + timedelta(days=i)
            for i in range((end - start).days + 1)
            if self.working.is_working_day(start + timedelta(days=i), BANK_HOLIDAYS)
        ]
        people = session.execute(select(User.id, User.role).where(User.active.is_(True))).all()
        role_of = dict(people)
        alerts_per = Counter(
            (recipient, council_day(created))
            for recipient, created in session.execute(select(Alert.recipient_id, Alert.created_at))
        )
        sent = session.execute(
            select(EmailMessage.recipient_id, EmailMessage.sent_at, EmailMessage.kind).where(
                EmailMessage.state == "sent"
            )
        ).all()
        emails_per = Counter((recipient, council_day(at)) for recipient, at, _ in sent)
        cancelled = session.scalar(select(func.count()).where(EmailMessage.state == "cancelled"))
        out_of_hours = sum(self.working.is_quiet(at, BANK_HOLIDAYS) for _, at, _ in sent)
        print(f"\n== {self.label}: {len(days)} working days, {len(people)} people ==")
        print(
            f"{'role':<10} {'people':>6} {'alerts/day mean':>16} {'max':>4}"
            f" {'emails/day mean':>16} {'max':>4} {'days >2 emails':>15} {'days >5':>8}"
        )
        for role in ("director", "manager", "team_lead", "admin"):
            ids = [p for p, r in role_of.items() if r == role]
            if not ids:
                continue
            cells = [(p, d) for p in ids for d in days]
            alerts = [alerts_per[c] for c in cells]
            emails = [emails_per[c] for c in cells]
            print(
                f"{role:<10} {len(ids):>6} {sum(alerts) / len(cells):>16.2f} {max(alerts):>4}"
                f" {sum(emails) / len(cells):>16.2f} {max(emails):>4}"
                f" {sum(e > 2 for e in emails):>15} {sum(e > 5 for e in emails):>8}"
            )
        weekend_emails = sum(
            not self.working.is_working_day(council_day(at), BANK_HOLIDAYS) for _, at, _ in sent
        )
        print(
            f"emails sent: {len(sent)} ({sum(k == 'digest' for *_, k in sent)} digests), "
            f"{cancelled} cancelled (every alert resolved first); "
            f"{out_of_hours} in quiet hours, {weekend_emails} on non-working days"
        )
        share = self.stale / self.unread if self.unread else 0.0
        print(
            f"stale in unread counts (sampled after each working-hours sweep): "
            f"{self.stale} of {self.unread} ({share:.1%})"
        )
        overloads = session.execute(
            select(Alert.recipient_id, Alert.subject_id, Alert.episode_id, Alert.dedup_key)
            .where(Alert.kind == "team_overload")
            .order_by(Alert.id)
        ).all()
        per_team = Counter(subject for _, subject, _, _ in overloads)
        per_pair = Counter((recipient, subject) for recipient, subject, _, _ in overloads)
        peaks: dict[tuple[int, int], list[int]] = defaultdict(list)
        for recipient, _, episode, key in overloads:
            peaks[(recipient, episode)].append(int(key.rpartition("peak-")[2]))
        step = round(self.rule.overload_realert_step * 100)
        repeats = sum(
            1
            for series in peaks.values()
            for before, after in itertools.pairwise(series)
            if after - before < step - 1  # percentages are rounded
        )
        teams = session.scalar(select(func.count()).select_from(Team))

        def mean_max(counter: Counter) -> str:
            values = list(counter.values()) or [0]
            return f"mean {sum(values) / len(values):.1f}, max {max(values)}"

        print(
            f"team overload alerts: {len(overloads)} for {len(per_team)} of {teams} teams "
            f"(per team {mean_max(per_team)}; per person-team pair {mean_max(per_pair)}); "
            f"repeated for an episode that did not worsen by the step: {repeats}"
        )
        print(
            f"escalation rule met by {len(self.escalation_due)} tasks "
            f"({len(self.escalation_due & self.redated)} of them re-dated); "
            f"not reaching every director: {len(self.escalation_missed)}"
        )
        del zone


def build(folder: Path, scale: int | None) -> object:
    app = create_app(
        {
            "ENV_NAME": "bench",
            "SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'noise.db'}",
            "INSTANCE_PATH": str(folder),
            "REDIS_URL": "",
            "MAIL_SERVER": "",
        }
    )
    with app.app_context():
        upgrade()
        today = START - timedelta(days=3)  # planned the Friday before the quarter
        if scale:
            from tracker.services.scale_demo import generate_council

            generate_council(db.session, scale, seed=1, echo=None, today=today)
        else:
            from tracker.services.demo import load_demo_council

            load_demo_council(db.session, today)
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=3000, help="tasks of the generated council")
    parser.add_argument("--sweeps-per-day", type=int, default=4, choices=(1, 2, 3, 4, 6, 8, 12, 24))
    parser.add_argument("--mode", choices=("digest", "immediate", "off"), default=None)
    parser.add_argument("--only", choices=("demo", "scale"), default=None)
    args = parser.parse_args()
    logging.getLogger("tracker").setLevel(logging.ERROR)
    # The immediate check runs in process (below), as a worker would run the job each
    # change queues: record the teams instead of enqueueing to Redis.
    runs = [("demo council", None), (f"generated council (--scale {args.scale})", args.scale)]
    for label, scale in runs:
        if args.only and (args.only == "demo") != (scale is None):
            continue
        started = time.perf_counter()
        folder = Path(tempfile.mkdtemp(prefix="bench-noise-"))
        app = build(folder, scale)
        with app.app_context():
            simulation = Simulation(app, label, seed=12, sweeps_per_day=args.sweeps_per_day)
            original = task_service.queue_overload_check
            task_service.queue_overload_check = simulation.touched.update
            try:
                simulation.run(db.session, args.mode)
            finally:
                task_service.queue_overload_check = original
        stop_embedded_redis(str(folder))  # the app may have started one (rate limits)
        print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
