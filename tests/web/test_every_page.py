"""Every page of every role on the demo council, in a real Chromium: axe-core finds no
accessibility violation, and at 375 px wide no page scrolls sideways (wide tables scroll
in their own container). SCREENSHOTS=1 also saves each page at 1280 and 375 px wide.

One browser for the module; each role's pages are visited once, signed in as that role.
axe-core is injected with the page's Content-Security-Policy bypassed, in this test only.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Initiative, Task, Team, User
from tracker.models.org import Department
from tracker.services.demo import DEMO_PASSWORD, load_demo_council
from tracker.services.sweep import run_sweep

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "pages"
PHONE = 375


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install chromium (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_server(app, live_server):
    """The demo council, swept once (so inboxes have alerts), served by a thread."""
    load_demo_council(db.session, clock.today())
    run_sweep(db.session, clock.now())
    return live_server


def _ids() -> dict:
    session = db.session
    initiative = session.scalar(
        select(Initiative)
        .join(Task, Task.initiative_id == Initiative.id)
        .join(User, User.id == Initiative.owner_id)
        .where(User.username == "manager.children")
        .order_by(Initiative.id)
        .limit(1)
    )
    lead = session.scalar(select(User).where(User.username == "lead.safeguarding"))
    team = session.scalar(select(Team).where(Team.lead_id == lead.id).order_by(Team.id).limit(1))
    task = session.scalar(
        select(Task)
        .where(Task.team_id == team.id, Task.initiative_id == initiative.id)
        .order_by(Task.id)
        .limit(1)
    ) or session.scalar(select(Task).where(Task.team_id == team.id).order_by(Task.id).limit(1))
    today = clock.today()
    return {
        "i": initiative.id,
        "t": task.id,
        "team": team.id,
        "d": team.department_id,
        "other_d": session.scalar(select(Department.id).order_by(Department.id.desc()).limit(1)),
        "u": lead.id,
        "week": (today - timedelta(days=today.weekday())).isoformat(),
    }


COMMON = [
    "/initiatives",
    "/initiatives/{i}",
    "/initiatives/{i}/briefing",
    "/initiatives/{i}/timeline",
    "/tasks/{t}",
    "/teams/{team}",
    "/alerts",
    "/preferences",
    "/calendar",
]
LOAD = [
    "/dashboard",
    "/dashboard/heatmap",
    "/dashboard/departments/{d}",
    "/dashboard/teams/{team}/weeks/{week}",
    "/initiatives/{i}/confidence",
]
PAGES = {
    "admin": [
        "/admin/users",
        "/admin/users/new",
        "/admin/users/{u}",
        "/admin/departments",
        "/admin/departments/{d}",
        "/admin/teams",
        "/admin/teams/new",
        "/admin/teams/{team}",
        "/admin/operations",
        "/initiatives?status=rollout&kind=nonsense",
    ],
    "director": [*LOAD, "/dashboard/departments/{other_d}", *COMMON],
    "manager.children": [
        *LOAD,
        *COMMON,
        "/initiatives/new",
        "/initiatives/{i}/edit",
        "/initiatives/{i}/tasks/new",
        "/tasks/{t}/edit",
        "/teams/{team}/staffing/new",
    ],
    "lead.safeguarding": ["/my-tasks", *COMMON, "/teams/{team}/staffing/new", "/no-such-page"],
}


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _problems(page, axe, path: str, shots: str | None) -> list[str]:
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                .filter(e => !e.closest('.app-table-scroll, .app-chart-wrapper'))
                .slice(0, 3).map(e => e.tagName + '.' + e.className).join(', ')"""
        )
        found.append(f"{path}: {width} px wide at {PHONE} px ({wide})")
    results = axe.run(page)
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
        found.append(f"{path}: axe {violation['id']}: {violation['help']} at {targets}")
    if shots:
        name = shots + "-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{PHONE}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"), full_page=True)
        page.set_viewport_size({"width": PHONE, "height": 800})
    return found


@pytest.mark.parametrize("username", list(PAGES))
def test_every_page_is_accessible_and_fits_a_phone(demo_server, chromium, username):
    from axe_playwright_python.sync_playwright import Axe

    shots = username.partition(".")[0] if os.environ.get("SCREENSHOTS") == "1" else None
    if shots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ids = _ids()
    context = chromium.new_context(viewport={"width": PHONE, "height": 800}, bypass_csp=True)
    page = context.new_page()
    axe = Axe()
    problems: list[str] = []
    try:
        if username == "admin":
            page.goto(f"{demo_server}/sign-in")
            problems += _problems(page, axe, "/sign-in", shots)
        _sign_in(page, demo_server, username)
        landing = page.url.removeprefix(demo_server)
        problems += _problems(page, axe, f"{landing} ({username}'s start page)", shots)
        for template in PAGES[username]:
            path = template.format(**ids)
            page.goto(demo_server + path)
            problems += _problems(page, axe, path, shots)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
