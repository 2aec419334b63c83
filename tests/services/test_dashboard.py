"""The director's figures: counts, load and the department rule, from stored aggregates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.workload import week_start
from tracker.services import dashboard
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.errors import NotFound

TODAY = date.today()


def working_day(weeks_ahead: int = 0) -> date:
    """A Monday–Friday day that is not a bank holiday, `weeks_ahead` weeks from now:
    a one-day task then puts all its effort in that day's week."""
    day = week_start(TODAY) + timedelta(weeks=weeks_ahead)
    while day.weekday() > 4 or day in BANK_HOLIDAYS:
        day += timedelta(days=1)
    return day


def figures(session, threshold=1.0, limit=6, weeks=8):
    return {
        r.name: r for r in dashboard.department_figures(session, TODAY, weeks, threshold, limit)
    }


@pytest.fixture
def council(make):
    """Social Care: teams of 10 h and 30 h a week; Housing: one team, no tasks."""
    care = make.department("Social Care")
    housing = make.department("Housing")
    small = make.team(department=care, capacity=10, name="Small")
    large = make.team(department=care, capacity=30, name="Large")
    make.team(department=housing, capacity=20, name="Idle")
    initiative = make.initiative(departments=[care], status="rollout")
    return care, housing, small, large, initiative


def test_counts_effort_and_capacity(session, make, council):
    care, _, small, large, initiative = council
    day = working_day(1)
    make.task(team=small, initiative=initiative, start=day, due=day, effort=4)
    make.task(team=large, initiative=initiative, start=TODAY - timedelta(days=20),
              due=TODAY - timedelta(days=3), effort=6)  # fmt: skip
    make.task(team=large, initiative=initiative, due=day, start=day, effort=50, status="done")

    row = figures(session)["Social Care"]
    assert row.department_id == care.id
    assert (row.open_tasks, row.overdue_tasks) == (2, 1)
    assert row.open_effort_hours == pytest.approx(10)
    assert row.capacity_hours_per_week == pytest.approx(40)
    assert row.active_initiatives == 1


def test_peak_ratio_and_overloaded_teams(session, make, council):
    _, _, small, _, initiative = council
    day = working_day(2)
    make.task(team=small, initiative=initiative, start=day, due=day, effort=15)

    row = figures(session)["Social Care"]
    # The department sums its teams: 15 h against 40 h; the small team alone is at 1.5.
    assert row.peak_load_ratio == pytest.approx(15 / 40)
    assert row.overloaded_teams == 1
    assert row.overloaded_team_ids == [small.id]
    assert not row.load_overloaded and not row.overloaded


def test_department_overloaded_by_load(session, make, council):
    _, _, small, large, initiative = council
    day = working_day(0) if working_day(0) >= TODAY else working_day(1)
    make.task(team=small, initiative=initiative, start=day, due=day, effort=20)
    make.task(team=large, initiative=initiative, start=day, due=day, effort=25)

    row = figures(session)["Social Care"]
    assert row.peak_load_ratio == pytest.approx(45 / 40)
    assert row.load_overloaded and row.overloaded
    assert row.overloaded_team_ids == sorted([small.id])


def test_ratio_at_the_threshold_is_not_overloaded(session, make, council):
    _, _, small, _, initiative = council
    day = working_day(1)
    make.task(team=small, initiative=initiative, start=day, due=day, effort=10)
    row = figures(session, threshold=0.25)["Social Care"]
    assert row.peak_load_ratio == pytest.approx(0.25)
    assert row.overloaded_teams == 1  # the small team is at 1.0 > 0.25
    assert not row.load_overloaded


def test_weeks_beyond_the_horizon_do_not_count(session, make, council):
    _, _, small, _, initiative = council
    day = working_day(10)
    make.task(team=small, initiative=initiative, start=day, due=day, effort=100)
    row = figures(session, weeks=8)["Social Care"]
    assert row.peak_load_ratio == 0
    assert row.open_tasks == 1 and row.open_effort_hours == pytest.approx(100)
    assert figures(session, weeks=12)["Social Care"].peak_load_ratio == pytest.approx(2.5)


def test_too_many_active_initiatives_overloads_the_department(session, make, council):
    care, housing, *_ = council
    make.initiative(departments=[care, housing], status="planning", confidence="red")
    make.initiative(departments=[care], status="proposed")
    make.initiative(departments=[care], status="closed")

    rows = figures(session, limit=1)
    assert rows["Social Care"].active_initiatives == 2
    assert rows["Social Care"].too_many_initiatives and rows["Social Care"].overloaded
    assert rows["Housing"].active_initiatives == 1 and not rows["Housing"].overloaded
    assert rows["Social Care"].confidence_counts == {None: 1, "red": 1}


