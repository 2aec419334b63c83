"""Bearer tokens: issued for a password, stored hashed, expiring, refused when deactivated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from tests.factories import PASSWORD
from tracker.models import ApiToken


def _token(api, username, password=PASSWORD):
    return api.post("/api/v1/tokens", json={"username": username, "password": password})


def test_token_for_a_password_then_me(api, make, session):
    user = make.user("team_lead")
    response = _token(api, user.username)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["username"] == user.username
    assert "password" not in me.get_json() and "password_hash" not in me.get_json()


def test_token_is_stored_only_as_a_hash(api, make, session):
    user = make.user("manager")
    token = _token(api, user.username).get_json()["token"]
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert len(stored) == 1
    assert token not in stored[0] and stored[0] != token and len(stored[0]) == 64


def test_expired_token_is_refused(api, make, session):
    user = make.user("manager")
    token = _token(api, user.username).get_json()["token"]
    session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    session.commit()
    response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_deactivated_user_token_stops_working_and_no_new_one(api, make):
    admin = make.user("admin")
    user = make.user("manager")
    caller = api.as_(user)
    assert caller.get("/api/v1/me").status_code == 200
    off = api.as_(admin).patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert off.status_code == 200
    assert caller.get("/api/v1/me").status_code == 401
    assert _token(api, user.username).status_code == 401


def test_wrong_password_unknown_user_and_bad_bodies(api, make):
    user = make.user("manager")
    assert _token(api, user.username, "not the password").status_code == 401
    assert _token(api, "nobody").status_code == 401
    missing = api.post("/api/v1/tokens", json={"username": user.username})
    assert missing.status_code == 422
    assert missing.get_json()["error"]["fields"] == {"password": "This field is required"}
    typed = api.post("/api/v1/tokens", json={"username": user.username, "password": 5})
    assert typed.status_code == 422 and "password" in typed.get_json()["error"]["fields"]


def test_missing_malformed_and_unknown_tokens_are_401(api, make):
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-token"},
    ):
        response = api.get("/api/v1/tasks", headers=headers)
        assert response.status_code == 401, headers
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_every_api_route_but_the_public_ones_needs_a_token(app, client):
    from tracker.api import PUBLIC_ENDPOINTS

    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = rule.rule.replace("<int:", "<").replace("<", "").replace(">", "")
        path = "/".join("1" if part.endswith("_id") else part for part in path.split("/"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method)
            assert response.status_code == 401, f"{method} {rule.rule}"


def test_deactivation_and_new_password_revoke_tokens_for_good(api, make, session):
    admin = make.user("admin")
    user = make.user("manager")
    caller = api.as_(user)
    admin_api = api.as_(admin)
    admin_api.patch(f"/api/v1/users/{user.id}", json={"active": False})
    admin_api.patch(f"/api/v1/users/{user.id}", json={"active": True})
    assert caller.get("/api/v1/me").status_code == 401  # reactivation does not revive it
    fresh = api.as_(user)
    assert fresh.get("/api/v1/me").status_code == 200
    admin_api.patch(f"/api/v1/users/{user.id}", json={"password": "another long password"})
    assert fresh.get("/api/v1/me").status_code == 401
    assert session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id)) is None


def test_patch_me_chooses_the_email_mode(api, make, session):
    user = make.user("team_lead")
    assert api.as_(user).get("/api/v1/me").get_json()["email_mode"] == "digest"
    for mode in ("off", "immediate", "digest"):
        response = api.as_(user).patch("/api/v1/me", json={"email_mode": mode})
        assert response.status_code == 200 and response.get_json()["email_mode"] == mode
    stored = session.get(type(user), user.id, populate_existing=True)
    assert stored.email_mode == "digest" and stored.email_mode_chosen_at is not None


def test_patch_me_refuses_bad_input_and_changes_nothing(api, make, session):
    user = make.user("team_lead")
    for body, status in (
        ({"email_mode": "weekly"}, 422),
        ({"email_mode": None}, 422),
        ({}, 422),
        ({"email_mode": "off", "role": "admin"}, 422),
        (["off"], 400),
    ):
        response = api.as_(user).patch("/api/v1/me", json=body)
        assert response.status_code == status, body
        assert "error" in response.get_json()
    stored = session.get(type(user), user.id, populate_existing=True)
    assert (stored.email_mode, stored.role, stored.email_mode_chosen_at) == (
        "digest",
        "team_lead",
        None,
    )


def test_patch_me_needs_a_token(client):
    assert client.patch("/api/v1/me", json={"email_mode": "off"}).status_code == 401
