"""The one-line, date and number rules that pages, API and CLI share."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain import validation as v
from tracker.models import base


def test_the_limits_agree_with_the_models():
    assert (v.NAME_MAX, v.TEXT_MAX) == (base.NAME_MAX, base.TEXT_MAX)


@pytest.mark.parametrize(
    "value", ["Line\nbreak", "Carriage\rreturn", "NUL\x00", "Tab\there", "DEL\x7f", "Sep\u2028x"]
)
def test_one_line_fields_refuse_control_characters(value):
    error = v.one_line_error(value, "a title")
    assert (
        error == "A title must be one line of text, without line breaks, tabs or control characters"
    )


def test_one_line_fields_accept_ordinary_text_and_check_blank_and_length():
    assert v.one_line_error("Safeguarding — Équipe 2 (Leeds) ＝ ok", "a name") is None
    assert v.one_line_error("  ", "a name") == "Enter a name"
    assert v.one_line_error(None, "a name", required=False) is None
    assert v.one_line_error("x" * 201, "a name") == "A name must be 200 characters or fewer"


def test_text_keeps_line_breaks_but_not_other_control_characters():
    assert v.text_error("First line\r\nSecond\tline", "the note") is None
    assert v.text_error("Bad\x00byte", "the note") == "The note must not contain control characters"
    assert v.text_error("x" * 10_001, "the note") == "The note must be 10,000 characters or fewer"


@given(st.text(max_size=50))
@settings(max_examples=200, deadline=None)
def test_single_line_always_passes_the_one_line_rule(text):
    cleaned = v.single_line(text)
    assert len(cleaned) == len(text)
    assert not v.has_control_characters(cleaned)


@pytest.mark.parametrize(
    "text", ["2026-W01-1", "2026-001", "20260105", "2026-1-5", "2026-01-05T00:00", "２０２６-01-05"]
)
def test_only_year_month_day_is_a_date(text):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        v.parse_date(text)


def test_dates_are_real_and_between_1990_and_2100():
    assert v.parse_date("2026-01-05") == date(2026, 1, 5)
    assert v.parse_date("1990-01-01") == v.EARLIEST
    assert v.parse_date("2100-12-31") == v.LATEST
    with pytest.raises(ValueError, match="real date"):
        v.parse_date("2026-02-30")
    with pytest.raises(ValueError, match="between 1990 and 2100"):
        v.parse_date("9999-12-31")
    with pytest.raises(ValueError, match="between 1990 and 2100"):
        v.parse_date("0500-01-01", "the start date")


@pytest.mark.parametrize("value", [5e-324, 0, -1, 0.09, math.inf, -math.inf, math.nan, 1e300])
def test_capacity_outside_sensible_bounds_is_refused(value):
    error = v.number_error(value, v.CAPACITY_HOURS_PER_WEEK, "the capacity")
    assert error == "The capacity must be from 0.1 to 10,000 hours a week"


@given(st.floats(min_value=0.1, max_value=10_000))
@settings(max_examples=100, deadline=None)
def test_capacity_within_bounds_is_accepted(value):
    assert v.number_error(value, v.CAPACITY_HOURS_PER_WEEK, "the capacity") is None


def test_numbers_must_be_numbers():
    assert v.number_error(True, v.EFFORT_HOURS, "the effort") == "The effort must be a number"
    assert v.number_error(None, v.EFFORT_HOURS, "the effort") is None
