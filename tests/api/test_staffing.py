"""A team's staffing through the API (SPEC §7, §9): every write path and its refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.domain.capacity import Adjustment, week_capacity, week_working_days
from tracker.models import CapacityAdjustment, TeamWeekStaffing
from tracker.services.calendar import BANK_HOLIDAYS

TODAY = date.today()


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_record_read_change_end_and_remove(api, make, session):
    lead = make.user("team_lead")
    team = make.team(lead=lead, capacity=40, establishment=5)
    caller = api.as_(lead)
    url = f"/api/v1/teams/{team.id}/capacity-adjustments"
    body = {"kind": "vacancy", "fte": 2, "starts_on": TODAY.isoformat(), "note": "Two posts"}
    created = caller.post(url, json=body)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item | {"id": 0} == {
        "id": 0,
        "team_id": team.id,
        "kind": "vacancy",
        "fte": 2.0,
        "starts_on": TODAY.isoformat(),
        "ends_on": None,
        "note": "Two posts",
    }
    reader = api.as_(make.user("director"))
    assert reader.get(url).get_json()["items"] == [item]
    one = f"/api/v1/capacity-adjustments/{item['id']}"
    assert reader.get(one).get_json() == item
    # The team's load sees it at once: 2 of 5 posts vacant take 16 of 40 hours a week.
    load = reader.get(f"/api/v1/teams/{team.id}/load?weeks=2").get_json()["items"]
    vacancy = [Adjustment("vacancy", 2, TODAY)]
    for week in load:
        monday = date.fromisoformat(week["week_start"])
        expected = week_capacity(40, 5, monday, vacancy, BANK_HOLIDAYS)
        assert week["capacity_hours"] == pytest.approx(expected)
    assert load[1]["capacity_hours"] == pytest.approx(
        24 * len(week_working_days(date.fromisoformat(load[1]["week_start"]), BANK_HOLIDAYS)) / 5
    )
    changed = caller.patch(one, json={"fte": 1.5, "note": "One filled part-time"})
    assert changed.status_code == 200 and changed.get_json()["fte"] == 1.5
    end = (TODAY + timedelta(days=20)).isoformat()
    ended = caller.patch(one, json={"ends_on": end})
    assert ended.get_json()["ends_on"] == end
    assert caller.delete(one).status_code == 204
    assert caller.get(one).status_code == 404
    assert count(session, CapacityAdjustment) == 0
    assert count(session, TeamWeekStaffing) == 0


def test_refusals_say_what_to_do_and_change_nothing(api, make, session):
    manager = make.user("manager")
    bare = make.team(department=manager.department, name="Duty")
    team = make.team(department=manager.department, establishment=8)
    caller = api.as_(manager)
    start = TODAY.isoformat()
    no_establishment = caller.post(
        f"/api/v1/teams/{bare.id}/capacity-adjustments",
        json={"kind": "vacancy", "fte": 1, "starts_on": start},
    )
    assert no_establishment.status_code == 422
    assert "establishment" in no_establishment.get_json()["error"]["fields"]["establishment_fte"]
    url = f"/api/v1/teams/{team.id}/capacity-adjustments"
    cases = [
        ({"kind": "vacancy", "fte": 0, "starts_on": start}, "fte", "more than 0"),
        ({"kind": "vacancy", "fte": -1, "starts_on": start}, "fte", "more than 0"),
        ({"kind": "sabbatical", "fte": 1, "starts_on": start}, "kind", "vacancy"),
        (
            {
                "kind": "absence",
                "fte": 1,
                "starts_on": start,
                "ends_on": (TODAY - timedelta(days=1)).isoformat(),
            },
            "ends_on",
            "after the start date",
        ),
        ({"kind": "absence", "fte": 1, "starts_on": "2101-01-01"}, "starts_on", "between"),
        ({"kind": "absence", "fte": "one", "starts_on": start}, "fte", "number"),
        ({"kind": "absence", "starts_on": start}, "fte", "required"),
        ({"kind": "absence", "fte": 1, "starts_on": start, "team_id": 3}, "team_id", "Unknown"),
        ({"kind": "absence", "fte": 1, "starts_on": start, "note": "x" * 10_001}, "note", ""),
    ]
    for body, field, words in cases:
        response = caller.post(url, json=body)
        assert response.status_code == 422, body
        assert words in response.get_json()["error"]["fields"][field], body
    missing = caller.post("/api/v1/teams/99999/capacity-adjustments", json=cases[0][0])
    assert missing.status_code == 404
    assert caller.patch("/api/v1/capacity-adjustments/99999", json={"fte": 1}).status_code == 404
    assert caller.delete("/api/v1/capacity-adjustments/99999").status_code == 404
    assert count(session, CapacityAdjustment) == 0


def test_a_change_that_breaks_a_rule_changes_nothing(api, make, session):
    manager = make.user("manager")
    team = make.team(department=manager.department, establishment=8)
    adjustment = make.adjustment(team, "absence", 1.0, TODAY, TODAY + timedelta(days=30))
    before = count(session, TeamWeekStaffing)
    response = api.as_(manager).patch(
        f"/api/v1/capacity-adjustments/{adjustment.id}",
        json={"ends_on": (TODAY - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 422
    session.expire_all()
    assert session.get(CapacityAdjustment, adjustment.id).ends_on == TODAY + timedelta(days=30)
    assert count(session, TeamWeekStaffing) == before


def test_establishment_is_set_by_admins_and_kept_while_staffing_needs_it(api, make, session):
    admin = api.as_(make.user("admin"))
    team = make.team()
    url = f"/api/v1/teams/{team.id}"
    assert admin.get(url).get_json()["establishment_fte"] is None
    saved = admin.patch(url, json={"establishment_fte": 12.5})
    assert saved.get_json()["establishment_fte"] == 12.5
    refused = admin.patch(url, json={"establishment_fte": 0})
    assert (
        refused.status_code == 422
        and "more than 0" in refused.get_json()["error"]["fields"]["establishment_fte"]
    )
    make.adjustment(team, "vacancy", 1.0, TODAY)
    kept = admin.patch(url, json={"establishment_fte": None})
    assert kept.status_code == 422
    assert "remove them" in kept.get_json()["error"]["fields"]["establishment_fte"]
    assert admin.patch(url, json={"establishment_fte": 10}).status_code == 200


def test_the_document_describes_staffing(api, make):
    document = api.as_(make.user("director")).get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths["/teams/{team_id}/capacity-adjustments"]) == {"get", "post"}
    assert set(paths["/capacity-adjustments/{adjustment_id}"]) == {"get", "patch", "delete"}
    assert "establishment_fte" in document["components"]["schemas"]["Team"]["properties"]
