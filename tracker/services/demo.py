"""The demo council: a realistic social-services department built on SPEC §1's initiatives."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from tracker.models import (
    CapacityAdjustment,
    ConfidenceRating,
    Department,
    Initiative,
    Task,
    TaskUpdate,
    Team,
    User,
)
from tracker.services import load
from tracker.services.staffing import rebuild_team_staffing

DEMO_PASSWORD = "initiative-demo"  # nosec B105 # the published demo login (README)

DEPARTMENTS = [
    "Children's Services",
    "Adult Social Care",
    "Mental Health Services",
    "Commissioning and Performance",
]

# username, display name, role, department (None for admin/director)
USERS = [
    ("admin", "Sam Okafor (system administrator)", "admin", None),
    ("director", "Margaret Hughes, Director of Social Services", "director", None),
    ("assistant.director", "Rajesh Patel, Assistant Director", "director", None),
    ("manager.children", "Helen Price, Service Manager", "manager", "Children's Services"),
    ("manager.adults", "David Evans, Service Manager", "manager", "Adult Social Care"),
    ("manager.mentalhealth", "Aisha Rahman, Service Manager", "manager", "Mental Health Services"),
    (
        "manager.commissioning",
        "Tom Gallagher, Service Manager",
        "manager",
        "Commissioning and Performance",
    ),
    ("lead.safeguarding", "Claire Morgan, Team Leader", "team_lead", "Children's Services"),
    ("lead.lookedafter", "Owen Jones, Team Leader", "team_lead", "Children's Services"),
    ("lead.fostering", "Priya Shah, Team Leader", "team_lead", "Children's Services"),
    ("lead.olderpeople", "Gareth Lewis, Team Leader", "team_lead", "Adult Social Care"),
    ("lead.disabilities", "Nadia Ali, Team Leader", "team_lead", "Adult Social Care"),
    ("lead.cmht", "Ben Carter, Team Leader", "team_lead", "Mental Health Services"),
    ("lead.crisis", "Fiona Walsh, Team Leader", "team_lead", "Mental Health Services"),
    ("lead.contracts", "Leon Baptiste, Team Leader", "team_lead", "Commissioning and Performance"),
]

# department, team, lead username, capacity hours per week for change work
TEAMS = [
    ("Children's Services", "Safeguarding and Assessment", "lead.safeguarding", 24),
    ("Children's Services", "Looked After Children", "lead.lookedafter", 30),
    ("Children's Services", "Fostering and Adoption", "lead.fostering", 20),
    ("Children's Services", "Leaving Care", "lead.lookedafter", 12),
    ("Adult Social Care", "Older People's Assessment", "lead.olderpeople", 40),
    ("Adult Social Care", "Home Care Reablement", "lead.olderpeople", 25),
    ("Adult Social Care", "Learning Disabilities", "lead.disabilities", 30),
    ("Adult Social Care", "Physical Disabilities and Sensory", "lead.disabilities", 18),
    ("Mental Health Services", "Community Mental Health (North)", "lead.cmht", 28),
    ("Mental Health Services", "Community Mental Health (South)", "lead.cmht", 28),
    ("Mental Health Services", "Crisis Resolution", "lead.crisis", 16),
    ("Commissioning and Performance", "Contracts and Commissioning", "lead.contracts", 35),
    ("Commissioning and Performance", "Performance and Information", "lead.contracts", 30),
    ("Commissioning and Performance", "Supporting People Team", "lead.contracts", 22),
    ("Commissioning and Performance", "Workforce Development", None, 15),
]

# Funded posts (FTE) of each team: the establishment staffing is measured against.
ESTABLISHMENT = {
    "Safeguarding and Assessment": 12,
    "Looked After Children": 14,
    "Fostering and Adoption": 9,
    "Leaving Care": 6,
    "Older People's Assessment": 16,
    "Home Care Reablement": 22,
    "Learning Disabilities": 12,
    "Physical Disabilities and Sensory": 8,
    "Community Mental Health (North)": 10,
    "Community Mental Health (South)": 10,
    "Crisis Resolution": 8,
    "Contracts and Commissioning": 9,
    "Performance and Information": 7,
    "Supporting People Team": 6,
    "Workforce Development": 4,
}

# team, kind, FTE, start and end (days from today; None: until further notice; "next
# month": the first of next month), note. About a fifth of Safeguarding's posts are
# vacant, partly covered by agency staff; a long-term absence in a mental health team;
# a vacancy in older people's assessment that starts next month.
STAFFING = [
    ("Safeguarding and Assessment", "vacancy", 2.5, -150, None,
     "Two and a half social worker posts unfilled since the summer; advertised twice"),
    ("Safeguarding and Assessment", "agency_cover", 1.0, -60, 120,
     "Agency social worker covering duty and assessment"),
    ("Community Mental Health (North)", "absence", 1.0, -20, 100,
     "Approved mental health professional on long-term sick leave"),
    ("Older People's Assessment", "vacancy", 2.0, "next month", None,
     "Two senior practitioners retiring; posts to be advertised"),
]  # fmt: skip

# title, source, kind, status, owner, departments, budget (£), start/deadline (days
# from today), summary, rationale, confidence, tasks: (team, title, effort h, start, due, status)
INITIATIVES = [
    (
        "Quality Protects: improving outcomes for looked after children",
        "Department of Health",
        "framework",
        "rollout",
        "manager.children",
        ["Children's Services"],
        1_850_000,
        (-300, 150),
        "Transform the management and delivery of children's social services, with "
        "national objectives and annual Management Action Plans.",
        "Children in care too often move placement, miss school and leave care with "
        "nothing to go to. Quality Protects asks us to measure and fix exactly those "
        "things: fewer moves, better education, a pathway plan for every care leaver. "
        "The extra grant is ring-fenced for this, and our star rating depends on it.",
        "amber",
        [
            (
                "Looked After Children",
                "Review every placement with 3+ moves this year",
                60,
                -30,
                20,
                "in_progress",
            ),
            (
                "Looked After Children",
                "Personal education plans for all children in care",
                80,
                -20,
                45,
                "not_started",
            ),
            (
                "Leaving Care",
                "Pathway plans for every care leaver aged 16+",
                70,
                -25,
                -5,
                "in_progress",
            ),
            (
                "Fostering and Adoption",
                "Recruit 15 additional foster carers",
                120,
                -28,
                120,
                "in_progress",
            ),
            (
                "Safeguarding and Assessment",
                "Management Action Plan: assessment timescales",
                40,
                -10,
                10,
                "blocked",
            ),
            (
                "Safeguarding and Assessment",
                "Audit of child protection reviews",
                45,
                0,
                28,
                "not_started",
            ),
        ],
    ),
    (
        "National Service Framework for Older People",
        "Department of Health",
        "framework",
        "rollout",
        "manager.adults",
        ["Adult Social Care", "Commissioning and Performance"],
        950_000,
        (-200, 180),
        "Eight standards for older people's services: rooting out age discrimination, "
        "person-centred care, intermediate care, falls, stroke and mental health.",
        "Older people tell us they are assessed again and again by different agencies "
        "and wait in hospital for care at home. The single assessment process means one "
        "assessment shared by health and social care, so people tell their story once "
        "and get home sooner.",
        "amber_green",
        [
            (
                "Older People's Assessment",
                "Single assessment process: shared documentation",
                90,
                -25,
                30,
                "in_progress",
            ),
            (
                "Older People's Assessment",
                "Train assessors in the single assessment process",
                60,
                7,
                60,
                "not_started",
            ),
            (
                "Home Care Reablement",
                "Intermediate care: six-week reablement pathway",
                110,
                -14,
                75,
                "in_progress",
            ),
            (
                "Home Care Reablement",
                "Falls prevention referrals with the PCT",
                35,
                -30,
                -10,
                "in_progress",
            ),
            (
                "Performance and Information",
                "Baseline of delayed transfers of care",
                25,
                -30,
                -2,
                "done",
            ),
        ],
    ),
    (
        "National Service Framework for Mental Health",
        "Department of Health",
        "framework",
        "planning",
        "manager.mentalhealth",
        ["Mental Health Services"],
        600_000,
        (-60, 240),
        "Standards for mental health promotion, primary care, effective services for "
        "people with severe mental illness, carers and suicide prevention.",
        "People in crisis should get help at home, at any hour, rather than a hospital "
        "bed far away. The crisis resolution and assertive outreach standards change how "
        "our teams work nights and weekends; carers get their own assessment.",
        None,
        [
            ("Crisis Resolution", "24-hour crisis resolution rota", 90, 0, 21, "in_progress"),
            (
                "Crisis Resolution",
                "Crisis plans for everyone on enhanced CPA",
                70,
                3,
                35,
                "not_started",
            ),
            (
                "Community Mental Health (North)",
                "Carers' assessments for every carer on CPA",
                50,
                -20,
                40,
                "in_progress",
            ),
            (
                "Community Mental Health (South)",
                "Carers' assessments for every carer on CPA",
                50,
                -20,
                40,
                "not_started",
            ),
            (
                "Community Mental Health (South)",
                "Assertive outreach caseload review",
                40,
                -30,
                -12,
                "blocked",
            ),
        ],
    ),
    (
        "Supporting People",
        "Office of the Deputy Prime Minister",
        "funding",
        "rollout",
        "manager.commissioning",
        ["Commissioning and Performance", "Adult Social Care"],
        4_200_000,
        (-150, 200),
        "A single ring-fenced grant for housing-related support, commissioned locally "
        "and reviewed service by service.",
        "Housing support keeps people with learning disabilities, older people and "
        "people leaving hostels living independently. Every service funded from the grant "
        "must be reviewed for quality and value, or the money cannot continue.",
        "amber_red",
        [
            (
                "Supporting People Team",
                "Review of all 84 housing-support contracts",
                160,
                -30,
                90,
                "in_progress",
            ),
            (
                "Contracts and Commissioning",
                "Quality assessment framework visits",
                80,
                -10,
                50,
                "in_progress",
            ),
            (
                "Learning Disabilities",
                "Support plans for supported-living tenants",
                55,
                -5,
                35,
                "not_started",
            ),
        ],
    ),
    (
        "Performance Assessment Framework and star ratings",
        "Social Services Inspectorate",
        "performance_target",
        "rollout",
        "manager.commissioning",
        DEPARTMENTS,
        None,
        (-90, 120),
        "Performance indicators and annual review meeting that decide the council's "
        "social services star rating.",
        "Our star rating affects our freedoms and our reputation with families. The "
        "indicators only count what is recorded: timely reviews, assessments and "
        "placements must be on the system, on time.",
        "green",
        [
            (
                "Performance and Information",
                "Quarterly PAF indicator returns",
                40,
                -14,
                14,
                "in_progress",
            ),
            (
                "Safeguarding and Assessment",
                "Reviews of children on the register on time",
                30,
                -30,
                -20,
                "in_progress",
            ),
            (
                "Older People's Assessment",
                "Clear the backlog of overdue reviews",
                75,
                -20,
                25,
                "in_progress",
            ),
            (
                "Community Mental Health (North)",
                "CPA reviews recorded on the system",
                20,
                -10,
                5,
                "done",
            ),
            (
                "Performance and Information",
                "Annual review meeting evidence pack",
                35,
                30,
                80,
                "not_started",
            ),
        ],
    ),
    (
        "Health and social care integration (Section 31 partnerships)",
        "Department of Health",
        "legislation",
        "planning",
        "manager.adults",
        ["Adult Social Care", "Mental Health Services"],
        300_000,
        (0, 210),
        "Pooled budgets and integrated teams with the primary care trust under the "
        "Health Act 1999 flexibilities.",
        "People fall between health and social care. Pooling budgets and co-locating "
        "teams means one team, one manager and one plan for each person.",
        None,
        [
            (
                "Physical Disabilities and Sensory",
                "Pooled equipment store with the PCT",
                60,
                10,
                90,
                "not_started",
            ),
            (
                "Community Mental Health (North)",
                "Co-location with the PCT's community team",
                45,
                14,
                100,
                "not_started",
            ),
        ],
    ),
    (
        "National minimum standards and new inspection regime",
        "National Care Standards Commission",
        "inspection",
        "proposed",
        "manager.children",
        ["Children's Services", "Adult Social Care"],
        None,
        (30, 270),
        "Registration and inspection of fostering, adoption and domiciliary care "
        "against national minimum standards under the Care Standards Act 2000.",
        "Inspectors will judge our fostering service and home care against published "
        "standards. Knowing the standards now lets us fix gaps before the first visit.",
        None,
        [
            (
                "Fostering and Adoption",
                "Self-assessment against fostering standards",
                40,
                30,
                120,
                "not_started",
            ),
        ],
    ),
]


def load_demo_council(session: Session, today: date) -> str:
    """Create the demo council around `today`; answer a one-line summary."""
    rng = random.Random(2026)  # nosec B311 # repeatable demo data, not secrets
    now = datetime.combine(today, time(9, 0), tzinfo=UTC)
    departments = {name: Department(name=name) for name in DEPARTMENTS}
    session.add_all(departments.values())
    session.flush()

    users: dict[str, User] = {}
    for username, display, role, dept in USERS:
        user = User(
            username=username,
            display_name=display,
            email=f"{username}@council.example",
            role=role,
            department_id=departments[dept].id if dept else None,
            active=True,
        )
        user.set_password(DEMO_PASSWORD)
        users[username] = user
    session.add_all(users.values())
    session.flush()

    teams: dict[str, Team] = {}
    for dept, name, lead, capacity in TEAMS:
        teams[name] = Team(
            name=name,
            department_id=departments[dept].id,
            lead_id=users[lead].id if lead else None,
            capacity_hours_per_week=capacity,
            establishment_fte=ESTABLISHMENT[name],
        )
    session.add_all(teams.values())
    session.flush()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    for team, kind, fte, start, end, note in STAFFING:
        session.add(
            CapacityAdjustment(
                team_id=teams[team].id,
                kind=kind,
                fte=fte,
                starts_on=next_month if start == "next month" else today + timedelta(days=start),
                ends_on=None if end is None else today + timedelta(days=end),
                note=note,
            )
        )
    session.flush()
    rebuild_team_staffing(session)

    tasks: list[Task] = []
    for spec in INITIATIVES:
        (title, source, kind, status, owner, depts, budget, (s, d), summary, rationale,
         confidence, task_specs) = spec  # fmt: skip
        initiative = Initiative(
            title=title,
            source=source,
            kind=kind,
            status=status,
            owner_id=users[owner].id,
            budget_pence=budget * 100 if budget is not None else None,
            start_date=today + timedelta(days=s),
            deadline=today + timedelta(days=d),
            summary=summary,
            rationale=rationale,
            confidence=confidence,
            created_at=now - timedelta(days=40),
            updated_at=now,
        )
        initiative.departments = [departments[name] for name in depts]
        session.add(initiative)
        session.flush()
        if confidence:
            for days_ago, rating, comment in _confidence_story(confidence):
                session.add(
                    ConfidenceRating(
                        initiative_id=initiative.id,
                        rating=rating,
                        comment=comment,
                        set_by_id=users[owner].id,
                        set_at=now - timedelta(days=days_ago),
                    )
                )
        previous: Task | None = None
        for team, task_title, effort, start, due, task_status in task_specs:
            task = Task(
                initiative_id=initiative.id,
                team_id=teams[team].id,
                title=task_title,
                description=f"Part of {title}. Agree the approach with the team first.",
                effort_hours=float(effort),
                start_date=today + timedelta(days=start),
                due_date=today + timedelta(days=due),
                status=task_status,
                blocked_reason=(
                    "Waiting for the PCT to agree data-sharing protocol"
                    if task_status == "blocked"
                    else None
                ),
                completed_at=now - timedelta(days=rng.randint(1, 5))
                if task_status == "done"
                else None,
                created_at=now - timedelta(days=35),
                updated_at=now - timedelta(days=rng.randint(0, 10)),
            )
            if previous is not None and rng.random() < 0.4:
                task.depends_on = [previous]
            session.add(task)
            tasks.append(task)
            previous = task
    session.flush()

    for task in tasks:
        lead_id = next(t.lead_id for t in teams.values() if t.id == task.team_id)
        author = lead_id or users["manager.children"].id
        session.add(
            TaskUpdate(
                task_id=task.id,
                user_id=author,
                created_at=task.created_at,
                old_status=None,
                new_status="not_started",
                note="Task planned",
            )
        )
        if task.status != "not_started":
            session.add(
                TaskUpdate(
                    task_id=task.id,
                    user_id=author,
                    created_at=task.updated_at,
                    old_status="not_started",
                    new_status=task.status,
                    note=task.blocked_reason
                    or "Work under way; first actions agreed at team meeting.",
                )
            )
    load.refresh_tasks_load(session, tasks)
    session.commit()
    return (
        f"Loaded the demo council: {len(departments)} departments, {len(teams)} teams, "
        f"{len(users)} users, {len(INITIATIVES)} initiatives, {len(tasks)} tasks "
        f"(every password: {DEMO_PASSWORD})"
    )


def _confidence_story(current: str) -> list[tuple[int, str, str]]:
    """An earlier rating and the current one, so the history has depth."""
    earlier = {"green": "amber_green", "amber_green": "amber", "amber": "amber_green",
               "amber_red": "amber", "red": "amber_red"}[current]  # fmt: skip
    return [
        (60, earlier, "Initial assessment after the project board."),
        (7, current, "Reviewed at the monthly board: see the blocked tasks and team load."),
    ]
