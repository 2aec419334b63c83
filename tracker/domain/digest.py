"""The daily digest's text (SPEC §5): a person's new alerts grouped by kind, escalations
by department, each with what to do and where; a short, specific subject."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.domain.wording import day_in_words

# The order of the groups, and their headings (singular, plural).
GROUPS = (
    ("escalation", "Escalation", "Escalations"),
    ("overdue", "Overdue task", "Overdue tasks"),
    ("due_soon", "Task due soon", "Tasks due soon"),
    ("team_overload", "Team overload", "Team overloads"),
    ("department_overload", "Department overload", "Department overloads"),
    ("return_due", "Return due", "Returns due"),
    ("return_overdue", "Overdue return", "Overdue returns"),
    ("grant_at_risk", "Grant at risk", "Grants at risk"),
    ("question_answered", "Question answered", "Questions answered"),
)
# Subject words per kind: "2 overdue, 1 escalation".
SHORT = {
    "escalation": ("escalation", "escalations"),
    "overdue": ("overdue", "overdue"),
    "due_soon": ("due soon", "due soon"),
    "team_overload": ("team overload", "team overloads"),
    "department_overload": ("department overload", "department overloads"),
}


@dataclass(frozen=True)
class DigestItem:
    kind: str
    message: str
    action: str
    link: str
    department: str = ""  # for escalations: the task's department


def _plural(n: int, forms: tuple[str, str]) -> str:
    return f"{n} {forms[0] if n == 1 else forms[1]}"


def digest_subject(items: Sequence[DigestItem], day: date) -> str:
    """ "Alerts for 3 Dec: 2 overdue, 1 escalation" — counts in the groups' order."""
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item.kind] += 1
    parts = [
        _plural(counts[kind], SHORT.get(kind, (singular.lower(), plural.lower())))
        for kind, singular, plural in GROUPS
        if counts.get(kind)
    ]
    return f"Alerts for {day.day} {day_in_words(day).split()[1]}: {', '.join(parts)}"


def _lines(item: DigestItem) -> list[str]:
    lines = [f"* {item.message}"]
    if item.action:
        lines.append(f"  What to do: {item.action}")
    lines.append(f"  {item.link}")
    return lines


def digest_body(items: Sequence[DigestItem], day: date) -> str:
    by_kind: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    count = _plural(len(items), ("new alert", "new alerts"))
    lines = [f"Your {count} from Initiative Tracker for {day_in_words(day)}."]
    known = {kind for kind, _, _ in GROUPS}
    groups = list(GROUPS) + [(k, k, k) for k in sorted(by_kind) if k not in known]
    for kind, singular, plural in groups:
        group = by_kind.get(kind)
        if not group:
            continue
        lines += ["", f"{singular if len(group) == 1 else plural} ({len(group)})", ""]
        if kind == "escalation":
            by_department: dict[str, list[DigestItem]] = defaultdict(list)
            for item in group:
                by_department[item.department or "No department"].append(item)
            for department in sorted(by_department):
                lines.append(f"{department}:")
                for item in by_department[department]:
                    lines += _lines(item)
        else:
            for item in group:
                lines += _lines(item)
    return "\n".join(lines)
