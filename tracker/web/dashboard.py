"""Pages of the dashboard area (to be built)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def departments():
    return "to be built"
