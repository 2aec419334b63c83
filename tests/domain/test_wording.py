"""Dates in words, short email subjects and task history as sentences (issue 7)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.history import describe_changes, differences
from tracker.domain.wording import SUBJECT_LIMIT, day_in_words, subject_line, when_in_words

LONDON = ZoneInfo("Europe/London")


def test_dates_read_one_way():
    assert day_in_words(date(2026, 12, 7)) == "7 Dec 2026"
    assert day_in_words(None) == ""
    # An instant is shown on London's clock: 23:30 UTC in July is 00:30 the next day.
    assert when_in_words(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), LONDON) == "2 Jul 2026, 00:30"
    assert when_in_words(datetime(2026, 12, 1, 9, 5, tzinfo=UTC), LONDON) == "1 Dec 2026, 09:05"


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_day_in_words_round_trips(day):
    assert datetime.strptime(day_in_words(day), "%d %b %Y").date() == day


def test_subject_is_the_kind_and_the_name():
    assert subject_line("Overdue", "Audit of child protection reviews") == (
        "Overdue: Audit of child protection reviews"
    )


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=200).filter(lambda s: s.strip()))
def test_subject_is_short_and_on_one_line(name):
    subject = subject_line("Due soon", name)
    assert len(subject) <= SUBJECT_LIMIT
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("Due soon: ")


def test_history_says_what_happened_in_sentences():
    before = {
        "title": "Train assessors",
        "team_id": 1,
        "effort_hours": 8.0,
        "due_date": date(2026, 12, 7),
        "status": "in_progress",
        "blocked_reason": None,
        "depends_on": [],
    }
    after = {
        **before,
        "team_id": 2,
        "effort_hours": 12.0,
        "due_date": date(2026, 12, 14),
        "status": "blocked",
        "blocked_reason": "Waiting for the trainer",
        "depends_on": [28],
    }
    changed = ["team_id", "effort_hours", "due_date", "blocked_reason", "depends_on"]
    lines = describe_changes(
        before, after, changed, {1: "Reablement", 2: "Fostering"}, {28: "Train assessors"}
    )
    assert lines == [
        "Moved from Reablement to Fostering.",
        "Effort changed from 8 hours to 12 hours.",
        "Due date moved from 7 Dec 2026 to 14 Dec 2026.",
        "Blocked: waiting for the trainer",
        "Now waits on task 28, “Train assessors”.",
    ]
    back = describe_changes(after, before, ["depends_on"], {}, {28: "Train assessors"})
    assert back == ["No longer waits on task 28, “Train assessors”."]
    # Acronyms keep their capitals.
    dbs = describe_changes({}, {"blocked_reason": "DBS checks late"}, ["blocked_reason"], {}, {})
    assert dbs == ["Blocked: DBS checks late"]


def test_differences_list_only_what_saving_again_would_change():
    current = {"title": "A", "effort_hours": 20.0, "status": "in_progress", "depends_on": [3]}
    typed = {"title": "B", "effort_hours": 20.0, "status": "in_progress", "depends_on": [3]}
    assert differences(current, typed, {}, {}) == [("Title", "A", "B")]
