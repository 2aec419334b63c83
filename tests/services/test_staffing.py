"""Staffing (SPEC §9): adjustments keep their weeks' stored staffing exact, the SQL
form of the capacity rule agrees with the domain function, and every figure uses it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from tracker.domain.capacity import Adjustment, week_capacity
from tracker.domain.workload import week_start
from tracker.extensions import get_queue
from tracker.models import CapacityAdjustment, TeamWeekStaffing
from tracker.queries.capacity import capacity_cells
from tracker.services.actors import actor_for
from tracker.services.calendar import BANK_HOLIDAYS
from tracker.services.errors import Forbidden, Invalid
from tracker.services.planning import preview_task_load
from tracker.services.queueing import CHECK_TEAM_OVERLOAD
from tracker.services.staffing import (
    AdjustmentData,
    create_adjustment,
    delete_adjustment,
    end_adjustment,
    update_adjustment,
    week_days,
)
from tracker.services.workload import departments_load_of, teams_load

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday, no bank holiday near
TODAY = NOW.date()


def stored_weeks(session, team_id):
    return {
        r.week_start: r
        for r in session.scalars(
            select(TeamWeekStaffing).where(TeamWeekStaffing.team_id == team_id)
        )
    }


def staffed_team(make, **kwargs):
    manager = make.user("manager")
    team = make.team(department=manager.department, capacity=40, establishment=5, **kwargs)
    return manager, team


def test_an_adjustment_stores_just_the_weeks_it_covers(session, make):
    manager, team = staffed_team(make)
    actor = actor_for(session, manager)
    data = AdjustmentData("vacancy", 1.0, TODAY + timedelta(days=2), TODAY + timedelta(days=15))
    adjustment = create_adjustment(session, actor, team.id, data, NOW)
    weeks = stored_weeks(session, team.id)
    assert sorted(weeks) == [TODAY, TODAY + timedelta(weeks=1), TODAY + timedelta(weeks=2)]
    assert weeks[TODAY].net_fte_days == pytest.approx(3)  # Wednesday to Friday
    assert weeks[TODAY + timedelta(weeks=2)].net_fte_days == pytest.approx(2)
    # Shortening it clears the weeks it no longer covers; ending it likewise.
    update_adjustment(session, actor, adjustment.id, {"ends_on": TODAY + timedelta(days=4)}, NOW)
    assert sorted(stored_weeks(session, team.id)) == [TODAY]
    end_adjustment(session, actor, adjustment.id, TODAY - timedelta(days=30), NOW)
    assert session.get(CapacityAdjustment, adjustment.id).ends_on == adjustment.starts_on
    delete_adjustment(session, actor, adjustment.id, NOW)
    assert stored_weeks(session, team.id) == {}


def test_an_open_ended_adjustment_is_stored_to_the_last_plannable_week(session, make):
    manager, team = staffed_team(make)
    data = AdjustmentData("absence", 0.5, TODAY)
    create_adjustment(session, actor_for(session, manager), team.id, data, NOW)
    weeks = stored_weeks(session, team.id)
    assert min(weeks) == TODAY and max(weeks) == week_start(date(2100, 12, 31))
    load = teams_load(session, TODAY + timedelta(weeks=3000), 1, [team.id])[0]
    assert load.weeks[0].capacity_hours < 40


def test_saving_changing_and_removing_queue_the_overload_check(session, make):
    manager, team = staffed_team(make)
    actor = actor_for(session, manager)
    queue = get_queue()
    queue.empty()
    adjustment = create_adjustment(
        session, actor, team.id, AdjustmentData("vacancy", 1.0, TODAY), NOW
    )
    update_adjustment(session, actor, adjustment.id, {"fte": 2.0}, NOW)
    delete_adjustment(session, actor, adjustment.id, NOW)
    jobs = queue.get_jobs()
    assert [j.func_name for j in jobs] == [CHECK_TEAM_OVERLOAD] * 3
    assert all(j.args == ([team.id],) for j in jobs)


def test_refusals_change_nothing(session, make):
    manager, team = staffed_team(make)
    bare = make.team(department=manager.department, name="No establishment")
    actor = actor_for(session, manager)
    with pytest.raises(Invalid) as no_establishment:
        create_adjustment(session, actor, bare.id, AdjustmentData("vacancy", 1.0, TODAY), NOW)
    assert "establishment" in no_establishment.value.fields["establishment_fte"]
    cases = {
        "fte": AdjustmentData("vacancy", 0.0, TODAY),
        "kind": AdjustmentData("sabbatical", 1.0, TODAY),
        "ends_on": AdjustmentData("vacancy", 1.0, TODAY, TODAY - timedelta(days=1)),
        "starts_on": AdjustmentData("vacancy", 1.0, None),
        "note": AdjustmentData("vacancy", 1.0, TODAY, None, "x" * 10_001),
    }
    for field, data in cases.items():
        with pytest.raises(Invalid) as refused:
            create_adjustment(session, actor, team.id, data, NOW)
        assert field in refused.value.fields
    other_lead = make.user("team_lead")
    make.team(lead=other_lead)
    director = make.user("director")
    for user in (other_lead, director, make.user("manager")):
        with pytest.raises(Forbidden):
            create_adjustment(
                session, actor_for(session, user), team.id, AdjustmentData("vacancy", 1, TODAY), NOW
            )
    assert session.scalars(select(CapacityAdjustment)).all() == []
    assert session.scalars(select(TeamWeekStaffing)).all() == []


def test_the_teams_own_lead_and_an_admin_may_record(session, make):
    lead = make.user("team_lead")
    team = make.team(lead=lead, establishment=4)
    for user in (lead, make.user("admin")):
        create_adjustment(
            session, actor_for(session, user), team.id, AdjustmentData("absence", 1, TODAY), NOW
        )
    assert len(session.scalars(select(CapacityAdjustment)).all()) == 2


def test_team_and_department_load_use_the_reduced_capacity(session, make):
    _, team = staffed_team(make)
    make.adjustment(team, "vacancy", 2.0, TODAY - timedelta(days=100))
    make.adjustment(team, "agency_cover", 1.0, TODAY + timedelta(weeks=1))
    make.task(team=team, start=TODAY, due=TODAY + timedelta(days=11), effort=60)
    load = teams_load(session, TODAY, 3, [team.id])[0]
    assert [w.capacity_hours for w in load.weeks] == pytest.approx([24, 32, 32])
    assert [w.load_ratio for w in load.weeks] == pytest.approx([30 / 24, 30 / 32, 0])
    assert load.overloaded(1.0)
    assert load.weeks[1].reason == "2.0 FTE vacant, 1.0 FTE agency cover"
    assert load.lost_hours == pytest.approx(16 + 8 + 8)
    dept = departments_load_of([load])[team.department_id]
    assert dept[0].capacity_hours == pytest.approx(24)


def test_a_zero_capacity_week_with_work_is_overloaded(session, make):
    _, team = staffed_team(make)
    make.adjustment(team, "vacancy", 5.0, TODAY, TODAY + timedelta(days=6))
    make.task(team=team, start=TODAY, due=TODAY + timedelta(days=4), effort=1)
    load = teams_load(session, TODAY, 2, [team.id])[0]
    assert load.weeks[0].capacity_hours == 0
    assert load.overloaded(1.0)
    preview = preview_task_load(session, team.id, 1, TODAY, TODAY, 1.0)
    assert preview.overloaded and preview.weeks[0].reason == "5.0 FTE vacant"


kinds = st.sampled_from(["vacancy", "absence", "agency_cover"])
starts = st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 2, 28))
adjustments = st.lists(
    st.tuples(kinds, st.floats(0.1, 4.0), starts, st.one_of(st.none(), st.integers(0, 60))),
    max_size=4,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(found=adjustments, establishment=st.one_of(st.none(), st.floats(0.5, 10)))
def test_the_sql_form_agrees_with_the_domain_function(session, make, found, establishment):
    session.execute(delete(TeamWeekStaffing))
    session.execute(delete(CapacityAdjustment))
    session.commit()
    team = make.team(capacity=37.5, establishment=establishment)
    plain = []
    for kind, fte, start, length in found:
        end = None if length is None else start + timedelta(days=length)
        make.adjustment(team, kind, fte, start, end)
        plain.append(Adjustment(kind, fte, start, end))
    # Christmas and New Year's bank holidays are in these weeks.
    weeks = [date(2026, 11, 30) + timedelta(weeks=i) for i in range(16)]
    cells = capacity_cells(session, week_days(weeks), [team.id])
    expected = [week_capacity(37.5, establishment, w, plain, BANK_HOLIDAYS) for w in weeks]
    assert [c.capacity_hours for c in cells] == pytest.approx(expected, abs=1e-6)
