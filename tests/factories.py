"""Keyword factories for tests: small, explicit, saved at once."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy.orm import Session

from tracker.models import CapacityAdjustment, Department, Initiative, Task, Team, User
from tracker.services import load
from tracker.services.staffing import refresh_team_staffing

PASSWORD = "correct horse battery"


class Factory:
    def __init__(self, session: Session):
        self.session = session
        self._n = itertools.count(1)

    def _next(self) -> int:
        return next(self._n)

    def department(self, name: str | None = None) -> Department:
        dept = Department(name=name or f"Department {self._next()}")
        self.session.add(dept)
        self.session.commit()
        return dept

    def user(
        self,
        role: str | None = "manager",
        department: Department | None = None,
        username: str | None = None,
        password: str = PASSWORD,
        email: str | None = None,
        **fields,
    ) -> User:
        role = role or "manager"
        n = self._next()
        if department is None and role == "manager":
            department = self.department()
        user = User(
            username=username or f"{role}{n}",
            display_name=fields.pop("display_name", f"{role.replace('_', ' ').title()} {n}"),
            email=email if email is not None else f"{role}{n}@council.example",
            role=role,
            department_id=department.id if department else None,
            **fields,
        )
        user.set_password(password)
        self.session.add(user)
        self.session.commit()
        return user

    def team(
        self,
        department: Department | None = None,
        lead: User | None = None,
        capacity: float = 37.5,
        name: str | None = None,
        establishment: float | None = None,
    ) -> Team:
        department = department or self.department()
        team = Team(
            name=name or f"Team {self._next()}",
            department_id=department.id,
            lead_id=lead.id if lead else None,
            capacity_hours_per_week=capacity,
            establishment_fte=establishment,
        )
        self.session.add(team)
        self.session.commit()
        return team

    def initiative(
        self,
        owner: User | None = None,
        departments: list[Department] | None = None,
        status: str = "planning",
        start: date | None = None,
        deadline: date | None = None,
        **fields,
    ) -> Initiative:
        if departments is None:
            departments = [owner.department] if owner and owner.department else [self.department()]
        owner = owner or self.user("manager", department=departments[0])
        today = date.today()
        initiative = Initiative(
            title=fields.pop("title", f"Initiative {self._next()}"),
            source=fields.pop("source", "Department of Health"),
            kind=fields.pop("kind", "framework"),
            summary=fields.pop("summary", "A summary."),
            rationale=fields.pop("rationale", "Why this matters to front-line staff."),
            start_date=start or today - timedelta(days=30),
            deadline=deadline or today + timedelta(days=180),
            status=status,
            owner_id=owner.id,
            **fields,
        )
        initiative.departments = list(departments)
        self.session.add(initiative)
        self.session.commit()
        return initiative

    def task(
        self,
        team: Team | None = None,
        initiative: Initiative | None = None,
        due: date | None = None,
        start: date | None = None,
        effort: float = 10.0,
        status: str = "not_started",
        **fields,
    ) -> Task:
        if team is None:
            team = self.team(department=initiative.departments[0] if initiative else None)
        if initiative is None:
            initiative = self.initiative(departments=[team.department])
        due = due or date.today() + timedelta(days=14)
        start = start or min(due, date.today())
        task = Task(
            initiative_id=initiative.id,
            team_id=team.id,
            title=fields.pop("title", f"Task {self._next()}"),
            description=fields.pop("description", ""),
            effort_hours=effort,
            start_date=start,
            due_date=due,
            status=status,
            blocked_reason=fields.pop("blocked_reason", "Waiting" if status == "blocked" else None),
            **fields,
        )
        self.session.add(task)
        self.session.flush()
        load.refresh_tasks_load(self.session, [task])
        self.session.commit()
        return task

    def adjustment(
        self,
        team: Team,
        kind: str = "vacancy",
        fte: float = 1.0,
        start: date | None = None,
        end: date | None = None,
        note: str = "",
    ) -> CapacityAdjustment:
        """A capacity adjustment with its weeks' stored staffing (the team needs an
        establishment, as the service insists)."""
        start = start or date.today()
        adjustment = CapacityAdjustment(
            team_id=team.id, kind=kind, fte=fte, starts_on=start, ends_on=end, note=note
        )
        self.session.add(adjustment)
        self.session.flush()
        refresh_team_staffing(self.session, team.id, start, end)
        self.session.commit()
        return adjustment
