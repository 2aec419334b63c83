"""Pages of the initiatives area (to be built)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("initiatives", __name__)


@bp.route("/initiatives")
@login_required
def index():
    return "to be built"