def test_a_department_without_teams_has_zero_figures(session, make, council):
    make.department("Empty")
    row = figures(session)["Empty"]
    assert (row.open_tasks, row.capacity_hours_per_week, row.peak_load_ratio) == (0, 0, 0)
    assert row.overloaded_team_ids == [] and not row.overloaded


def test_api_json_has_the_spec_fields(session, council):
    row = figures(session)["Housing"]
    assert set(row.api_json()) == {
        "department_id", "name", "active_initiatives", "open_tasks", "overdue_tasks",
        "open_effort_hours", "capacity_hours_per_week", "peak_load_ratio",
        "overloaded_teams", "overloaded_team_ids", "peak_team_load_ratio", "worst_team_id",
        "establishment_fte", "vacant_fte", "vacancy_rate", "capacity_lost_hours", "overloaded",
    }  # fmt: skip


def test_sort_figures_by_column_with_name_ties(session, make, council):
    _, _, small, _, initiative = council
    make.task(team=small, initiative=initiative)
    rows = list(figures(session).values())
    assert [r.name for r in dashboard.sort_figures(rows, "open_tasks", True)] == [
        "Social Care",
        "Housing",
    ]
    assert [r.name for r in dashboard.sort_figures(rows, "bogus", False)] == [
        "Housing",
        "Social Care",
    ]


def test_heatmap_groups_teams_by_department(session, make, council):
    _, housing, small, _, initiative = council
    day = working_day(1)
    make.task(team=small, initiative=initiative, start=day, due=day, effort=5)
    data = dashboard.heatmap(session, TODAY, 4, 1.0)
    assert [g.name for g in data.groups] == ["Housing", "Social Care"]
    care_group = data.groups[1]
    assert [t.team_name for t in care_group.teams] == ["Large", "Small"]
    cell = next(w for w in care_group.teams[1].weeks if w.week_start == week_start(day))
    assert cell.planned_hours == pytest.approx(5) and cell.load_ratio == pytest.approx(0.5)
    only = dashboard.heatmap(session, TODAY, 4, 1.0, department_id=housing.id)
    assert [g.name for g in only.groups] == ["Housing"]


def test_team_week_lists_the_tasks_behind_the_hours(session, make, council):
    _, _, small, _, initiative = council
    day = working_day(1)
    a = make.task(team=small, initiative=initiative, start=day, due=day, effort=3, title="A")
    b = make.task(team=small, initiative=initiative, start=day, due=day, effort=9, title="B")
    make.task(team=small, initiative=initiative, start=day, due=day, effort=9, status="done")
    data = dashboard.team_week(session, small.id, day, 1.0)
    assert data.week_start == week_start(day)
    assert [t.task_id for t in data.tasks] == [b.id, a.id]
    assert data.planned_hours == pytest.approx(12)
    assert data.overloaded and data.tasks[0].initiative_title == initiative.title
    with pytest.raises(NotFound):
        dashboard.team_week(session, 999_999, day, 1.0)


def test_timeline_has_tasks_dependencies_and_total(session, make, council):
    _, _, small, large, initiative = council
    first = make.task(team=small, initiative=initiative, start=TODAY, due=TODAY + timedelta(7))
    second = make.task(team=large, initiative=initiative, start=TODAY + timedelta(8),
                       due=TODAY + timedelta(20))  # fmt: skip
    second.depends_on = [first]
    session.commit()
    data = dashboard.initiative_timeline(session, initiative.id)
    assert [t.id for t in data.tasks] == [first.id, second.id]
    assert data.tasks[1].team_name == "Large"
    assert data.dependencies == [(second.id, first.id)]
    assert data.total_tasks == 2
    limited = dashboard.initiative_timeline(session, initiative.id, limit=1)
    assert len(limited.tasks) == 1 and limited.total_tasks == 2
    with pytest.raises(NotFound):
        dashboard.initiative_timeline(session, 999_999)


def test_at_risk_initiatives_red_first(session, make, council):
    care, *_ = council
    amber_red = make.initiative(departments=[care], status="rollout", confidence="amber_red")
    red = make.initiative(departments=[care], status="planning", confidence="red")
    make.initiative(departments=[care], status="closed", confidence="red")
    make.initiative(departments=[care], status="rollout", confidence="green")
    assert [i.id for i in dashboard.at_risk_initiatives(session)] == [red.id, amber_red.id]
