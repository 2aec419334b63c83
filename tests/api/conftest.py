"""API fixtures: every response the tests receive is checked against the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from werkzeug.exceptions import HTTPException

from tests.api_client import ApiClient
from tracker.api.openapi import PREFIX


def _template(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule[len(PREFIX) :])


def check_documented(app, document: dict, method: str, path: str, response) -> None:
    """Fail unless the route, method and status are documented and the body fits."""
    adapter = app.url_map.bind("localhost")
    try:
        rule, _ = adapter.match(path.split("?")[0], method=method.upper(), return_rule=True)
    except HTTPException:
        return  # no such route: nothing to check against
    operation = document["paths"][_template(rule.rule)][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], (
        f"{method} {rule.rule} answered {status}, which the document does not list"
    )
    content = operation["responses"][status].get("content")
    if content is None:
        return
    schema = {**content["application/json"]["schema"], "components": document["components"]}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert not errors, f"{method} {path} → {status} breaks its schema: {errors[0].message}"


class CheckedApiClient(ApiClient):
    """An ApiClient whose every answer must match the OpenAPI document."""

    document: dict | None = None

    def as_(self, user) -> CheckedApiClient:
        other = super().as_(user)
        other.__class__ = CheckedApiClient
        return other

    def _document(self) -> dict:
        if CheckedApiClient.document is None:
            CheckedApiClient.document = self.client.get(f"{PREFIX}/openapi.json").get_json()
        return CheckedApiClient.document

    def _checked(self, method: str, path: str, response):
        check_documented(self.client.application, self._document(), method, path, response)
        return response

    def get(self, path, **kwargs):
        return self._checked("get", path, super().get(path, **kwargs))

    def post(self, path, json=None, **kwargs):
        return self._checked("post", path, super().post(path, json=json, **kwargs))

    def patch(self, path, json=None, **kwargs):
        return self._checked("patch", path, super().patch(path, json=json, **kwargs))

    def delete(self, path, **kwargs):
        return self._checked("delete", path, super().delete(path, **kwargs))


@pytest.fixture
def api(client, make):
    """As the shared `api` fixture, and every response is checked against the document."""
    CheckedApiClient.document = None
    return CheckedApiClient(client, make)


@pytest.fixture
def document(client) -> dict:
    return client.get(f"{PREFIX}/openapi.json").get_json()
