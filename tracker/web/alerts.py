"""Pages of the alerts area (to be built)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("alerts", __name__)


@bp.route("/alerts")
@login_required
def inbox():
    return "to be built"


@bp.route("/preferences")
@login_required
def preferences():
    return "to be built"
