"""Parsing and answering JSON: bodies, fields, paging, the caller."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tracker.api.errors import ApiError
from tracker.domain.access import Actor
from tracker.models import User

MAX_PER_PAGE = 200


def caller() -> User:
    return g.api_user


def actor() -> Actor:
    return g.api_actor


def require_role(*roles: str) -> None:
    if caller().role not in roles:
        raise ApiError(403, "Your role does not allow this")


def json_body(allowed: set[str], required: set[str] = frozenset()) -> dict[str, Any]:
    """The request's JSON object; 400 if malformed, 422 for unknown or missing fields."""
    if not request.is_json:
        raise ApiError(400, "Send a JSON object with Content-Type: application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object")
    fields: dict[str, str] = {}
    for name in sorted(set(body) - allowed):
        fields[name] = "Unknown field"
    for name in sorted(required - set(body)):
        fields[name] = "This field is required"
    if fields:
        raise ApiError(422, "Some fields are unknown or missing", fields)
    return body


class FieldReader:
    """Typed reads of a JSON object's fields, collecting every error before answering 422."""

    def __init__(self, body: dict[str, Any]):
        self.body = body
        self.errors: dict[str, str] = {}

    def _get(self, name: str, kinds: tuple[type, ...], label: str, nullable: bool):
        value = self.body.get(name)
        if value is None:
            if not nullable and name in self.body:
                self.errors[name] = "This field cannot be null"
            return None
        if isinstance(value, bool) and bool not in kinds:
            self.errors[name] = f"Must be {label}"
            return None
        if not isinstance(value, kinds):
            self.errors[name] = f"Must be {label}"
            return None
        return value

    def string(self, name: str, nullable: bool = False) -> str | None:
        return self._get(name, (str,), "a string", nullable)

    def integer(self, name: str, nullable: bool = False) -> int | None:
        return self._get(name, (int,), "an integer", nullable)

    def number(self, name: str, nullable: bool = False) -> float | None:
        value = self._get(name, (int, float), "a number", nullable)
        return None if value is None else float(value)

    def boolean(self, name: str) -> bool | None:
        return self._get(name, (bool,), "true or false", False)

    def date(self, name: str, nullable: bool = False) -> date | None:
        value = self._get(name, (str,), "a date (YYYY-MM-DD)", nullable)
        if value is None:
            return None
        try:
            if len(value) != 10:
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.errors[name] = "Must be a date (YYYY-MM-DD)"
            return None

    def id_list(self, name: str) -> list[int] | None:
        value = self._get(name, (list,), "a list of ids", False)
        if value is None:
            return None
        if (
            not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            or len(value) > 1000
        ):
            self.errors[name] = "Must be a list of integer ids"
            return None
        return list(dict.fromkeys(value))

    def check(self) -> None:
        if self.errors:
            raise ApiError(422, "Some fields are not valid", self.errors)


def query_int(name: str, default: int | None = None, low: int = 1, high: int | None = None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"'{name}' must be an integer", {name: "Must be an integer"}) from None
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ApiError(422, f"'{name}' must be {bounds}", {name: f"Must be {bounds}"})
    return value


def query_date(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, f"'{name}' must be a date", {name: "Must be a date (YYYY-MM-DD)"}
        ) from None


def paged(session: Session, stmt: Select, serialize) -> dict[str, Any]:
    """{"items", "total", "page", "per_page"} for a select(Model) statement."""
    page = query_int("page", 1)
    per_page = query_int("per_page", 50, high=MAX_PER_PAGE)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": [serialize(r) for r in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
    }
