"""The council's day is London's (SPEC §8): pages, the sweep and the digests agree at
00:30 in British Summer Time and across both clock changes. Time travels with time-machine."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from tracker import clock
from tracker.domain.days import council_day
from tracker.models import Alert
from tracker.services.sweep import rule_from_config, run_sweep

# (the instant in UTC, the London day): a BST midnight, and either side of each change.
INSTANTS = [
    (datetime(2026, 7, 1, 22, 59, tzinfo=UTC), date(2026, 7, 1)),  # 23:59 BST
    (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), date(2026, 7, 2)),  # 00:30 BST: tomorrow
    (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), date(2027, 3, 27)),  # 23:30 GMT, before spring
    (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), date(2027, 3, 28)),  # 02:30 BST, after it
    (datetime(2027, 3, 28, 23, 30, tzinfo=UTC), date(2027, 3, 29)),  # first BST midnight
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25)),  # 00:30 BST, last one
    (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), date(2026, 10, 25)),  # 01:59 BST, then back
    (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 25)),  # 23:30 GMT
]


@pytest.mark.parametrize("instant, day", INSTANTS)
def test_the_clock_reads_the_london_day(app, instant, day):
    assert council_day(instant) == day
    with time_machine.travel(instant, tick=False):
        assert clock.today() == day
        assert clock.now() == instant


def test_half_past_midnight_in_summer_is_already_tomorrow_for_pages_and_sweep(
    app, client, login_as, make, session
):
    """At 00:30 BST on 2 July a task due on 1 July is overdue, though the UTC date is
    still 1 July: the lead's queue says so and the sweep alerts it."""
    lead = make.user("team_lead", display_name="Lee Lead")
    dept = make.department("Adult Social Care")
    owner = make.user("manager", department=dept)
    team = make.team(department=dept, lead=lead, name="Reablement")
    initiative = make.initiative(owner=owner, departments=[dept])
    task = make.task(
        team=team,
        initiative=initiative,
        title="Agree the assessment form",
        start=date(2026, 6, 22),
        due=date(2026, 7, 1),
    )
    with time_machine.travel(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), tick=False):
        login_as(user=lead)  # signed in at that time: a session is no older than its cookie
        page = client.get("/my-tasks").get_data(as_text=True)
        row = page[page.index(f'id="task-{task.id}"') :]
        assert "Overdue" in row[: row.index("</tr>")]
        run_sweep(session, clock.now(), rule_from_config(app.config))
    kinds = set(session.scalars(select(Alert.kind).where(Alert.subject_id == task.id)))
    assert "overdue" in kinds and "due_soon" not in kinds
    message = session.scalar(select(Alert.message).where(Alert.kind == "overdue").limit(1))
    assert "1 Jul 2026" in message and "2026-07-01" not in message


@pytest.mark.parametrize(
    "instant, due, kind",
    [
        # The last BST midnight of 2026 (00:30 BST on the 25th): the 24th has passed.
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 24), "overdue"),
        # After the change back, 23:30 GMT on the 25th is still the 25th: due, not overdue.
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 25), "due_soon"),
        # The first BST midnight of 2027 (00:30 BST on 29 March): the 28th has passed.
        (datetime(2027, 3, 28, 23, 30, tzinfo=UTC), date(2027, 3, 28), "overdue"),
        # Before the spring change, 23:30 GMT on the 27th is still the 27th.
        (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), date(2027, 3, 27), "due_soon"),
    ],
)
def test_the_sweep_uses_the_london_day_across_the_clock_changes(
    app, make, session, instant, due, kind
):
    lead = make.user("team_lead")
    team = make.team(lead=lead)
    make.task(team=team, start=due, due=due)
    with time_machine.travel(instant, tick=False):
        run_sweep(session, clock.now(), rule_from_config(app.config))
    assert set(session.scalars(select(Alert.kind))) == {kind}
