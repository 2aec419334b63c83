"""What the initiative, task and team pages read: fixed-count queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.models import (
    Department,
    Initiative,
    Task,
    TaskUpdate,
    Team,
    User,
    initiative_departments,
    task_dependencies,
)
from tracker.queries.tasks import TaskFilters, filtered_tasks


@dataclass(frozen=True)
class TaskCounts:
    total: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def progress(self) -> int:
        """Per cent of tasks done, rounded down (0 when there are none)."""
        return self.done * 100 // self.total if self.total else 0


@dataclass(frozen=True)
class InitiativeRow:
    initiative: Initiative
    counts: TaskCounts


def _counts_subquery(today: date, initiative_id: int | None = None):
    stmt = select(
        Task.initiative_id.label("initiative_id"),
        func.count().label("total"),
        func.sum(case((Task.status == "done", 1), else_=0)).label("done"),
        func.sum(case((and_(Task.status != "done", Task.due_date < today), 1), else_=0)).label(
            "overdue"
        ),
    ).group_by(Task.initiative_id)
    if initiative_id is not None:
        # Filter before grouping: one initiative's rows through its index, not the table.
        stmt = stmt.where(Task.initiative_id == initiative_id)
    return stmt.subquery()


def initiative_rows(
    session: Session,
    today: date,
    status: str | None = None,
    department_id: int | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[InitiativeRow], int]:
    """One page of initiatives (deadline first) with their task counts, and the total:
    three queries (count, rows, departments)."""
    counts = _counts_subquery(today)
    stmt = select(Initiative)
    if status:
        stmt = stmt.where(Initiative.status == status)
    if kind:
        stmt = stmt.where(Initiative.kind == kind)
    if department_id is not None:
        stmt = stmt.where(
            Initiative.id.in_(
                select(initiative_departments.c.initiative_id).where(
                    initiative_departments.c.department_id == department_id
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.add_columns(counts.c.total, counts.c.done, counts.c.overdue)
        .outerjoin(counts, counts.c.initiative_id == Initiative.id)
        .options(selectinload(Initiative.departments))
        .order_by(Initiative.deadline, Initiative.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [
        InitiativeRow(row[0], TaskCounts(row.total or 0, row.done or 0, row.overdue or 0))
        for row in rows
    ], total


def initiative_counts(session: Session, initiative_id: int, today: date) -> TaskCounts:
    counts = _counts_subquery(today, initiative_id)
    row = session.execute(select(counts.c.total, counts.c.done, counts.c.overdue)).first()
    return TaskCounts(row.total, row.done or 0, row.overdue or 0) if row else TaskCounts()


def initiative_page(session: Session, initiative_id: int) -> Initiative | None:
    return session.get(
        Initiative,
        initiative_id,
        options=[selectinload(Initiative.departments), joinedload(Initiative.owner)],
    )


def initiative_tasks(session: Session, initiative_id: int, limit: int = 500) -> list[Task]:
    """The initiative's first `limit` tasks by due date, with team, lead and dependencies."""
    return list(
        session.scalars(
            filtered_tasks(TaskFilters(initiative_id=initiative_id))
            .options(joinedload(Task.team).joinedload(Team.lead), selectinload(Task.depends_on))
            .limit(limit)
        )
    )


def task_page(session: Session, task_id: int) -> Task | None:
    return session.get(
        Task,
        task_id,
        options=[
            joinedload(Task.team).joinedload(Team.department),
            joinedload(Task.initiative).selectinload(Initiative.departments),
            selectinload(Task.depends_on).joinedload(Task.initiative),
        ],
    )


def task_history(session: Session, task_id: int) -> list[TaskUpdate]:
    return list(
        session.scalars(
            select(TaskUpdate)
            .where(TaskUpdate.task_id == task_id)
            .options(joinedload(TaskUpdate.user))
            .order_by(TaskUpdate.created_at.desc(), TaskUpdate.id.desc())
        )
    )


def dependants(session: Session, task_id: int) -> list[Task]:
    """Tasks that wait on this one."""
    return list(
        session.scalars(
            select(Task)
            .join(task_dependencies, task_dependencies.c.task_id == Task.id)
            .where(task_dependencies.c.depends_on_id == task_id)
            .order_by(Task.due_date, Task.id)
        )
    )


def open_tasks_of_teams(
    session: Session, team_ids: list[int], today: date, limit: int = 200
) -> tuple[list[Task], int]:
    """The first `limit` open tasks of these teams, overdue first, then by due date, and
    how many there are in all (two queries)."""
    if not team_ids:
        return [], 0
    total = session.scalar(
        select(func.count())
        .select_from(Task)
        .where(Task.team_id.in_(team_ids), Task.status != "done")
    )
    tasks = session.scalars(
        filtered_tasks(TaskFilters(team_ids=team_ids, open_only=True), today)
        .options(joinedload(Task.initiative), joinedload(Task.team))
        .limit(limit)
    )
    return list(tasks), total or 0


def recently_done(session: Session, team_ids: list[int], limit: int = 10) -> list[Task]:
    if not team_ids:
        return []
    return list(
        session.scalars(
            select(Task)
            .where(Task.team_id.in_(team_ids), Task.status == "done")
            .options(joinedload(Task.initiative), joinedload(Task.team))
            .order_by(Task.completed_at.desc(), Task.id.desc())
            .limit(limit)
        )
    )


def led_teams(session: Session, user_id: int) -> list[Team]:
    return list(
        session.scalars(
            select(Team)
            .where(Team.lead_id == user_id)
            .options(joinedload(Team.department))
            .order_by(Team.name)
        )
    )


def team_page(session: Session, team_id: int) -> Team | None:
    return session.get(Team, team_id, options=[joinedload(Team.department), joinedload(Team.lead)])


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.name)))


def teams_of_departments(session: Session, department_ids: list[int]) -> list[Team]:
    return list(
        session.scalars(
            select(Team)
            .where(Team.department_id.in_(department_ids))
            .options(joinedload(Team.department))
            .order_by(Team.name)
        )
    )


def all_teams(session: Session) -> list[Team]:
    return list(
        session.scalars(
            select(Team)
            .options(joinedload(Team.department), joinedload(Team.lead))
            .join(Department, Department.id == Team.department_id)
            .order_by(Department.name, Team.name)
        )
    )


def users_with_role(session: Session, role: str, active_only: bool = True) -> list[User]:
    stmt = select(User).where(User.role == role).order_by(User.display_name)
    if active_only:
        stmt = stmt.where(User.active.is_(True))
    return list(session.scalars(stmt))


def all_users(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).options(joinedload(User.department)).order_by(User.display_name)
        )
    )


def other_tasks_of_initiative(
    session: Session, initiative_id: int, task_id: int | None
) -> list[Task]:
    stmt = select(Task).where(Task.initiative_id == initiative_id).order_by(Task.due_date, Task.id)
    if task_id is not None:
        stmt = stmt.where(Task.id != task_id)
    return list(session.scalars(stmt))
