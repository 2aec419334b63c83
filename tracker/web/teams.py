"""Pages of the teams area (to be built)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("teams", __name__)


@bp.route("/my-tasks")
@login_required
def my_tasks():
    return "to be built"
