"""Email jobs: send one message (retried with backoff by RQ) and build the daily digests."""

from __future__ import annotations

from tracker import clock
from tracker.extensions import db
from tracker.jobs import job_context, utc_now
from tracker.services import email, outbox
from tracker.services.sweep import working_time_from_config


def send_email(message_id: int) -> str:
    with job_context() as app:
        mail = email.MailSettings.from_config(app.config)
        claim_seconds = int(app.config.get("EMAIL_CLAIM_SECONDS", email.CLAIM_SECONDS))
        outcome = email.send_email(db.session, int(message_id), utc_now(), mail, claim_seconds)
        return outcome.state


def send_digests() -> str:
    with job_context() as app:
        now = utc_now()
        working_time = working_time_from_config(app.config)
        created = outbox.build_digests(db.session, now, clock.today(), working_time)
        queued = outbox.queue_pending_emails(db.session, now)
        return f"{created} digest(s) created, {queued} email job(s) queued"
