"""A real browser: a team lead signs in, marks a task blocked from the queue in one step,
and finds it in the task's history. SCREENSHOTS=1 saves the README's pictures."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install chromium (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def test_team_lead_marks_a_task_blocked_from_the_queue(live_server, browser_page, make):
    dept = make.department("Adult Social Care")
    manager = make.user("manager", department=dept, display_name="Maya Patel")
    lead = make.user("team_lead", username="lee", display_name="Lee Okafor")
    team = make.team(department=dept, lead=lead, name="Reablement", capacity=20)
    initiative = make.initiative(
        owner=manager,
        departments=[dept],
        title="National Service Framework for Older People",
        rationale="Older people should get joined-up care close to home, and leave hospital "
        "as soon as they are well enough.",
        summary="Single assessment process across health and social care.",
        budget_pence=25_000_000,
    )
    today = date.today()
    make.task(
        team=team,
        initiative=initiative,
        title="Agree the single assessment form",
        due=today - timedelta(days=2),
        effort=12,
    )
    task = make.task(
        team=team,
        initiative=initiative,
        title="Train reablement staff",
        due=today + timedelta(days=9),
        effort=30,
    )
    make.task(
        team=team,
        initiative=initiative,
        title="Review intermediate care beds",
        due=today + timedelta(days=40),
        effort=16,
    )
    page = browser_page

    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Username").fill("lee")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="My teams' tasks").wait_for()
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    row = page.locator(f"#task-{task.id}")
    row.get_by_text("Update Train reablement staff").click()
    row.get_by_label("Status").select_option("blocked")
    row.get_by_label("Blocked reason (if blocked)").fill("No trainer until the new year")
    row.get_by_label("Progress note").fill("Asked the training unit for cover")
    row.get_by_role("button", name="Update task").click()

    page.get_by_text("“Train reablement staff” updated").wait_for()
    assert page.url.endswith("/my-tasks")
    page.locator(f"#task-{task.id}").get_by_role("link", name="Train reablement staff").click()
    history = page.locator(".app-history")
    history.wait_for()
    text = history.inner_text()
    assert "Not started → Blocked" in text
    assert "Asked the training unit for cover" in text and "Lee Okafor" in text
    assert "No trainer until the new year" in page.content()

    if os.environ.get("SCREENSHOTS") == "1":
        page.goto(f"{live_server}/initiatives/{initiative.id}")
        page.get_by_role("heading", name=initiative.title).wait_for()
        page.screenshot(path=str(SCREENSHOTS / "initiative.png"), full_page=True)
