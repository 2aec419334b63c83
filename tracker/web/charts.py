"""Geometry of the server-rendered SVG charts: numbers in, coordinates out, no database."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.domain.workload import is_overloaded, week_start


def shade_class(ratio: float, threshold: float) -> str:
    """The heatmap shade of a load ratio (static/app.css); the number is always shown too."""
    if is_overloaded(ratio, threshold):
        return "app-load-over"
    if ratio <= 0 or threshold <= 0:
        return "app-load-0"
    return f"app-load-{min(4, 1 + int(ratio / threshold * 4))}"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float
    overloaded: bool
    href: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    bar_height: int
    plot_width: int
    threshold_x: float
    threshold: float
    bars: list[Bar]
    ticks: list[tuple[float, str]]


def bar_chart(
    rows: list[tuple[str, float, bool, str]], threshold: float, width: int = 760
) -> BarChart:
    """Horizontal bars of (label, value, overloaded, link), scaled so the threshold shows."""
    left, bar_h, gap, top = 220, 26, 10, 10
    plot = width - left - 70
    # Work in a week with no capacity is an infinite ratio: drawn the full width.
    finite = [value for _, value, _, _ in rows if math.isfinite(value)]
    top_value = max([threshold * 1.2, *finite]) or 1.0
    scale = plot / top_value
    bars = [
        Bar(
            label,
            value,
            top + i * (bar_h + gap),
            round(max(1.0, min(value * scale, plot)), 1),
            over,
            href,
        )
        for i, (label, value, over, href) in enumerate(rows)
    ]
    height = top + len(rows) * (bar_h + gap) + 30
    step = _nice_step(top_value)
    ticks = []
    value = 0.0
    while value <= top_value + 1e-9:
        ticks.append((round(left + value * scale, 1), f"{value:.2f}"))
        value += step
    return BarChart(
        width, height, left, bar_h, plot, round(left + threshold * scale, 1), threshold, bars, ticks
    )


def _nice_step(top: float) -> float:
    for step in (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0):
        if top / step <= 8:
            return step
    return top / 8


@dataclass(frozen=True)
class TimelineBar:
    id: int
    x: float
    y: float
    width: float
    label: str
    team: str
    status: str


@dataclass(frozen=True)
class TimelineChart:
    width: int
    height: int
    left: int
    row_height: int
    weeks: list[tuple[float, date]]
    bars: list[TimelineBar]
    arrows: list[tuple[float, float, float, float]]
    today_x: float | None
    deadline_x: float | None = None


def timeline_chart(
    tasks, dependencies: list[tuple[int, int]], today: date, deadline: date | None = None
) -> TimelineChart:
    """Bars from start to due on a week scale, one row per task, with dependency arrows
    (prerequisite's end → dependent's start) and a line for today."""
    # Rows: week labels (y 14), "today" (y 30) and "deadline" (y 46) labels, then bars.
    left, row_h, top = 10, 30, 52
    if not tasks:
        return TimelineChart(400, 60, left, row_h, [], [], [], None)
    first = week_start(min(t.start_date for t in tasks))
    # The axis runs to the deadline, so a plan that stops short of it shows the gap.
    last = max([t.due_date for t in tasks] + ([deadline] if deadline else []))
    n_weeks = (week_start(last) - first).days // 7 + 1
    week_w = max(14.0, min(60.0, 620 / n_weeks))  # fits the page with its labels
    day_w = week_w / 7
    width = int(left + n_weeks * week_w + 320)  # room for the last bars' labels
    bars: dict[int, TimelineBar] = {}
    for i, task in enumerate(tasks):
        x = left + (task.start_date - first).days * day_w
        bars[task.id] = TimelineBar(
            task.id,
            round(x, 1),
            top + i * row_h,
            round(((task.due_date - task.start_date).days + 1) * day_w, 1),
            task.title,
            task.team_name,
            task.status,
        )
    arrows = []
    for task_id, depends_on in dependencies:
        if task_id in bars and depends_on in bars:
            a, b = bars[depends_on], bars[task_id]
            arrows.append((a.x + a.width, a.y + 22, b.x, b.y + 22))
    label_every = max(1, math.ceil(80 / week_w))
    weeks = [
        (round(left + i * week_w, 1), first + timedelta(weeks=i))
        for i in range(0, n_weeks, label_every)
    ]
    today_x = None
    if first <= today <= first + timedelta(weeks=n_weeks):
        today_x = round(left + (today - first).days * day_w + day_w / 2, 1)
    deadline_x = None
    if deadline is not None and deadline >= first:
        deadline_x = round(left + ((deadline - first).days + 1) * day_w, 1)
    height = top + len(tasks) * row_h + 10
    return TimelineChart(
        width, height, left, row_h, weeks, list(bars.values()), arrows, today_x, deadline_x
    )
