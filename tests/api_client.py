"""A test helper that calls the JSON API with a real bearer token."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.extensions import db
from tracker.services.auth import issue_token


class ApiClient:
    def __init__(self, client, make):
        self.client = client
        self.make = make
        self.token: str | None = None

    def as_(self, user) -> ApiClient:
        other = ApiClient(self.client, self.make)
        other.token, _ = issue_token(db.session, user, datetime.now(UTC), 1)
        return other

    def _headers(self, extra=None) -> dict:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(
            path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )

    def patch(self, path: str, json=None, **kwargs):
        return self.client.patch(
            path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )

    def delete(self, path: str, **kwargs):
        return self.client.delete(
            path, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )
