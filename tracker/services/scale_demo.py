"""A large deterministic generated council for benchmarks (`demo load --scale N`).

Tasks and their weekly shares are bulk-inserted with Core executemany in chunks, the
shares cached by (effort, start, due) since many tasks share them; the aggregates are
then rebuilt in two INSERT … SELECT statements.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

import click
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from tracker.domain.workload import weekly_shares
from tracker.models import (
    CapacityAdjustment,
    ConfidenceRating,
    Department,
    Initiative,
    Task,
    TaskWeekLoad,
    Team,
    User,
    task_dependencies,
)
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.load import rebuild_all
from tracker.services.staffing import rebuild_team_staffing

DEMO_PASSWORD = "initiative-tracker-demo"  # nosec B105 # the published benchmark login
CHUNK = 20_000
FULL_TASKS = 1_000_000

DEPARTMENT_NAMES = [
    "Children's Services",
    "Adult Social Care",
    "Mental Health Services",
    "Learning Disability Services",
    "Older People's Services",
    "Safeguarding and Quality",
    "Early Help",
    "Fostering and Adoption",
    "Youth Offending Service",
    "Commissioning",
    "Strategy and Performance",
    "Housing Support",
]
INITIATIVES = [
    ("Quality Protects", "Department of Health", "framework"),
    ("National Service Framework for Older People", "Department of Health", "framework"),
    ("National Service Framework for Mental Health", "Department of Health", "framework"),
    ("Supporting People", "Office of the Deputy Prime Minister", "funding"),
    ("Performance Assessment Framework", "Social Services Inspectorate", "performance_target"),
    ("Star ratings improvement plan", "Commission for Social Care Inspection", "inspection"),
    ("Health and social care integration", "Department of Health", "legislation"),
    ("Care Standards Act regulation", "National Care Standards Commission", "legislation"),
    ("Fair Access to Care Services", "Department of Health", "framework"),
    ("Delayed discharge reimbursement", "Department of Health", "legislation"),
]
TEAM_KINDS = [
    "Assessment",
    "Long-term",
    "Duty",
    "Reablement",
    "Review",
    "Placements",
    "Hospital",
    "Community",
    "Resource",
    "Transitions",
]
TASK_VERBS = ["Draft", "Review", "Train staff on", "Audit", "Agree", "Pilot", "Report on", "Embed"]
TASK_OBJECTS = [
    "eligibility criteria",
    "care plan templates",
    "performance indicators",
    "referral pathway",
    "joint protocol",
    "case file audit",
    "staff briefing",
    "data return",
    "commissioning plan",
    "service user survey",
]
EFFORT_STEPS = (0.25, 0.5, 1.0, 1.0, 1.5, 2.0, 3.0)
DURATIONS = (0, 2, 4, 6, 9, 13, 20, 27, 41)


@dataclass(frozen=True)
class CouncilSize:
    departments: int
    teams: int
    initiatives: int


def council_size(n_tasks: int) -> CouncilSize:
    """12 departments, 200 teams, 60 initiatives from about 10,000 tasks; fewer below."""
    teams = min(200, max(1, n_tasks // 50))
    departments = min(12, max(1, -(-teams // 17)))
    initiatives = min(60, max(1, n_tasks // 150))
    return CouncilSize(departments, teams, initiatives)


@dataclass(frozen=True)
class CouncilSummary:
    departments: int
    teams: int
    users: int
    initiatives: int
    tasks: int
    open_tasks: int
    week_loads: int
    seconds: float

    def line(self) -> str:
        return (
            f"Generated {self.tasks:,} tasks ({self.open_tasks:,} open, {self.week_loads:,} weekly "
            f"shares) for {self.departments} departments, {self.teams} teams, "
            f"{self.initiatives} initiatives and {self.users} users in {self.seconds:.1f} s "
            f"(password of every generated user: {DEMO_PASSWORD})"
        )


def generate_council(
    session: Session,
    n_tasks: int,
    seed: int = 1,
    echo: Callable[[str], object] | None = print,
    today: date | None = None,
) -> CouncilSummary:
    """Generate and bulk-insert a council of `n_tasks` tasks; commit once at the end.

    Deterministic for a given seed and `today` (default: a fixed day, so a benchmark
    without one is reproducible; the CLI passes the council's day)."""
    started = time.perf_counter()
    today = today or date(2026, 12, 1)
    rng = random.Random(seed)  # nosec B311 # repeatable generated data, not secrets
    size = council_size(n_tasks)
    now = datetime.combine(today, dtime(8, 0), tzinfo=UTC)
    password_hash = generate_password_hash(DEMO_PASSWORD)
    tag = "" if seed == 1 else f"-s{seed}"

    departments = [
        Department(name=_numbered(DEPARTMENT_NAMES, i) + tag) for i in range(size.departments)
    ]
    session.add_all(departments)
    session.flush()

    def user(username: str, role: str, department_id: int | None) -> User:
        return User(
            username=username + tag,
            display_name=username.replace("-", " ").title(),
            email=f"{username}{tag}@council.example",
            role=role,
            department_id=department_id,
            password_hash=password_hash,
            created_at=now,
        )

    people = [user("admin-01", "admin", None)]
    people += [user(f"director-{i + 1:02d}", "director", None) for i in range(2)]
    managers = [
        user(f"manager-{i + 1:03d}", "manager", departments[i % size.departments].id)
        for i in range(max(1, 3 * size.departments))
    ]
    leads = [
        user(f"lead-{i + 1:03d}", "team_lead", departments[i % size.departments].id)
        for i in range(size.teams)
    ]
    session.add_all(people + managers + leads)
    session.flush()

    teams = []
    for i in range(size.teams):
        dept = departments[i % size.departments]
        kind = TEAM_KINDS[(i // size.departments) % len(TEAM_KINDS)]
        teams.append(
            Team(
                name=f"{kind} team {i // size.departments + 1}",
                department_id=dept.id,
                lead_id=leads[i].id,
                capacity_hours_per_week=float(rng.randrange(20, 201, 5)),
            )
        )
    for team in teams:  # funded posts: about 7.5 hours of change work per post a week
        team.establishment_fte = max(2.0, round(team.capacity_hours_per_week / 7.5 * 2) / 2)
    session.add_all(teams)
    session.flush()
    session.add_all(_staffing(rng, teams, today))
    session.flush()

    initiatives = _initiatives(rng, size, departments, managers, today, now)
    session.add_all(initiatives)
    session.flush()
    session.add_all(
        ConfidenceRating(
            initiative_id=i.id,
            rating=i.confidence,
            comment="Rated when the plan was generated.",
            set_by_id=i.owner_id,
            set_at=now,
        )
        for i in initiatives
        if i.confidence
    )

    # Each team's share of the tasks follows its capacity times a busy factor, and the
    # effort is scaled so that an average team sits below capacity: some teams
    # are overloaded, most are not, whatever N.
    busy = [t.capacity_hours_per_week * rng.uniform(0.5, 1.5) for t in teams]
    mean_effort = 0.55 * 52 * sum(busy) / n_tasks
    efforts = sorted({max(0.25, round(mean_effort * k * 4) / 4) for k in EFFORT_STEPS})
    by_dept: dict[int, list[Initiative]] = {}
    for initiative in initiatives:
        for dept in initiative.departments:
            by_dept.setdefault(dept.id, []).append(initiative)

    first_id = (session.scalar(select(func.max(Task.id))) or 0) + 1
    shares_cache: dict[tuple[float, date, date], dict[date, float]] = {}
    last_of_initiative: dict[int, int] = {}
    counts = {"open": 0, "loads": 0}
    team_weights = list(_cumulative(busy))
    bar = (
        click.progressbar(length=n_tasks, label="Generating tasks")
        if echo is not None
        else contextlib.nullcontext()
    )
    with bar as progress:
        for offset in range(0, n_tasks, CHUNK):
            size_now = min(CHUNK, n_tasks - offset)
            task_rows, load_rows, dep_rows = [], [], []
            for task_id in range(first_id + offset, first_id + offset + size_now):
                team = teams[rng.choices(range(len(teams)), cum_weights=team_weights)[0]]
                initiative = rng.choice(by_dept[team.department_id])
                start = today + timedelta(days=rng.randrange(-90, 270))
                due = start + timedelta(days=rng.choice(DURATIONS))
                effort = rng.choice(efforts)
                status = _status(rng, start, due, today)
                task_rows.append(
                    {
                        "id": task_id,
                        "initiative_id": initiative.id,
                        "team_id": team.id,
                        "title": f"{rng.choice(TASK_VERBS)} {rng.choice(TASK_OBJECTS)} #{task_id}",
                        "description": "",
                        "effort_hours": effort,
                        "start_date": start,
                        "due_date": due,
                        "status": status,
                        "blocked_reason": "Waiting for partner sign-off"
                        if status == "blocked"
                        else None,
                        "version": 1,
                        "completed_at": now if status == "done" else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                previous = last_of_initiative.get(initiative.id)
                if previous is not None and rng.random() < 0.03:
                    dep_rows.append({"task_id": task_id, "depends_on_id": previous})
                last_of_initiative[initiative.id] = task_id
                if status == "done":
                    continue
                counts["open"] += 1
                key = (effort, start, due)
                shares = shares_cache.get(key)
                if shares is None:
                    shares = shares_cache[key] = weekly_shares(effort, start, due, BANK_HOLIDAYS)
                for week, hours in shares.items():
                    load_rows.append(
                        {"task_id": task_id, "week_start": week, "team_id": team.id, "hours": hours}
                    )
            session.execute(insert(Task.__table__), task_rows)
            if load_rows:
                session.execute(insert(TaskWeekLoad.__table__), load_rows)
            if dep_rows:
                session.execute(insert(task_dependencies), dep_rows)
            counts["loads"] += len(load_rows)
            if echo is not None:
                progress.update(size_now)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('tasks', 'id'), (SELECT max(id) FROM tasks))"
            )
        )
    rebuild_all(session)
    rebuild_team_staffing(session)
    session.commit()
    summary = CouncilSummary(
        departments=size.departments,
        teams=size.teams,
        users=len(people) + len(managers) + len(leads),
        initiatives=size.initiatives,
        tasks=n_tasks,
        open_tasks=counts["open"],
        week_loads=counts["loads"],
        seconds=time.perf_counter() - started,
    )
    if echo is not None:
        echo(summary.line())
    return summary


def _staffing(rng: random.Random, teams: list[Team], today: date) -> list[CapacityAdjustment]:
    """Vacancies in a quarter of the teams (open-ended), long absences and agency cover
    in some: a council short of staff, as SPEC §9 expects."""
    found = []
    for i, team in enumerate(teams):
        share = team.establishment_fte or 2.0
        if i % 4 == 0:
            start = today - timedelta(days=rng.randrange(0, 365))
            found.append(
                CapacityAdjustment(
                    team_id=team.id,
                    kind="vacancy",
                    fte=max(0.5, round(share * rng.uniform(0.1, 0.25) * 2) / 2),
                    starts_on=start,
                    note="Generated vacancy",
                )
            )
        if i % 7 == 0:
            start = today + timedelta(days=rng.randrange(-60, 60))
            found.append(
                CapacityAdjustment(
                    team_id=team.id,
                    kind="absence",
                    fte=1.0,
                    starts_on=start,
                    ends_on=start + timedelta(weeks=rng.randrange(6, 26)),
                    note="Generated absence",
                )
            )
        if i % 8 == 0:
            start = today - timedelta(days=rng.randrange(0, 90))
            found.append(
                CapacityAdjustment(
                    team_id=team.id,
                    kind="agency_cover",
                    fte=0.5,
                    starts_on=start,
                    ends_on=start + timedelta(weeks=26),
                    note="Generated agency cover",
                )
            )
    return found


def _numbered(names: list[str], i: int) -> str:
    name = names[i % len(names)]
    return name if i < len(names) else f"{name} {i // len(names) + 1}"


def _cumulative(weights: list[float]):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _initiatives(rng, size, departments, managers, today, now) -> list[Initiative]:
    """Initiatives on §1's themes, each affecting one to three departments; every
    department is affected by at least one, so every team can be given tasks."""
    statuses = ["planning", "rollout", "rollout", "planning", "embedded", "proposed", "closed"]
    result = []
    for i in range(size.initiatives):
        title, source, kind = INITIATIVES[i % len(INITIATIVES)]
        primary = departments[i % size.departments]
        extra = rng.sample(departments, k=min(len(departments), rng.choice((0, 0, 1, 2))))
        depts = list({d.id: d for d in [primary, *extra]}.values())
        owner = next((m for m in managers if m.department_id == primary.id), managers[0])
        start = today - timedelta(days=rng.randrange(30, 400))
        status = statuses[i % len(statuses)]
        initiative = Initiative(
            title=f"{title} (phase {i // len(INITIATIVES) + 1})",
            source=source,
            kind=kind,
            summary=f"Implementing {title} across the affected services.",
            rationale=f"{title} changes what front-line staff do; this plan paces the change.",
            budget_pence=rng.randrange(0, 500_000) * 100,
            start_date=start,
            deadline=today + timedelta(days=rng.randrange(120, 500)),
            status=status,
            owner_id=owner.id,
            confidence=rng.choice(("green", "amber_green", "amber", "amber_red", "red", None)),
            created_at=now,
            updated_at=now,
        )
        initiative.departments = depts
        result.append(initiative)
    covered = {d.id for i in result for d in i.departments}
    for n, dept in enumerate(d for d in departments if d.id not in covered):
        result[n % len(result)].departments.append(dept)
    return result


def _status(rng: random.Random, start: date, due: date, today: date) -> str:
    """Most past tasks are done, some are overdue; current ones mostly in progress."""
    roll = rng.random()
    if due < today:
        return "done" if roll < 0.8 else ("blocked" if roll < 0.83 else "in_progress")
    if start <= today:
        if roll < 0.6:
            return "in_progress"
        return "not_started" if roll < 0.85 else ("blocked" if roll < 0.9 else "done")
    return "not_started" if roll < 0.92 else "in_progress"
