"""Pages of the admin area (to be built)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("admin", __name__)


@bp.route("/admin/users")
@login_required
def users():
    return "to be built"
