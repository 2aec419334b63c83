"""SPEC §5 "Episodes": adjacent overloaded weeks are one episode, alerted once to the
team's lead and the owners who planned the load, again only if its peak rises by
OVERLOAD_REALERT_STEP; the bookkeeping is stored, so a new week entering the horizon
on Monday alerts nobody again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tracker.models import Alert, AlertEpisode, Task
from tracker.queries.alerts import AlertRule
from tracker.services import load
from tracker.services.sweep import check_team_overload, run_sweep

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
RULE = AlertRule()
WEEK = timedelta(days=7)


def team_alerts(session):
    return list(
        session.scalars(select(Alert).where(Alert.kind == "team_overload").order_by(Alert.id))
    )


def episodes(session, subject_type="team"):
    return list(
        session.scalars(
            select(AlertEpisode)
            .where(AlertEpisode.subject_type == subject_type)
            .order_by(AlertEpisode.id)
        )
    )


class Council:
    """A department, a team of 37.5 hours a week, its lead, two owning managers."""

    def __init__(self, make):
        self.make = make
        self.dept = make.department()
        self.lead = make.user("team_lead", department=self.dept)
        self.team = make.team(department=self.dept, lead=self.lead, capacity=37.5)
        self.owner = make.user("manager", department=self.dept)
        self.other_owner = make.user("manager", department=self.dept)
        self.bystander = make.user("manager", department=self.dept)
        self.initiative = make.initiative(owner=self.owner, departments=[self.dept])
        self.other = make.initiative(owner=self.other_owner, departments=[self.dept])

    def week(self, n: int, hours: float, initiative=None):
        """`hours` of work in the nth week from now (Monday to Friday)."""
        monday = TODAY + n * WEEK
        return self.make.task(
            team=self.team,
            initiative=initiative or self.initiative,
            start=monday,
            due=monday + timedelta(days=4),
            effort=hours,
        )


def set_effort(session, task: Task, hours: float):
    task = session.get(Task, task.id)
    task.effort_hours = hours
    session.flush()
    teams = load.refresh_tasks_load(session, [task])
    session.commit()
    return teams


def test_adjacent_weeks_are_one_episode_to_the_lead_and_the_owners_who_planned_it(session, make):
    c = Council(make)
    c.week(1, 50)
    c.week(2, 45, initiative=c.other)
    c.week(4, 10, initiative=c.other)  # outside the episode: not overloaded
    result = run_sweep(session, NOW, RULE)
    assert result.created["team_overload"] == 3
    found = team_alerts(session)
    assert {a.recipient_id for a in found} == {c.lead.id, c.owner.id, c.other_owner.id}
    assert all(a.episode_id == found[0].episode_id for a in found)
    assert "the weeks of 7 Dec 2026 to 14 Dec 2026" in found[0].message
    assert "at its peak, 133% of its capacity" in found[0].message
    by_person = {a.recipient_id: a for a in found}
    assert "Agree with the initiatives' owners" in by_person[c.lead.id].action
    assert "your initiative's tasks" in by_person[c.owner.id].action
    [episode] = episodes(session)
    assert (episode.first_week, episode.last_week) == (TODAY + WEEK, TODAY + 2 * WEEK)
    assert round(episode.peak_ratio, 2) == 1.33 and episode.alerted_peak == episode.peak_ratio


def test_a_week_that_is_not_overloaded_starts_a_new_episode(session, make):
    c = Council(make)
    c.week(1, 50)
    c.week(3, 50)
    run_sweep(session, NOW, RULE)
    assert len(episodes(session)) == 2
    assert len(team_alerts(session)) == 4  # two episodes × (lead, owner)


def test_monday_moves_the_horizon_without_alerting_again(session, make):
    c = Council(make)
    for n in range(0, 10):
        c.week(n, 40)  # overloaded in every week, beyond the horizon too
    assert run_sweep(session, NOW, RULE).created["team_overload"] == 2
    for days in (7, 14, 21):
        # A new week enters the horizon, the first one leaves: the same episode.
        assert run_sweep(session, NOW + timedelta(days=days), RULE).created["team_overload"] == 0
    [episode] = episodes(session)
    assert episode.first_week == TODAY and episode.ended_at is None
    assert all(a.resolved_at is None for a in team_alerts(session))


def test_re_alerts_only_when_the_peak_rises_by_the_step(session, make):
    c = Council(make)
    task = c.week(1, 45)  # 120%
    run_sweep(session, NOW, RULE)
    set_effort(session, task, 52)  # 139%: up by less than 0.25
    assert run_sweep(session, NOW, RULE).created["team_overload"] == 0
    assert episodes(session)[0].alerted_peak == 1.2
    set_effort(session, task, 54.5)  # 145%: up by 0.25 on the peak alerted
    result = run_sweep(session, NOW, RULE)
    assert result.created["team_overload"] == 2
    old, _older_owner, new, new_owner = sorted(team_alerts(session), key=lambda a: a.id)
    assert "145%" in new.message
    assert old.resolved_reason == "its peak rose: see the newer alert"
    assert new.resolved_at is None and new_owner.resolved_at is None
    # Falling and rising again within the step alerts nobody.
    set_effort(session, task, 46)
    run_sweep(session, NOW, RULE)
    set_effort(session, task, 54.5)
    assert run_sweep(session, NOW, RULE).created["team_overload"] == 0


def test_a_cleared_episode_resolves_at_once_and_a_new_one_alerts_again(session, make):
    c = Council(make)
    task = c.week(1, 50)
    run_sweep(session, NOW, RULE)
    teams = set_effort(session, task, 30)
    check_team_overload(session, sorted(teams), NOW, RULE)  # the immediate check
    assert {a.resolved_reason for a in team_alerts(session)} == {"back under capacity"}
    assert episodes(session)[0].end_reason == "back under capacity"
    set_effort(session, task, 50)
    assert run_sweep(session, NOW, RULE).created["team_overload"] == 2
    assert [e.ended_at is None for e in episodes(session)] == [False, True]


def test_an_episode_whose_weeks_have_passed_ends(session, make):
    c = Council(make)
    c.week(0, 50)
    run_sweep(session, NOW, RULE)
    run_sweep(session, NOW + WEEK, RULE)
    assert {a.resolved_reason for a in team_alerts(session)} == {"its weeks have passed"}


def test_filling_the_gap_joins_two_episodes(session, make):
    c = Council(make)
    c.week(1, 50)
    c.week(3, 50)
    gap = c.week(2, 10)
    run_sweep(session, NOW, RULE)
    set_effort(session, gap, 50)
    assert run_sweep(session, NOW, RULE).created["team_overload"] == 0
    first, second = sorted(episodes(session), key=lambda e: e.first_week)
    assert first.ended_at is None and first.last_week == TODAY + 3 * WEEK
    assert second.end_reason == "joined an earlier episode"
    later = [a for a in team_alerts(session) if a.episode_id == second.id]
    assert {a.resolved_reason for a in later} == {"joined an earlier episode"}


def test_department_episode_goes_to_directors_once(session, make):
    c = Council(make)
    director = make.user("director")
    for n in range(3):
        c.week(n, 50)
    run_sweep(session, NOW, RULE)
    run_sweep(session, NOW + WEEK, RULE)
    found = list(session.scalars(select(Alert).where(Alert.kind == "department_overload")))
    assert [a.recipient_id for a in found] == [director.id]
    assert "the weeks of 30 Nov 2026 to 14 Dec 2026" in found[0].message
    [episode] = episodes(session, "department")
    assert episode.subject_id == c.dept.id


def test_too_many_initiatives_is_one_department_episode(session, make):
    dept = make.department()
    director = make.user("director")
    owner = make.user("manager", department=dept)
    for _ in range(RULE.department_initiative_limit + 1):
        make.initiative(owner=owner, departments=[dept], status="rollout")
    run_sweep(session, NOW, RULE)
    run_sweep(session, NOW + WEEK, RULE)
    found = list(session.scalars(select(Alert).where(Alert.kind == "department_overload")))
    assert [a.recipient_id for a in found] == [director.id]
    assert "7 active initiatives, more than the limit of 6" in found[0].message
