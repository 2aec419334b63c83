"""GET /api/v1/alerts and POST /api/v1/alerts/{id}/read: the caller's own, nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.extensions import db
from tracker.models import Alert


def give_alert(user, n, kind="overdue", read=False):
    alert = Alert(
        kind=kind,
        recipient_id=user.id,
        subject_type="task",
        subject_id=n,
        message=f"Alert {n}",
        dedup_key=f"{kind}:task:{n}:2026-11-01",
        created_at=datetime(2026, 11, 30, 9, n, tzinfo=UTC),
        read_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC) if read else None,
    )
    db.session.add(alert)
    db.session.commit()
    return alert


def test_list_is_newest_first_and_only_the_callers(api, make):
    lead = make.user("team_lead")
    other = make.user("team_lead")
    give_alert(lead, 1)
    give_alert(lead, 2, read=True)
    give_alert(other, 3)
    body = api.as_(lead).get("/api/v1/alerts").get_json()
    assert [a["message"] for a in body["items"]] == ["Alert 2", "Alert 1"]
    assert body["total"] == 2
    first = body["items"][1]
    assert set(first) == {
        "id",
        "kind",
        "subject_type",
        "subject_id",
        "message",
        "action",
        "url",
        "created_at",
        "read_at",
        "resolved_at",
        "resolved_reason",
    }
    assert first["read_at"] is None and first["subject_type"] == "task"


def test_unread_filter(api, make):
    lead = make.user("team_lead")
    give_alert(lead, 1)
    give_alert(lead, 2, read=True)
    items = api.as_(lead).get("/api/v1/alerts?unread=true").get_json()["items"]
    assert [a["message"] for a in items] == ["Alert 1"]
    assert len(api.as_(lead).get("/api/v1/alerts?unread=false").get_json()["items"]) == 2


def test_bad_unread_value_is_400(api, make):
    response = api.as_(make.user("team_lead")).get("/api/v1/alerts?unread=maybe")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"unread": "Must be true or false"}


def test_mark_read(api, make):
    lead = make.user("team_lead")
    alert = give_alert(lead, 1)
    response = api.as_(lead).post(f"/api/v1/alerts/{alert.id}/read")
    assert response.status_code == 200
    read_at = response.get_json()["read_at"]
    assert read_at is not None
    again = api.as_(lead).post(f"/api/v1/alerts/{alert.id}/read").get_json()
    assert again["read_at"] == read_at  # the first reading is kept


def test_nobody_reads_or_marks_another_persons_alert(api, make, session):
    lead = make.user("team_lead")
    director = make.user("director")
    alert = give_alert(lead, 1)
    response = api.as_(director).post(f"/api/v1/alerts/{alert.id}/read")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"]
    assert session.get(Alert, alert.id).read_at is None
    assert api.as_(director).get("/api/v1/alerts").get_json()["items"] == []


def test_needs_a_token(client):
    assert client.get("/api/v1/alerts").status_code == 401
    assert client.post("/api/v1/alerts/1/read").status_code == 401


def test_per_page_over_the_limit_is_refused(api, make):
    response = api.as_(make.user("manager")).get("/api/v1/alerts?per_page=201")
    assert response.status_code == 422


def test_items_say_what_to_do_and_whether_resolved(api, make):
    lead = make.user("team_lead")
    open_one = give_alert(lead, 1)
    open_one.action, open_one.url = "Mark it done.", "/tasks/1#update"
    done = give_alert(lead, 2)
    done.resolved_at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    done.resolved_reason = "done on 1 Dec 2026"
    db.session.commit()
    items = {a["id"]: a for a in api.as_(lead).get("/api/v1/alerts").get_json()["items"]}
    assert items[open_one.id]["action"] == "Mark it done."
    assert items[open_one.id]["url"].endswith("/tasks/1#update")
    assert items[open_one.id]["resolved_at"] is None
    assert items[done.id]["resolved_reason"] == "done on 1 Dec 2026"
    unread = api.as_(lead).get("/api/v1/alerts?unread=true").get_json()["items"]
    assert [a["id"] for a in unread] == [open_one.id]
