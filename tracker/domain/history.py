"""A task's history as sentences people read ("Now waits on task 28, “Train assessors”"),
never field names or Python values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tracker.domain.wording import day_in_words


def _hours(value: Any) -> str:
    number = float(value or 0)
    text = f"{number:,.1f}".rstrip("0").rstrip(".")
    return f"{text} hour" + ("" if number == 1 else "s")


def _task(task_id: int, titles: Mapping[int, str]) -> str:
    title = titles.get(task_id)
    return f"task {task_id}, “{title}”" if title else f"task {task_id}"


def _tasks(ids: Iterable[int], titles: Mapping[int, str]) -> str:
    names = [_task(i, titles) for i in sorted(ids)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe_changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    changed: Iterable[str],
    team_names: Mapping[int, str],
    task_titles: Mapping[int, str],
) -> list[str]:
    """One sentence per change of a task's plan or blocked reason, in the order given.

    The status itself is kept in its own columns (old → new) and is not repeated here.
    """
    lines: list[str] = []
    for name in changed:
        old, new = before.get(name), after.get(name)
        if name == "title":
            lines.append(f"Renamed from “{old}” to “{new}”.")
        elif name == "description":
            lines.append("Description changed.")
        elif name == "team_id":
            lines.append(
                f"Moved from {team_names.get(old, 'another team')} "
                f"to {team_names.get(new, 'another team')}."
            )
        elif name == "effort_hours":
            lines.append(f"Effort changed from {_hours(old)} to {_hours(new)}.")
        elif name in ("start_date", "due_date"):
            what = "Start date" if name == "start_date" else "Due date"
            lines.append(f"{what} moved from {day_in_words(old)} to {day_in_words(new)}.")
        elif name == "blocked_reason":
            if new:
                # "Waiting for…" reads "Blocked: waiting for…"; "DBS checks" keeps its capitals.
                reason = new[0].lower() + new[1:] if new[1:2].islower() else new
                lines.append(f"Blocked: {reason}")
            elif after.get("status") != "blocked":
                continue  # unblocking is said by the status change itself
            else:
                lines.append("Blocked reason removed.")
        elif name == "depends_on":
            added = set(new or ()) - set(old or ())
            dropped = set(old or ()) - set(new or ())
            if added:
                lines.append(f"Now waits on {_tasks(added, task_titles)}.")
            if dropped:
                lines.append(f"No longer waits on {_tasks(dropped, task_titles)}.")
    return lines


FIELD_NAMES = {
    "title": "Title",
    "description": "Description",
    "team_id": "Team",
    "effort_hours": "Effort",
    "start_date": "Start date",
    "due_date": "Due date",
    "status": "Status",
    "blocked_reason": "Blocked because",
    "depends_on": "Depends on",
}
STATUS_WORDS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
}


def value_in_words(
    name: str, value: Any, team_names: Mapping[int, str], task_titles: Mapping[int, str]
) -> str:
    if name in ("start_date", "due_date"):
        return day_in_words(value) or "None"
    if name == "effort_hours":
        return _hours(value) if value else "None"
    if name == "team_id":
        return team_names.get(value, "None")
    if name == "status":
        return STATUS_WORDS.get(value, str(value))
    if name == "depends_on":
        return _tasks(value, task_titles) if value else "None"
    return str(value) if value else "None"


def differences(
    current: Mapping[str, Any],
    typed: Mapping[str, Any],
    team_names: Mapping[int, str],
    task_titles: Mapping[int, str],
) -> list[tuple[str, str, str]]:
    """(field, its value now, the value typed) for every field where they differ: what
    saving the typed form again on the current version would change."""
    rows = []
    for name, label in FIELD_NAMES.items():
        if name not in typed:
            continue
        now, yours = current.get(name), typed.get(name)
        if name == "depends_on":
            now, yours = sorted(now or ()), sorted(yours or ())
        if (now or None) == (yours or None):
            continue
        if name == "description":
            rows.append((label, "Changed", "Your text, kept in the form below"))
            continue
        rows.append(
            (
                label,
                value_in_words(name, now, team_names, task_titles),
                value_in_words(name, yours, team_names, task_titles),
            )
        )
    return rows
