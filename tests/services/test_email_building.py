"""An email that cannot be built fails at once, with its error, instead of staying pending."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.services.test_email import RULE, overdue_task
from tracker.models import EmailMessage
from tracker.services import alerts as alert_service
from tracker.services.email import MailSettings, send_email
from tracker.services.sweep import run_sweep

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_line_break_saved_before_the_rule_still_sends(app, session, make):
    _owner, _lead, task = overdue_task(make)
    task.title = "Map housing\r\nBcc: everyone@example.org"  # stored before the one-line rule
    session.commit()
    run_sweep(session, NOW, RULE)
    mail = replace(MailSettings.from_config(app.config), server="", base_url="https://t.example")
    for message in session.scalars(select(EmailMessage)).all():
        assert send_email(session, message.id, NOW, mail).state == "sent"
        assert "\n" not in message.subject and "\r" not in message.subject


def test_an_email_that_cannot_be_built_is_failed_with_its_error(app, session, make):
    overdue_task(make)
    run_sweep(session, NOW, RULE)
    message = session.scalars(select(EmailMessage)).first()
    message.to_address = "lead@example.org\nBcc: everyone@example.org"
    session.commit()
    mail = replace(MailSettings.from_config(app.config), server="", base_url="https://t.example")
    outcome = send_email(session, message.id, NOW + timedelta(seconds=1), mail)
    assert outcome.state == "failed"
    session.refresh(message)
    assert message.state == "failed" and message.next_attempt_at is None
    assert message.last_error.startswith("Could not build the email: ValueError")
    shown = alert_service.problem_emails(session)  # what the operations page lists
    assert [m.id for m in shown] == [message.id]
