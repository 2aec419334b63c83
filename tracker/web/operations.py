"""The admins' operations page (queues, failed jobs, sweeps, emails) and rq-dashboard."""

from __future__ import annotations

import redis
import rq_dashboard
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user

from tracker.extensions import QUEUE_NAMES, csrf, db, redis_url_for
from tracker.services import alerts as alert_service
from tracker.web.helpers import roles_required

bp = Blueprint("operations", __name__)
RQ_DASHBOARD_PREFIX = "/admin/rq"


@bp.route("/admin/operations")
@roles_required("admin")
def index():
    try:
        queues = alert_service.queue_overview(QUEUE_NAMES)
        redis_error = None
    except (redis.RedisError, OSError, RuntimeError) as exc:
        queues, redis_error = [], str(exc)
    return render_template(
        "operations/index.html",
        queues=queues,
        redis_error=redis_error,
        sweeps=alert_service.recent_sweeps(db.session),
        email_counts=alert_service.email_counts(db.session),
        problem_emails=alert_service.problem_emails(db.session),
    )


def _admins_only():
    """rq-dashboard has no authentication of its own: admins only, else 404/redirect."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role != "admin":
        abort(403, description="Only administrators may see the job queues.")
    if not hasattr(current_app, "redis_conn"):
        current_app.config["RQ_DASHBOARD_REDIS_URL"] = redis_url_for(current_app)
        rq_dashboard.web.setup_rq_connection(current_app)
    return None


# rq-dashboard's routes that change jobs or queues. It exempts itself from CSRF and
# answers `requeue` on GET too, so a link on another site, followed by a signed-in
# admin, would requeue jobs: they must be a POST from one of our own pages.
STATE_CHANGING = frozenset(
    f"rq_dashboard.{name}"
    for name in (
        "delete_job_view",
        "requeue_job_view",
        "requeue_all",
        "empty_queue",
        "compact_queue",
    )
)


def same_origin() -> bool:
    """Whether the browser says this request came from a page of this site."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    ours = request.host_url.rstrip("/")
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == ours
    referer = request.headers.get("Referer", "")
    return referer == ours or referer.startswith(ours + "/")


def _state_changes_from_our_pages_only():
    if request.endpoint not in STATE_CHANGING:
        return None
    if request.method != "POST":
        abort(405, description="Changing jobs needs a POST from the job queues page.")
    if not same_origin():
        abort(403, description="Jobs can be changed only from this site's own pages.")
    return None


def _dashboard_csp(response):
    # rq-dashboard's pages use inline scripts and underscore templates (eval).
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
    )
    return response


BACK_TO_APP = (
    '<p style="margin:8px 16px;font-family:arial,sans-serif">'
    '<a href="{href}">&larr; Back to Initiative Tracker (operations)</a></p>'
)


def _back_to_app(response):
    """rq-dashboard's pages have no way back to the app: add a link at their top."""
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    html = response.get_data(as_text=True)
    start = html.find("<body")
    end = html.find(">", start) + 1 if start >= 0 else 0
    if end > 0:
        link = BACK_TO_APP.format(href=url_for("operations.index"))
        response.set_data(html[:end] + link + html[end:])
    return response


# Ahead of rq-dashboard's own before_request, which needs the connection set up here.
_guards = rq_dashboard.blueprint.before_request_funcs.setdefault(None, [])
_guards[0:0] = [_admins_only, _state_changes_from_our_pages_only]
rq_dashboard.blueprint.after_request(_dashboard_csp)
rq_dashboard.blueprint.after_request(_back_to_app)


@bp.record_once
def _mount_rq_dashboard(state) -> None:
    state.app.register_blueprint(rq_dashboard.blueprint, url_prefix=RQ_DASHBOARD_PREFIX)
    csrf.exempt(rq_dashboard.blueprint)
