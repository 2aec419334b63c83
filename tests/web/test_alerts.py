"""The alerts inbox, marking read, the unread count, preferences and the operations page."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Alert, EmailMessage, SweepRun


def give_alert(user, message="Task 'Train staff' is due on 2026-12-03.", kind="due_soon", n=1):
    alert = Alert(
        kind=kind,
        recipient_id=user.id,
        subject_type="task",
        subject_id=n,
        message=message,
        dedup_key=f"{kind}:task:{n}:2026-12-03",
        created_at=datetime(2026, 11, 30, 9, n, tzinfo=UTC),
    )
    db.session.add(alert)
    db.session.commit()
    return alert


def test_inbox_lists_own_alerts_newest_first_with_unread_count(client, login_as, make):
    lead = login_as("team_lead")
    other = make.user("team_lead")
    give_alert(lead, "Older alert", n=1)
    give_alert(lead, "Newer alert", n=2)
    give_alert(other, "Someone else's alert", n=3)
    page = client.get("/alerts").get_data(as_text=True)
    assert page.index("Newer alert") < page.index("Older alert")
    assert "Someone else" not in page
    assert '<span class="app-count" id="unread-count">2</span>' in page
    assert "2 unread" in page
    assert 'href="/tasks/2"' in page


def test_mark_one_read_then_all(client, login_as, session):
    lead = login_as("team_lead")
    first = give_alert(lead, n=1)
    second = give_alert(lead, n=2)
    response = client.post(f"/alerts/{first.id}/read")
    assert response.status_code == 302
    assert session.get(Alert, first.id).read_at is not None
    assert session.get(Alert, second.id).read_at is None
    assert 'id="unread-count">1<' in client.get("/alerts").get_data(as_text=True)
    client.post("/alerts/read-all")
    assert session.get(Alert, second.id).read_at is not None
    assert "You have no unread alerts" in client.get("/alerts?unread=1").get_data(as_text=True)


def test_nobody_marks_another_persons_alert(client, login_as, make, session):
    login_as("director")
    victim = make.user("team_lead")
    alert = give_alert(victim)
    response = client.post(f"/alerts/{alert.id}/read")
    assert response.status_code == 404
    assert session.get(Alert, alert.id).read_at is None
    assert client.post("/alerts/999999/read").status_code == 404


def test_inbox_needs_sign_in(client):
    assert "/sign-in" in client.get("/alerts").headers["Location"]
    assert "/sign-in" in client.post("/alerts/1/read").headers["Location"]


def test_mark_read_refuses_a_missing_csrf_token(app, client, login_as, session):
    lead = login_as("team_lead")
    alert = give_alert(lead)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/alerts/{alert.id}/read")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert session.get(Alert, alert.id).read_at is None


def test_preferences_digest_by_default_then_immediate_or_off(client, login_as, session):
    user = login_as("manager")
    page = client.get("/preferences").get_data(as_text=True)
    assert 'value="digest" checked' in page and "08:00 on working days" in page
    assert session.get(type(user), user.id).email_mode_chosen_at is None
    response = client.post("/preferences", data={"email_mode": "immediate"})
    assert response.status_code == 302
    chosen = session.get(type(user), user.id, populate_existing=True)
    assert chosen.email_mode == "immediate" and chosen.email_mode_chosen_at is not None
    client.post("/preferences", data={"email_mode": "off"})
    assert session.get(type(user), user.id, populate_existing=True).email_mode == "off"


def test_preferences_refuse_an_unknown_or_missing_mode(client, login_as, session):
    user = login_as("manager")
    for data in ({"email_mode": "weekly"}, {}):
        response = client.post("/preferences", data=data)
        assert response.status_code == 422
        assert "govuk-error-summary" in response.get_data(as_text=True)
    assert session.get(type(user), user.id).email_mode == "digest"


def test_operations_page_is_for_admins_only(client, login_as):
    login_as("director")
    assert client.get("/admin/operations").status_code == 403
    assert client.get("/admin/rq/").status_code == 403


def test_operations_page_shows_queues_sweeps_and_failed_emails(client, login_as, make, session):
    login_as("admin")
    user = make.user("manager")
    session.add(
        SweepRun(
            started_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
            finished_at=datetime(2026, 11, 30, 9, 1, tzinfo=UTC),
            alerts_created=7,
            emails_queued=3,
            summary="due_soon=7 overdue=0",
        )
    )
    session.add(
        EmailMessage(
            recipient_id=user.id,
            to_address=user.email,
            state="failed",
            attempts=5,
            last_error="SMTPDataError: (554, b'Rejected by policy')",
        )
    )
    session.commit()
    page = client.get("/admin/operations").get_data(as_text=True)
    assert "7 due soon" in page and "due_soon=7" not in page
    assert "Rejected by policy" in page
    assert 'id="queue-email-queued">0<' in page and 'id="queue-default-failed">0<' in page
    assert "Failed: 1" in page


def test_rq_dashboard_is_mounted_for_admins(client, login_as):
    login_as("admin")
    response = client.get("/admin/rq/")
    assert response.status_code == 200
    assert "unsafe-eval" in response.headers["Content-Security-Policy"]


def test_operations_page_reports_redis_down(app, client, login_as):
    login_as("admin")
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.extensions.pop("tracker_redis", None)
    page = client.get("/admin/operations").get_data(as_text=True)
    assert "Redis cannot be reached" in page
    assert select(SweepRun) is not None


def test_inbox_shows_what_to_do_and_resolved_alerts_with_their_reason(client, login_as, session):
    from datetime import UTC, datetime

    from tracker.models import Alert

    user = login_as("team_lead")
    for n, resolved in ((1, None), (2, "done on 3 Dec 2026")):
        session.add(
            Alert(
                kind="overdue",
                recipient_id=user.id,
                subject_type="task",
                subject_id=n,
                message=f"Task {n} is overdue.",
                dedup_key=f"overdue:task:{n}:2026-11-01",
                action="Mark it done, or agree a new date with Helen Price.",
                url=f"/tasks/{n}#update",
                created_at=datetime(2026, 12, 1, 9, n, tzinfo=UTC),
                resolved_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC) if resolved else None,
                resolved_reason=resolved,
            )
        )
    session.commit()
    page = client.get("/alerts").get_data(as_text=True)
    assert "What to do:</strong> Mark it done, or agree a new date with Helen Price." in page
    assert 'href="/tasks/1#update"' in page
    assert "Resolved: done on 3 Dec 2026" in page
    assert "1 unread of 2 alerts" in page
    unread_only = client.get("/alerts?unread=1").get_data(as_text=True)
    assert "Task 1 is overdue" in unread_only and "Task 2 is overdue" not in unread_only
