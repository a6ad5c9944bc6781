"""axe-core (4.14.1, vendored from npm under tests/browser/vendor/, MPL-2.0) on the pages this
release added, as each person who opens them sees them, at 360 px and 1280 px wide: no
serious or critical violation, and no sideways scroll on a phone."""

from pathlib import Path

import pytest

from agencies.demo import DEMO_PASSWORD, seed_people

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()

PAGES = {
    "admin.fenmarsh": [
        "/manage/",
        "/manage/people/",
        "/manage/people/new/",
        "/manage/agencies/",
        "/manage/agencies/new/",
        "/manage/approvals/",
        "/manage/sign-in-lockouts/",
        "/account/password/",
    ],
    "owen.price": ["/manage/approvals/"],
    "dana.harlow": [
        "/",
        "/account/password/",
        "/account/security/",
        "/sign-in/second-factor/",
        "/sign-in/second-factor/recovery-code/",
        "/sign-in/second-factor/set-up/authenticator-app/",
        "/sign-in/second-factor/set-up/passkey/",
    ],
}
ANONYMOUS = ["/sign-in/", "/password-reset/", "/password-reset/sent/"]


def serious_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
    page.evaluate(AXE)
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    assert result["passes"], "axe checked nothing: the page did not load?"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def check(page, path: str) -> list[str]:
    problems = []
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(path)
        assert response.status < 400, f"{path} answered {response.status}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{path} scrolls sideways by {overflow}px at {width}px")
        problems += [f"{path} at {width}px: {v}" for v in serious_violations(page)]
    return problems


def test_the_new_pages_pass_axe_and_fit_a_phone(
    transactional_db, browser, live_server_url, page, sign_in
):
    seed_people()
    problems = []
    for path in ANONYMOUS:
        problems += check(page, path)
    for username, paths in PAGES.items():
        page.context.clear_cookies()
        sign_in(page, username, DEMO_PASSWORD)
        for path in paths:
            problems += check(page, path)
    assert problems == []
