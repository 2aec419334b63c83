"""Pages of the operations area (to be built)."""

from flask import Blueprint

bp = Blueprint("operations", __name__)
