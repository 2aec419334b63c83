"""Pages of the exports area (to be built)."""

from flask import Blueprint

bp = Blueprint("exports", __name__)
