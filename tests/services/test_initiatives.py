"""services.initiatives: recording, editing and rating initiatives, with their rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tracker.models import ConfidenceRating, Initiative
from tracker.services.actors import actor_for
from tracker.services.errors import Forbidden, Invalid, NotFound
from tracker.services.initiatives import (
    InitiativeData,
    create_initiative,
    set_confidence,
    update_initiative,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(make, session):
    dept = make.department()
    other = make.department()
    manager = make.user("manager", department=dept)
    colleague = make.user("manager", department=dept)
    outsider = make.user("manager", department=other)
    return {
        "dept": dept,
        "other": other,
        "manager": manager,
        "actor": actor_for(session, manager),
        "colleague": actor_for(session, colleague),
        "outsider": actor_for(session, outsider),
    }


def data(people, **fields) -> InitiativeData:
    return InitiativeData(
        **{
            "title": "  Supporting People  ",
            "source": "ODPM",
            "kind": "funding",
            "rationale": "People stay at home longer.",
            "budget_pence": 100_000,
            "start_date": date(2026, 4, 1),
            "deadline": date(2027, 3, 31),
            "status": "planning",
            "owner_id": people["manager"].id,
            "department_ids": [people["dept"].id],
        }
        | fields
    )


def test_manager_records_an_initiative(session, people):
    initiative = create_initiative(session, people["actor"], data(people), NOW)
    assert initiative.title == "Supporting People"
    assert initiative.department_ids == [people["dept"].id]
    assert initiative.created_at == NOW


def test_owner_defaults_to_the_creating_manager(session, people):
    initiative = create_initiative(session, people["actor"], data(people, owner_id=None), NOW)
    assert initiative.owner_id == people["manager"].id


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": " "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"source": "x" * 201}, "source"),
        ({"summary": "x" * 10_001}, "summary"),
        ({"rationale": "x" * 10_001}, "rationale"),
        ({"kind": "whim"}, "kind"),
        ({"status": "done"}, "status"),
        ({"budget_pence": -1}, "budget_pence"),
        ({"deadline": date(2026, 3, 31)}, "deadline"),
        ({"start_date": None}, "start_date"),
        ({"department_ids": []}, "department_ids"),
        ({"department_ids": [99999]}, "department_ids"),
    ],
)
def test_bad_initiatives_are_refused(session, people, fields, field):
    with pytest.raises(Invalid) as error:
        create_initiative(session, people["actor"], data(people, **fields), NOW)
    assert field in error.value.fields
    assert session.scalar(select(Initiative.id)) is None


def test_owner_must_be_an_active_manager(session, make, people):
    lead = make.user("team_lead")
    with pytest.raises(Invalid) as error:
        create_initiative(session, people["actor"], data(people, owner_id=lead.id), NOW)
    assert "owner_id" in error.value.fields


@pytest.mark.parametrize("role", ["admin", "director", "team_lead"])
def test_only_managers_record_initiatives(session, make, people, role):
    actor = actor_for(session, make.user(role))
    with pytest.raises(Forbidden):
        create_initiative(session, actor, data(people), NOW)


def test_managers_of_affected_departments_edit(session, people):
    initiative = create_initiative(session, people["actor"], data(people), NOW)
    update_initiative(session, people["colleague"], initiative.id, {"status": "rollout"}, NOW)
    assert initiative.status == "rollout"
    with pytest.raises(Forbidden):
        update_initiative(session, people["outsider"], initiative.id, {"status": "closed"}, NOW)
    with pytest.raises(NotFound):
        update_initiative(session, people["actor"], 9999, {"status": "closed"}, NOW)
    with pytest.raises(Invalid) as error:
        update_initiative(session, people["actor"], initiative.id, {"id": 3}, NOW)
    assert "id" in error.value.fields


def test_a_department_with_tasks_cannot_be_removed(session, make, people):
    initiative = create_initiative(
        session,
        people["actor"],
        data(people, department_ids=[people["dept"].id, people["other"].id]),
        NOW,
    )
    team = make.team(department=people["other"])
    make.task(team=team, initiative=initiative)
    with pytest.raises(Invalid) as error:
        update_initiative(
            session, people["actor"], initiative.id, {"department_ids": [people["dept"].id]}, NOW
        )
    assert "move its tasks first" in error.value.fields["department_ids"]
    session.rollback()
    assert sorted(session.get(Initiative, initiative.id).department_ids) == sorted(
        [people["dept"].id, people["other"].id]
    )


def test_confidence_is_set_by_the_owner_and_kept_as_history(session, people):
    initiative = create_initiative(session, people["actor"], data(people), NOW)
    set_confidence(session, people["actor"], initiative.id, "amber", "Recruitment slow", NOW)
    set_confidence(session, people["actor"], initiative.id, "green", "Posts filled", NOW)
    assert initiative.confidence == "green"
    ratings = session.scalars(select(ConfidenceRating.rating).order_by(ConfidenceRating.id)).all()
    assert ratings == ["amber", "green"]
    with pytest.raises(Forbidden):
        set_confidence(session, people["colleague"], initiative.id, "red", "Worried", NOW)
    with pytest.raises(Invalid) as error:
        set_confidence(session, people["actor"], initiative.id, "purple", "", NOW)
    assert set(error.value.fields) == {"rating", "comment"}
