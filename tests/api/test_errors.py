"""Malformed, oversized and misdirected requests get the error object, and change nothing."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tracker.models import Department


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_malformed_json_is_400(api, make):
    caller = api.as_(make.user("admin"))
    response = caller.post(
        "/api/v1/departments", data="{name: nope", content_type="application/json"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed"


def test_a_body_that_is_not_an_object_is_400(api, make):
    caller = api.as_(make.user("admin"))
    for body in (["name"], "name", 5, None):
        response = caller.post(
            "/api/v1/departments", data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 400, body
        _error(response)


def test_wrong_content_type_is_400(api, make):
    caller = api.as_(make.user("admin"))
    response = caller.post("/api/v1/departments", data={"name": "Form posted"})
    assert response.status_code == 400
    assert "application/json" in _error(response)["message"]
    plain = caller.post("/api/v1/departments", data='{"name": "x"}', content_type="text/plain")
    assert plain.status_code == 400


def test_body_over_max_content_length_is_413(api, make, app, session):
    caller = api.as_(make.user("admin"))
    limit = app.config["MAX_CONTENT_LENGTH"]
    huge = json.dumps({"name": "x" * (limit + 10)})
    response = caller.post("/api/v1/departments", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"
    manager = make.user("manager")
    initiative = make.initiative(owner=manager)
    patch = api.as_(manager).patch(
        f"/api/v1/initiatives/{initiative.id}",
        data=json.dumps({"summary": "s" * (limit + 1)}),
        content_type="application/json",
    )
    assert patch.status_code == 413
    assert session.scalar(select(func.count()).select_from(Department)) == 1


def test_unknown_fields_are_named(api, make):
    caller = api.as_(make.user("admin"))
    response = caller.post("/api/v1/departments", json={"name": "A", "id": 4, "colour": "red"})
    assert response.status_code == 422
    assert _error(response)["fields"] == {"id": "Unknown field", "colour": "Unknown field"}


def test_unknown_api_path_and_method_answer_json(api, make):
    caller = api.as_(make.user("admin"))
    missing = caller.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    _error(missing)
    wrong_method = caller.delete("/api/v1/departments")
    assert wrong_method.status_code == 405
    _error(wrong_method)


def test_deeply_nested_json_is_400(api, make):
    caller = api.as_(make.user("admin"))
    deep = "[" * 50_000 + "]" * 50_000
    response = caller.post("/api/v1/departments", data=deep, content_type="application/json")
    assert response.status_code == 400
    _error(response)


def test_undecodable_body_is_400(api, make):
    caller = api.as_(make.user("admin"))
    response = caller.post(
        "/api/v1/departments", data=b'\xff\xfe{"name": 1}', content_type="application/json"
    )
    assert response.status_code == 400


def test_nul_characters_are_refused_not_stored(api, make, session):
    caller = api.as_(make.user("admin"))
    response = caller.post("/api/v1/departments", json={"name": "Adults\x00"})
    assert response.status_code == 422
    assert "name" in _error(response)["fields"]
    token = caller.post("/api/v1/tokens", json={"username": "a\x00b", "password": "x"})
    assert token.status_code == 422
    assert session.scalar(select(func.count()).select_from(Department)) == 0


def test_ids_too_large_to_exist(api, make):
    manager = make.user("manager")
    caller = api.as_(manager)
    assert caller.get(f"/api/v1/tasks/{2**40}").status_code == 404
    assert caller.get(f"/api/v1/tasks?team_id={2**40}").status_code == 422
    response = caller.post(
        "/api/v1/initiatives",
        json={
            "title": "T",
            "kind": "other",
            "start_date": "2026-01-01",
            "deadline": "2026-02-01",
            "department_ids": [2**40],
            "owner_id": 2**40,
        },
    )
    assert response.status_code == 422
    assert {"department_ids", "owner_id"} <= set(_error(response)["fields"])
