"""The OpenAPI document: valid 3.1, public, and exactly the routes the API serves."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tracker.api.openapi import PREFIX

METHODS = {"get", "post", "patch", "put", "delete"}


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(PREFIX) :])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_document_is_public_and_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_is_documented_and_every_documented_route_exists(app, document):
    documented = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
        if method in METHODS
    }
    routes = _routes(app)
    assert routes - documented == set(), "routes missing from the document"
    assert documented - routes == set(), "documented operations with no route"


def test_every_operation_documents_its_errors_with_the_error_object(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            public = operation.get("security") == []
            if not public:
                assert "401" in operation["responses"], f"{method} {path} lacks 401"
            if "requestBody" in operation:
                for status in ("400", "413", "422"):
                    assert status in operation["responses"], f"{method} {path} lacks {status}"
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}


def test_every_reference_resolves(document):
    text = str(document)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in document["components"]["schemas"], name


def test_password_is_write_only_and_never_in_the_user_shape(document):
    schemas = document["components"]["schemas"]
    assert "password" not in schemas["User"]["properties"]
    assert schemas["UserInput"]["properties"]["password"]["writeOnly"] is True


def test_route_modules_without_openapi_entries_still_build(app, monkeypatch):
    from tracker.api import org
    from tracker.api.openapi import build_document

    monkeypatch.delattr(org, "OPENAPI_PATHS")
    with app.test_request_context():
        document = build_document()
    assert "/departments" not in document["paths"]
    assert "/tasks" in document["paths"]


def test_every_documented_read_answers_its_documented_shape(api, make, document):
    """Each GET of the document, called for real, answers 200 with a body that fits
    (the checked `api` client validates every answer against the document)."""
    admin = make.user("admin")
    manager = make.user("manager")
    team = make.team(department=manager.department)
    initiative = make.initiative(owner=manager)
    blocker = make.task(team=team, initiative=initiative)
    task = make.task(team=team, initiative=initiative, depends_on=[blocker], status="blocked")
    ids = {
        "department_id": manager.department_id,
        "team_id": team.id,
        "initiative_id": initiative.id,
        "task_id": task.id,
        "user_id": manager.id,
    }
    called = 0
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        if any(name not in ids for name in names):
            continue
        url = PREFIX + path.format(**ids)
        for caller in (api.as_(admin), api.as_(manager)):
            response = caller.get(url)
            if response.status_code == 403:
                continue  # a role that may not read it; documented and checked all the same
            assert response.status_code == 200, url
            called += 1
    assert called >= 15
