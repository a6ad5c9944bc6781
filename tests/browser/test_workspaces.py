"""Each demo role's workspace, walked as a person would: sign in, follow the links from the
home (same-origin GETs only, never a form, sign-out, download or admin link, at most
CRAWL_LIMIT pages a role), and on every page run axe-core (4.14.1, vendored) with the WCAG 2.2
AA tags: no violation at all, and no page wider than a 360-px phone. Screenshots at 360×800
and 1280×800 of each role's home and of the pages the issue names go to
test-artifacts/screenshots/, which .ci/run keeps (the meeting room's, as chair and as member,
are taken in test_meeting_room_live.py, into the same folder)."""

import os
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from agencies.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CRAWL_LIMIT = int(os.environ.get("WORKSPACE_CRAWL_LIMIT", "40"))
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}

# One demo login per role (README's table).
ROLES = {
    "referrer": "dana.harlow",
    "agency-lead": "sam.whitlock",
    "coordinator": "maya.lindqvist",
    "chair": "alan.brightwater",
    "panel-member": "lewis.tran",
    "board-member": "fiona.hale",
    "auditor": "irene.voss",
    "data-protection-officer": "beth.rowan",
    "administrator": "admin.fenmarsh",
}
# Where a person would not go by following a link to read: out, downloads, the break-fix
# admin, the machine-facing API and JSON.
NEVER_FOLLOWED = ("/sign-out/", "/admin/", "/api/", "/healthz", "/session/", "/static/", "/media/")
NEVER_FOLLOWED_PARTS = ("format=csv", ".csv", ".pdf", "/attachments/")


def followable(base: str, href: str) -> str | None:
    url = urldefrag(urljoin(base, href)).url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(base).netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(NEVER_FOLLOWED) or any(part in path for part in NEVER_FOLLOWED_PARTS):
        return None
    return path


def axe_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert result["passes"], "axe checked nothing: the page did not load?"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def crawl(page, start: str = "/") -> tuple[list[str], list[str]]:
    """Visit up to CRAWL_LIMIT pages from `start`, breadth first, at phone width; the pages
    visited and the problems found."""
    page.set_viewport_size(PHONE)
    base = page.url
    queue, seen, visited, problems = deque([start]), {start}, [], []
    while queue and len(visited) < CRAWL_LIMIT:
        path = queue.popleft()
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # a download the link did not announce
            if "Download is starting" in str(error):
                continue
            raise
        visited.append(path)
        if response is None or response.status >= 400:
            problems.append(f"{path} answered {response and response.status}")
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path} is {width}px wide at 360px")
        problems += [f"{path}: {violation}" for violation in axe_violations(page)]
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            target = followable(base, href)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
    return visited, problems


def screenshot(page, name: str, path: str) -> None:
    """The page at 360×800 and 1280×800, as test-artifacts/screenshots/<name>-<width>.png;
    at each width nothing is wider than the window."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        response = page.goto(path)
        assert response.status < 400, f"{path} answered {response.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{path} is {width}px wide at {size['width']}px"
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)


@pytest.fixture
def demo_borough(transactional_db):
    call_command("seed_demo", "--force", "--quiet-logins")


def test_every_role_can_work_from_their_home_on_a_phone_with_no_axe_violation(
    demo_borough, page, sign_in
):
    problems = []
    for role, username in ROLES.items():
        page.context.clear_cookies()
        sign_in(page, username, DEMO_PASSWORD)
        page.set_viewport_size(PHONE)
        assert urlsplit(page.url).path == "/", f"{username} did not land on the home"
        screenshot(page, f"{role}-home", "/")
        visited, found = crawl(page)
        assert len(visited) > 1, f"{username}'s home links to nothing"
        problems += [f"[{role}] {problem}" for problem in found]
    assert problems == [], "\n".join(problems)


def test_the_pages_the_issue_names_are_photographed_at_phone_and_desktop_width(
    demo_borough, page, sign_in
):
    sign_in(page, ROLES["referrer"], DEMO_PASSWORD)
    screenshot(page, "referral-form", "/referrals/new/")
    page.context.clear_cookies()
    sign_in(page, ROLES["coordinator"], DEMO_PASSWORD)
    screenshot(page, "referral-list", "/referrals/")
    screenshot(page, "screening-queue", "/screening/")
    page.goto("/referrals/?sort=reference")
    first_case = page.locator("[data-testid=referral-list] a").first.get_attribute("href")
    screenshot(page, "referral-page", first_case)
    screenshot(page, "action-log", "/actions/")
    screenshot(page, "action-log-filtered", "/actions/?view=all&status=any&due=overdue")
    page.context.clear_cookies()
    sign_in(page, ROLES["board-member"], DEMO_PASSWORD)
    screenshot(page, "board-papers", "/board/")
    page.context.clear_cookies()
    sign_in(page, ROLES["data-protection-officer"], DEMO_PASSWORD)
    screenshot(page, "audit", "/audit/")

    names = ["referral-form", "referral-list", "screening-queue", "referral-page", "action-log"]
    names += ["action-log-filtered"]
    names += ["board-papers", "audit"]
    for name in names:
        for width in ("360", "1280"):
            assert (SCREENSHOTS / f"{name}-{width}.png").stat().st_size > 0
