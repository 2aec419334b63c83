"""With CSRF on, as in production: the page forms carry a token and a post without one
changes nothing."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import snapshot


@pytest.fixture
def app_config(app_config):
    return app_config | {"WTF_CSRF_ENABLED": True}


def token_in(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_status_update_needs_the_pages_token(client, login_as, council):
    login_as(user=council.lead)
    before = snapshot("tasks", "task_updates")
    url = f"/tasks/{council.task.id}/status"
    response = client.post(url, data={"status": "in_progress", "note": "x", "version": "1"})
    assert response.status_code == 400
    assert "Your form has expired" in response.get_data(as_text=True)
    assert snapshot("tasks", "task_updates") == before
    queue = client.get("/my-tasks").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', queue).group(1)
    data = {"status": "in_progress", "note": "x", "version": "1", "csrf_token": token}
    assert client.post(url, data=data).status_code == 302


@pytest.mark.parametrize("url", ["/initiatives/new", "/admin/departments"])
def test_forms_render_a_token_and_refuse_posts_without_it(client, login_as, council, url):
    if url.startswith("/initiatives"):
        login_as(user=council.manager)
    else:
        login_as("admin")
    assert token_in(client.get(url).get_data(as_text=True))
    before = snapshot("initiatives", "departments")
    assert client.post(url, data={"title": "x", "name": "x"}).status_code == 400
    assert snapshot("initiatives", "departments") == before
