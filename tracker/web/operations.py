"""The admins' operations page (queues, failed jobs, sweeps, emails) and rq-dashboard."""

from __future__ import annotations

import redis
import rq_dashboard
from flask import Blueprint, abort, current_app, render_template
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


def _dashboard_csp(response):
    # rq-dashboard's pages use inline scripts and underscore templates (eval).
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
    )
    return response


# Ahead of rq-dashboard's own before_request, which needs the connection set up here.
rq_dashboard.blueprint.before_request_funcs.setdefault(None, []).insert(0, _admins_only)
rq_dashboard.blueprint.after_request(_dashboard_csp)


@bp.record_once
def _mount_rq_dashboard(state) -> None:
    state.app.register_blueprint(rq_dashboard.blueprint, url_prefix=RQ_DASHBOARD_PREFIX)
    csrf.exempt(rq_dashboard.blueprint)
