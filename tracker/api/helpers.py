"""Parsing and answering JSON: bodies, fields, paging, the caller."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from flask import current_app, g, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tracker.api import bp
from tracker.api.errors import ApiError
from tracker.domain.access import Actor
from tracker.domain.validation import parse_date
from tracker.models import User

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


@bp.url_value_preprocessor
def ids_in_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """An id in the path too large to exist is a 404, not a database error."""
    for value in (values or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            raise ApiError(404, "There is no such object")


def caller() -> User:
    return g.api_user


def actor() -> Actor:
    return g.api_actor


def require_role(*roles: str) -> None:
    if caller().role not in roles:
        raise ApiError(403, "Your role does not allow this")


def json_body(allowed: set[str], required: set[str] = frozenset()) -> dict[str, Any]:
    """The request's JSON object; 400 if malformed, 422 for unknown or missing fields."""
    if request.content_length is not None and request.content_length > (
        current_app.config.get("MAX_CONTENT_LENGTH") or float("inf")
    ):
        raise ApiError(413, "The body is too large")
    if not request.is_json:
        raise ApiError(400, "Send a JSON object with Content-Type: application/json")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "The JSON is nested too deeply") from None
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
        value = self._get(name, (str,), "a string", nullable)
        if value is not None and "\x00" in value:
            self.errors[name] = "Must not contain NUL characters"
            return None
        return value

    def integer(self, name: str, nullable: bool = False) -> int | None:
        value = self._get(name, (int,), "an integer", nullable)
        if value is not None and abs(value) >= 2**63:
            self.errors[name] = "Must be a smaller integer"
            return None
        return value

    def id(self, name: str, nullable: bool = False) -> int | None:
        value = self._get(name, (int,), "an id (a positive integer)", nullable)
        if value is not None and not 1 <= value <= MAX_ID:
            self.errors[name] = "No such id"
            return None
        return value

    def number(self, name: str, nullable: bool = False) -> float | None:
        value = self._get(name, (int, float), "a number", nullable)
        if value is None:
            return None
        if not math.isfinite(value):
            self.errors[name] = "Must be a finite number"
            return None
        return float(value)

    def boolean(self, name: str) -> bool | None:
        return self._get(name, (bool,), "true or false", False)

    def date(self, name: str, nullable: bool = False) -> date | None:
        value = self._get(name, (str,), "a date (YYYY-MM-DD)", nullable)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.errors[name] = str(exc)
            return None

    def id_list(self, name: str) -> list[int] | None:
        value = self._get(name, (list,), "a list of ids", False)
        if value is None:
            return None
        if len(value) > 1000 or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_ID for v in value
        ):
            self.errors[name] = "Must be a list of integer ids"
            return None
        return list(dict.fromkeys(value))

    def read(self, name: str, kind: str) -> Any:
        """Read one field by kind: string, integer, number, date, boolean or ids;
        a trailing '?' allows null."""
        nullable = kind.endswith("?")
        kind = kind.rstrip("?")
        if kind == "boolean":
            return self.boolean(name)
        if kind == "ids":
            return self.id_list(name)
        return getattr(self, kind)(name, nullable)

    def check(self) -> None:
        if self.errors:
            raise ApiError(422, "Some fields are not valid", self.errors)


def read_body(kinds: dict[str, str], required: set[str] = frozenset()) -> dict[str, Any]:
    """The fields present in the JSON body, each parsed by its kind (see FieldReader.read);
    400 if the body is not a JSON object, 422 listing every unknown, missing or mistyped
    field."""
    body = json_body(set(kinds), required)
    reader = FieldReader(body)
    values = {name: reader.read(name, kind) for name, kind in kinds.items() if name in body}
    reader.check()
    return values


def get_or_404(session: Session, model, object_id: int, label: str):
    obj = session.get(model, object_id)
    if obj is None:
        raise ApiError(404, f"There is no {label} {object_id}")
    return obj


def query_int(name: str, default: int | None = None, low: int = 1, high: int = MAX_ID):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, f"'{name}' must be an integer", {name: "Must be an integer"}) from None
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}"
        raise ApiError(422, f"'{name}' must be {bounds}", {name: f"Must be {bounds}"})
    return value


def query_date(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return parse_date(raw, f"'{name}'")
    except ValueError as exc:
        raise ApiError(422, str(exc), {name: str(exc)}) from None


def query_choice(name: str, choices: tuple[str, ...]) -> str | None:
    raw = request.args.get(name)
    if not raw:
        return None
    if raw not in choices:
        message = f"Must be one of {', '.join(choices)}"
        raise ApiError(422, f"'{name}' is not known", {name: message})
    return raw


def query_bool(name: str) -> bool | None:
    raw = request.args.get(name)
    if not raw:
        return None
    if raw.lower() not in ("true", "false"):
        raise ApiError(422, f"'{name}' must be true or false", {name: "Must be true or false"})
    return raw.lower() == "true"


def paged(session: Session, stmt: Select, serialize) -> dict[str, Any]:
    """{"items", "total", "page", "per_page"} for a select(Model) statement.
    `per_page` above MAX_PER_PAGE is refused (422), never silently clamped."""
    page = query_int("page", 1, high=10**6)
    per_page = query_int("per_page", DEFAULT_PER_PAGE, high=MAX_PER_PAGE)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": [serialize(r) for r in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
    }
