"""Email delivery of alerts: claiming a message, rendering it, sending it once."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import (
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from tracker.domain.digest import DigestItem, digest_body, digest_subject
from tracker.domain.validation import single_line
from tracker.domain.wording import subject_line
from tracker.models import Alert, EmailMessage
from tracker.queries.subjects import subject_names, task_departments

log = logging.getLogger(__name__)

# Attempts in all (the first plus RQ's retries) and the waits between them, in seconds.
BACKOFF_SECONDS = (30, 120, 600, 1800)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
# How long a worker holds a message it is sending before another may take it over;
# also how long a queued, unclaimed message waits before it is queued again.
CLAIM_SECONDS = 120
SUBJECT_PATHS = {
    "task": "/tasks/{}",
    "team": "/teams/{}",
    "department": "/dashboard/departments/{}",
}
KIND_LABELS = {
    "due_soon": "Due soon",
    "overdue": "Overdue",
    "escalation": "Escalation",
    "team_overload": "Team overload",
    "department_overload": "Department overload",
}


@dataclass(frozen=True)
class MailSettings:
    """The MAIL_* settings of SPEC §8, and where .eml files go without a server."""

    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    sender: str
    base_url: str
    outbox: Path

    @classmethod
    def from_config(cls, config: Any) -> MailSettings:
        return cls(
            server=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            use_tls=bool(config["MAIL_USE_TLS"]),
            sender=config["MAIL_DEFAULT_SENDER"],
            base_url=config["BASE_URL"],
            outbox=Path(config["INSTANCE_PATH"]) / "outbox",
        )


class EmailNotSent(Exception):
    """The SMTP server did not take the message; RQ retries the job."""


def send_timeout(claim_seconds: int) -> int:
    """RQ's timeout for a send job: well inside the claim, so that no sender is still
    at work when its claim lapses and another may take the message."""
    return max(1, int(claim_seconds) * 3 // 4)


def is_due(now: datetime):
    """Neither held by a worker sending it nor waiting out a backoff."""
    return or_(EmailMessage.next_attempt_at.is_(None), EmailMessage.next_attempt_at <= now)


@dataclass(frozen=True)
class Outcome:
    state: str  # "sent", "skipped", "failed", "cancelled" or "retry"
    detail: str = ""


def claim(session: Session, message_id: int, now: datetime, claim_seconds: int) -> bool:
    """Take the message for this worker: a conditional UPDATE only one worker can win."""
    result = session.execute(
        update(EmailMessage)
        .where(
            EmailMessage.id == message_id,
            EmailMessage.state == "pending",
            is_due(now),
        )
        .values(
            attempts=EmailMessage.attempts + 1,
            next_attempt_at=now + timedelta(seconds=claim_seconds),
        )
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    session.commit()
    return result.rowcount == 1


def send_email(
    session: Session,
    message_id: int,
    now: datetime,
    mail: MailSettings,
    claim_seconds: int = CLAIM_SECONDS,
    backoff: Sequence[int] = BACKOFF_SECONDS,
) -> Outcome:
    """Send one pending email, at most once; raise EmailNotSent for RQ to retry."""
    if not claim(session, message_id, now, claim_seconds):
        return Outcome("skipped", "already sent, failed, or being sent by another worker")
    message = session.get(EmailMessage, message_id, populate_existing=True)
    carried = list(
        session.scalars(
            select(Alert).where(Alert.email_message_id == message_id).order_by(Alert.id)
        )
    )
    # A resolved alert is dropped from an email not yet sent (SPEC §5).
    alerts = [a for a in carried if a.resolved_at is None]
    if not alerts:
        message.next_attempt_at = None
        if carried:
            message.state, message.last_error = "cancelled", None
            session.commit()
            return Outcome("cancelled", "every alert it carried was resolved")
        message.state, message.last_error = "failed", "No alerts to send"
        session.commit()
        return Outcome("failed", message.last_error)
    try:
        # Stored with the outcome, in the same commit: one write after the claim.
        names = subject_names(session, [(a.subject_type, a.subject_id) for a in alerts])
        escalated = [a.subject_id for a in alerts if a.kind == "escalation"]
        departments = task_departments(session, escalated) if message.kind == "digest" else {}
        message.subject, message.body = render(message, alerts, mail.base_url, names, departments)
        mime = mime_message(message, mail.sender, now)
    except (ValueError, TypeError, LookupError) as exc:
        # Retrying cannot help a message that cannot be built: fail it, visibly.
        message.state, message.next_attempt_at = "failed", None
        message.last_error = f"Could not build the email: {type(exc).__name__}: {exc}"[:2000]
        session.commit()
        return Outcome("failed", message.last_error)
    try:
        deliver(mail, mime)
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        message.last_error = error
        if message.attempts >= len(backoff) + 1:
            message.state, message.next_attempt_at = "failed", None
        else:
            wait = backoff[min(message.attempts, len(backoff)) - 1]
            message.next_attempt_at = now + timedelta(seconds=wait)
            # RQ's retry is this email's next queueing; should it be lost, the sweep
            # queues the email once the claim bound has passed after it.
            message.queued_at = message.next_attempt_at
        session.commit()
        raise EmailNotSent(f"email {message_id} attempt {message.attempts}: {error}") from exc
    message.state, message.sent_at = "sent", now
    message.next_attempt_at, message.last_error = None, None
    session.commit()
    return Outcome("sent")


def subject_path(alert: Alert) -> str:
    """The page of the alert's task, team or department, relative to the site."""
    return SUBJECT_PATHS[alert.subject_type].format(alert.subject_id)


