"""What the outside probe found, met through the pages."""

from __future__ import annotations

import statistics
import time

import pytest
from icalendar import Calendar

from tests.factories import PASSWORD
from tests.web.conftest import snapshot
from tests.web.test_exports import create_feed
from tracker.web.exports import safe_cell

STRANGER = {"REMOTE_ADDR": "203.0.113.9"}


def sign_in(client, username, password=PASSWORD, address="127.0.0.1", next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(
        url,
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_strangers_guesses_slow_the_stranger_not_the_owner(client, make):
    user = make.user("manager")
    for _ in range(5):
        assert sign_in(client, user.username, "guess", address="203.0.113.9").status_code == 401
    assert sign_in(client, user.username, address="203.0.113.9").status_code == 429
    assert sign_in(client, user.username).status_code == 302  # the owner, from their desk


def test_many_addresses_reach_the_accounts_ceiling(app, client, make):
    app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"] = "4 per hour"
    user = make.user("manager")
    for n in range(4):
        assert sign_in(client, user.username, "guess", address=f"198.51.100.{n}").status_code == 401
    assert sign_in(client, user.username).status_code == 429


def test_unknown_usernames_take_as_long_as_real_ones(client, make):
    user = make.user("manager")

    def timed(username: str) -> float:
        started = time.perf_counter()
        assert sign_in(client, username, "wrong password").status_code == 401
        return time.perf_counter() - started

    real = statistics.median(timed(user.username) for _ in range(3))
    unknown = statistics.median(timed("nobody.here") for _ in range(3))
    # Both verify a password hash; without the dummy hash an unknown name was ~20x faster.
    assert unknown > real / 3


@pytest.mark.parametrize(
    "target", ["/initiatives%0d%0aSet-Cookie:%20x=1", "/x%0aLocation:%20//evil", "/a%00b"]
)
def test_an_unusable_next_is_ignored(client, make, target):
    user = make.user("manager")
    response = sign_in(client, user.username, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_status_update_with_a_broken_next_is_saved_and_redirected(client, login_as, council):
    login_as(user=council.lead)
    response = client.post(
        f"/tasks/{council.task.id}/status",
        data={"status": "in_progress", "version": "1", "next": "/my-tasks\r\nX-Evil: 1"},
    )
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"]
    assert response.headers["Location"].endswith(f"/tasks/{council.task.id}")


@pytest.mark.parametrize("title", ["Two\nlines", "Carriage\rreturn", "NUL\x00here", "Tab\there"])
def test_task_titles_are_one_line(client, login_as, council, title):
    from tests.web.test_tasks import task_form

    login_as(user=council.manager)
    before = snapshot("tasks")
    response = client.post(
        f"/initiatives/{council.initiative.id}/tasks/new", data=task_form(council, title=title)
    )
    assert response.status_code == 422
    assert "must be one line of text" in response.get_data(as_text=True)
    assert snapshot("tasks") == before


def test_notes_keep_line_breaks_but_refuse_nul(client, login_as, council):
    login_as(user=council.lead)
    url = f"/tasks/{council.task.id}/status"
    refused = client.post(url, data={"status": "in_progress", "note": "a\x00b", "version": "1"})
    assert refused.status_code == 422
    assert "must not contain control characters" in refused.get_data(as_text=True)
    saved = client.post(url, data={"status": "in_progress", "note": "One\r\nTwo", "version": "1"})
    assert saved.status_code == 302


def test_an_old_line_break_in_a_name_does_not_break_the_calendar(
    client, login_as, session, council
):
    council.lead.display_name = "Lee\r\nBEGIN:VEVENT"  # saved before the one-line rule
    session.commit()
    login_as(user=council.lead)
    url = create_feed(client, "personal")
    response = client.get(url)
    assert response.status_code == 200
    name = str(Calendar.from_ical(response.get_data())["x-wr-calname"])
    assert name == "Lee  BEGIN:VEVENT: task due dates"


def test_ownership_field_is_offered_only_to_the_owner(client, login_as, make, council):
    colleague = make.user("manager", department=council.dept, display_name="Col League")
    login_as(user=colleague)
    url = f"/initiatives/{council.initiative.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Only the owner or an administrator can hand it over" in page
    assert f'value="{colleague.id}"' not in page.split('name="owner_id"')[1].split("</select>")[0]


def test_an_admin_hands_an_initiative_over_on_the_page(client, login_as, make, council, session):
    from tests.web.conftest import date_parts

    successor = make.user("manager", department=council.dept)
    login_as("admin")
    url = f"/initiatives/{council.initiative.id}/edit"
    assert "As an administrator" in client.get(url).get_data(as_text=True)
    i = council.initiative
    pounds, pence = divmod(i.budget_pence, 100)
    data = {  # the form as the page fills it, with only the owner changed
        "title": i.title,
        "source": i.source,
        "kind": i.kind,
        "summary": i.summary,
        "rationale": i.rationale,
        "budget": f"{pounds}.{pence:02d}",
        "start_date": date_parts(i.start_date),
        "deadline": date_parts(i.deadline),
        "status": i.status,
        "owner_id": str(successor.id),
        "department_ids": [str(d.id) for d in i.departments],
    }
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    session.refresh(council.initiative)
    assert council.initiative.owner_id == successor.id


def test_the_last_admin_cannot_deactivate_themselves(client, login_as, session):
    admin = login_as("admin")
    before = snapshot("users")
    response = client.post(
        f"/admin/users/{admin.id}",
        data={
            "username": admin.username,
            "display_name": admin.display_name,
            "email": admin.email,
            "role": "admin",
            "department_id": "",
            "email_mode": "immediate",
            "password": "",
        },
    )
    assert response.status_code == 422
    assert "At least one active administrator must remain" in response.get_data(as_text=True)
    assert snapshot("users") == before


@pytest.mark.parametrize(
    ("password", "reason"),
    [("aaaaaaaaaa", "repeats"), ("password12", "most common"), ("sam.social!!", "username")],
)
def test_weak_passwords_are_explained(client, login_as, password, reason):
    from tests.web.test_admin import user_form

    login_as("admin")
    response = client.post("/admin/users/new", data=user_form(password=password))
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)


def test_signed_in_pages_are_not_cached(client, login_as):
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")
    login_as("manager")
    assert client.get("/initiatives").headers["Cache-Control"] == "no-store"


def test_job_queue_changes_need_a_post_from_our_own_pages(client, login_as):
    login_as("admin")
    assert client.get("/admin/rq/requeue/default").status_code == 405
    cross_site = client.post("/admin/rq/requeue/default", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    foreign = client.post("/admin/rq/requeue/default", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert client.post("/admin/rq/job/x/requeue").status_code == 403  # no origin at all
    ours = client.post("/admin/rq/requeue/default", headers={"Sec-Fetch-Site": "same-origin"})
    assert ours.status_code == 200


@pytest.mark.parametrize(
    "cell", ["=1+1", " =1+1", "\n=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "@x", "\t=1"]
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(cell):
    assert safe_cell(cell) == "'" + cell
    assert safe_cell("Plain title") == "Plain title"
    assert safe_cell(12) == 12
