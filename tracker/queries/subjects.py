"""The names of what alerts are about (a task's title, a team's name), for email subjects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Task, Team
from tracker.models.org import Department

NAMED = {
    "task": (Task, Task.title),
    "team": (Team, Team.name),
    "department": (Department, Department.name),
}


def subject_names(
    session: Session, subjects: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """{(subject_type, subject_id): name}; one query per subject type present."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for subject_type, subject_id in subjects:
        if subject_type in NAMED:
            wanted[subject_type].add(subject_id)
    names: dict[tuple[str, int], str] = {}
    for subject_type, ids in wanted.items():
        model, name = NAMED[subject_type]
        for subject_id, text in session.execute(select(model.id, name).where(model.id.in_(ids))):
            names[(subject_type, subject_id)] = text
    return names


def team_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted))).all())


def task_titles(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Task.id, Task.title).where(Task.id.in_(wanted))).all())


def task_departments(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """{task id: the name of its team's department}: one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Task.id, Department.name)
        .join(Team, Team.id == Task.team_id)
        .join(Department, Department.id == Team.department_id)
        .where(Task.id.in_(wanted))
    )
    return dict(rows.all())
