"""Signing in and out: hashes, throttling, sessions ended, safe `next`, headers."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD


def sign_in(client, username, password=PASSWORD, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password})


def test_sign_in_page_renders_with_security_headers(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert b"Sign in" in response.data
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_and_secure_cookie_over_https(client, make):
    user = make.user("manager")
    response = client.post(
        "/sign-in",
        data={"username": user.username, "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    assert "max-age" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_is_stored_salted(make):
    a = make.user("manager", password="same password here")
    b = make.user("manager", password="same password here")
    assert a.password_hash != b.password_hash
    assert "same password" not in a.password_hash


def test_sign_in_and_home_by_role(client, make):
    lead = make.user("team_lead")
    response = sign_in(client, lead.username)
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/my-tasks")


def test_wrong_password_is_refused_with_a_message(client, make):
    user = make.user("manager")
    response = sign_in(client, user.username, "not the password")
    assert response.status_code == 401
    assert b"The username or password is not right" in response.data
    assert client.get("/initiatives").status_code == 302


def test_inactive_user_cannot_sign_in(client, make):
    user = make.user("manager", active=False)
    assert sign_in(client, user.username).status_code == 401


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/initiatives", "/initiatives"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_next_is_honoured_only_for_local_paths(client, make, target, expected):
    user = make.user("manager")
    response = sign_in(client, user.username, next_url=target)
    assert response.headers["Location"] == expected


def test_repeated_failures_are_slowed_per_account(client, make):
    user = make.user("manager")
    for _ in range(5):
        assert sign_in(client, user.username, "wrong password").status_code == 401
    response = sign_in(client, user.username)  # even the right password waits
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.data
    other = make.user("manager")
    assert sign_in(client, other.username).status_code == 302


def test_repeated_failures_are_slowed_per_address(app, client, make):
    app.config["LOGIN_ADDRESS_FAILURE_LIMIT"] = "3 per 15 minutes"
    users = [make.user("manager") for _ in range(3)]
    for user in users:
        sign_in(client, user.username, "wrong password")
    assert sign_in(client, make.user("manager").username).status_code == 429


def test_sign_out_ends_every_session_of_the_user(app, client, make):
    user = make.user("manager")
    sign_in(client, user.username)
    copied = app.test_client()
    with client.session_transaction() as sess:
        stolen = dict(sess)
    with copied.session_transaction() as sess:
        sess.update(stolen)
    assert copied.get("/initiatives").status_code == 200
    client.post("/sign-out")
    assert copied.get("/initiatives").status_code == 302


def test_deactivating_a_user_ends_their_sessions(client, make, session):
    from tracker.services.actors import actor_for
    from tracker.services.org import save_user

    admin = make.user("admin")
    user = make.user("manager")
    sign_in(client, user.username)
    assert client.get("/initiatives").status_code == 200
    save_user(session, actor_for(session, admin), {"active": False}, user.id)
    assert client.get("/initiatives").status_code == 302


def test_sign_out_needs_post_and_csrf(app, make):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    user = make.user("manager")
    page = client.get("/sign-in")
    assert page.status_code == 200
    response = client.post("/sign-in", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert b"Your form has expired" in response.data


def test_app_refuses_to_start_without_secret_key_outside_development(app_config):
    from tracker import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**app_config, "ENV_NAME": "production", "SECRET_KEY": ""})


def test_pages_carry_no_crown_or_crest(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert "govuk-crest" not in html and "govuk-footer__crown" not in html
    assert "govuk-footer__licence-logo" not in html and "govuk-icon-mask" not in html
