"""JSON shapes of SPEC §7: field names of §3, references as <name>_id."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tracker.domain.planning import Suggestions
from tracker.domain.workload import WeekLoad, ratio_or_none
from tracker.models import ConfidenceRating, Department, Initiative, Task, TaskUpdate, Team, User
from tracker.services.planning import LoadPreview


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "department_id": user.department_id,
        "active": user.active,
        "email_mode": user.email_mode,
    }


def department_json(dept: Department) -> dict[str, Any]:
    return {"id": dept.id, "name": dept.name}


def team_json(team: Team) -> dict[str, Any]:
    return {
        "id": team.id,
        "name": team.name,
        "department_id": team.department_id,
        "lead_id": team.lead_id,
        "capacity_hours_per_week": team.capacity_hours_per_week,
        "establishment_fte": team.establishment_fte,
    }


def initiative_json(initiative: Initiative) -> dict[str, Any]:
    return {
        "id": initiative.id,
        "title": initiative.title,
        "source": initiative.source,
        "kind": initiative.kind,
        "summary": initiative.summary,
        "rationale": initiative.rationale,
        "budget_pence": initiative.budget_pence,
        "start_date": iso(initiative.start_date),
        "deadline": iso(initiative.deadline),
        "status": initiative.status,
        "owner_id": initiative.owner_id,
        "department_ids": initiative.department_ids,
        "confidence": initiative.confidence,
        "created_at": iso(initiative.created_at),
        "updated_at": iso(initiative.updated_at),
    }


def task_json(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "initiative_id": task.initiative_id,
        "team_id": task.team_id,
        "title": task.title,
        "description": task.description,
        "effort_hours": task.effort_hours,
        "start_date": iso(task.start_date),
        "due_date": iso(task.due_date),
        "status": task.status,
        "blocked_reason": task.blocked_reason,
        "depends_on": [t.id for t in task.depends_on],
        "version": task.version,
        "completed_at": iso(task.completed_at),
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
    }


def task_update_json(update: TaskUpdate) -> dict[str, Any]:
    return {
        "id": update.id,
        "task_id": update.task_id,
        "user_id": update.user_id,
        "created_at": iso(update.created_at),
        "old_status": update.old_status,
        "new_status": update.new_status,
        "note": update.note,
        "changes": update.changes,
    }


def week_load_json(week: WeekLoad) -> dict[str, Any]:
    return {
        "week_start": iso(week.week_start),
        "planned_hours": week.planned_hours,
        "capacity_hours": week.capacity_hours,
        "load_ratio": ratio_or_none(week.load_ratio, week.capacity_hours),
    }


def suggestions_json(found: Suggestions | None) -> dict[str, Any] | None:
    if found is None:
        return None
    start = found.earliest_start
    return {
        "earliest_start": (
            {"start_date": iso(start[0]), "due_date": iso(start[1])} if start else None
        ),
        "due_date_that_fits": iso(found.due_date_that_fits),
        "other_teams": [
            {"team_id": t.team_id, "name": t.name, "peak_load_ratio_after": t.peak_load_ratio_after}
            for t in found.other_teams
        ],
    }


def preview_json(preview: LoadPreview) -> dict[str, Any]:
    return {
        "team_id": preview.team_id,
        "overloaded": preview.overloaded,
        "suggestions": suggestions_json(preview.suggestions),
        "weeks": [
            {
                "week_start": iso(w.week_start),
                "capacity_hours": w.capacity_hours,
                "before_hours": w.before_hours,
                "after_hours": w.after_hours,
                "before_ratio": ratio_or_none(w.before_ratio, w.capacity_hours),
                "after_ratio": ratio_or_none(w.after_ratio, w.capacity_hours),
                "reason": w.reason,
                "overloaded": w.overloaded_after,
            }
            for w in preview.weeks
        ],
    }


def confidence_json(rating: ConfidenceRating) -> dict[str, Any]:
    return {
        "id": rating.id,
        "initiative_id": rating.initiative_id,
        "rating": rating.rating,
        "comment": rating.comment,
        "set_by_id": rating.set_by_id,
        "set_at": iso(rating.set_at),
    }
