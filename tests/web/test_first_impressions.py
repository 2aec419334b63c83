"""What a person sees first (issue 7): no errors before typing, history in sentences,
an edit conflict that can be resolved in one click, one way of writing dates, no "0" badge."""

from __future__ import annotations

import re

from tests.web.conftest import snapshot
from tests.web.test_tasks import task_form
from tracker.domain.wording import day_in_words
from tracker.models import Alert, Task
from tracker.services.actors import actor_for
from tracker.services.tasks import update_task
from tracker.web.helpers import now


def _text(response) -> str:
    """The page as read: tags dropped, spaces squeezed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_empty_filter_is_no_error_and_any_is_selected(client, login_as, council):
    login_as(user=council.manager)
    for url in ("/initiatives", "/initiatives?status=&kind=&department=", "/initiatives?kind=x"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Not a valid choice" not in html and "govuk-error-message" not in html
        assert re.search(r'<option value="" selected>Any status</option>', html)
        assert re.search(r'<option value="" selected>Any kind</option>', html)
    filtered = client.get("/initiatives?status=rollout").get_data(as_text=True)
    assert '<option value="rollout" selected>' in filtered


def test_history_reads_as_sentences(client, login_as, session, make, council):
    first = make.task(team=council.team, initiative=council.initiative, title="Train assessors")
    login_as(user=council.lead)
    client.post(
        f"/tasks/{council.task.id}/status",
        data={"status": "blocked", "blocked_reason": "Waiting for the trainer", "version": "1"},
    )
    login_as(user=council.manager)
    data = task_form(council, title="Train reablement staff", status="blocked")
    data.update(
        blocked_reason="Waiting for the trainer",
        version="2",
        depends_on=[str(first.id)],
        start_date=_parts(council.task.start_date),
        due_date=_parts(council.task.due_date),
        effort_hours="8",
        description=council.task.description,
    )
    assert client.post(f"/tasks/{council.task.id}/edit", data=data).status_code == 302
    page = _text(client.get(f"/tasks/{council.task.id}"))
    assert "Blocked: waiting for the trainer" in page
    assert f"Now waits on task {first.id}, “Train assessors”." in page
    assert "blocked_reason" not in page and "depends_on" not in page and "None →" not in page
    assert day_in_words(council.task.due_date) in page  # 7 Dec 2026, the one date style


def test_edit_conflict_shows_what_changed_and_reapplies_in_one_click(
    client, login_as, session, council
):
    """Two tabs on one task: the second save shows what the first changed, keeps what
    was typed, and saving again applies it on the current version."""
    manager = login_as(user=council.manager)
    url = f"/tasks/{council.task.id}/edit"
    assert 'value="1"' in client.get(url).get_data(as_text=True)
    # The other tab (or a colleague) saves first.
    update_task(
        session,
        actor_for(session, manager),
        council.task.id,
        {"effort_hours": 20.0},
        1,
        now(),
        note="More sessions needed",
    )
    typed = task_form(council, title="Train every reablement worker", version="1")
    typed.update(
        start_date=_parts(council.task.start_date),
        due_date=_parts(council.task.due_date),
        effort_hours="8",
        description=council.task.description,
    )
    before = snapshot("tasks", "task_updates")
    response = client.post(url, data=typed)
    assert response.status_code == 409
    page = _text(response)
    assert snapshot("tasks", "task_updates") == before
    assert "Changed since you opened the form" in page
    assert "Effort changed from 8 hours to 20 hours." in page and "More sessions needed" in page
    assert "Title Train reablement staff Train every reablement worker" in page
    assert "reload" not in page.lower()
    html = response.get_data(as_text=True)
    assert 'value="Train every reablement worker"' in html  # what was typed is kept
    assert re.search(r'name="version" type="hidden" value="2"', html)
    # One click: the page's own form, as it stands, saves on the current version.
    typed["version"] = "2"
    assert client.post(url, data=typed).status_code == 302
    task = session.get(Task, council.task.id)
    assert task.title == "Train every reablement worker" and task.version == 3


def test_status_conflict_keeps_the_note_and_moves_to_the_current_version(client, login_as, council):
    login_as(user=council.lead)
    response = client.post(
        f"/tasks/{council.task.id}/status",
        data={"status": "done", "note": "All trained", "version": "7"},
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "All trained</textarea>" in html
    assert re.search(r'name="version" type="hidden" value="1"', html)
    assert "Status Not started Done" in _text(response)


def test_no_badge_when_nothing_is_unread(client, login_as, make, council):
    lead = login_as(user=council.lead)
    page = client.get("/my-tasks").get_data(as_text=True)
    assert "unread-count" not in page and "app-count" not in page
    make.session.add(
        Alert(
            kind="overdue",
            recipient_id=lead.id,
            subject_type="task",
            subject_id=council.task.id,
            message="Task overdue.",
            action="Mark it done.",
            url=f"/tasks/{council.task.id}",
            dedup_key="x",
        )
    )
    make.session.commit()
    assert 'id="unread-count">1<' in client.get("/my-tasks").get_data(as_text=True)


def test_account_links_are_separated_and_in_a_landmark(client, login_as, council):
    login_as(user=council.manager)
    html = client.get("/initiatives").get_data(as_text=True)
    bar = html[html.index('aria-label="Your account"') :]
    bar = bar[: bar.index("</nav>")]
    assert bar.count("<li>") == 4 and "Calendar feeds" in bar and "Sign out" in bar


def _parts(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]