def alert_path(alert: Alert) -> str:
    """Where to act on the alert (its `url`), else the page of its subject."""
    return alert.url or subject_path(alert)


def _link(base_url: str, alert: Alert) -> str:
    return base_url + alert_path(alert)


def render(
    message: EmailMessage,
    alerts: list[Alert],
    base_url: str,
    names: dict[tuple[str, int], str] | None = None,
    departments: dict[int, str] | None = None,
) -> tuple[str, str]:
    """Subject and plain-text body; each alert's message names task, initiative, team, date.

    An immediate email's subject is short and specific: "Overdue: <the task's title>"."""
    if message.kind == "digest":
        day = message.digest_date or alerts[0].created_at.date()
        items = [
            DigestItem(
                alert.kind,
                alert.message,
                alert.action,
                _link(base_url, alert),
                (departments or {}).get(alert.subject_id, "")
                if alert.subject_type == "task"
                else "",
            )
            for alert in alerts
        ]
        subject = digest_subject(items, day)
        lines = [digest_body(items, day)]
    else:
        alert = alerts[0]
        name = (names or {}).get((alert.subject_type, alert.subject_id))
        subject = subject_line(KIND_LABELS.get(alert.kind, alert.kind), name or alert.message)
        subject = single_line(subject)  # a name saved before the one-line rule
        lines = [alert.message, ""]
        if alert.action:
            lines.append(f"What to do: {alert.action}")
        lines.append(f"Do it here: {_link(base_url, alert)}")
    lines += [
        "",
        f"All your alerts: {base_url}/alerts",
        f"Choose a daily digest, an email per alert, or none: {base_url}/preferences",
    ]
    return subject, "\n".join(lines) + "\n"


def mime_message(message: EmailMessage, sender: str, now: datetime) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "localhost"
    mime["Message-ID"] = make_msgid(idstring=f"alert-email-{message.id}", domain=domain)
    mime["X-Tracker-Email-Id"] = str(message.id)
    mime.set_content(message.body)
    return mime


def deliver(mail: MailSettings, mime: MimeMessage) -> None:
    """Hand the message to the SMTP server (returns once it accepted it) or the outbox."""
    if not mail.server:
        mail.outbox.mkdir(parents=True, exist_ok=True)
        target = mail.outbox / f"email-{mime['X-Tracker-Email-Id']}.eml"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(mime.as_bytes())
        os.replace(temporary, target)
        return
    with smtplib.SMTP(mail.server, mail.port, timeout=30) as smtp:
        if mail.use_tls:
            smtp.starttls(context=ssl.create_default_context())
        if mail.username:
            smtp.login(mail.username, mail.password)
        smtp.send_message(mime)
