"""The OpenAPI document at /api/v1/openapi.json (to be completed)."""

from flask import jsonify

from tracker.api import bp


@bp.get("/openapi.json")
def openapi():
    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {"title": "Initiative Tracker API", "version": "1"},
            "paths": {},
        }
    )
