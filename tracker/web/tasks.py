"""Pages of the tasks area (to be built)."""

from flask import Blueprint

bp = Blueprint("tasks", __name__)
