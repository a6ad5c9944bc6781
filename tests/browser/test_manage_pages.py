"""The two-person rule in a real browser, under the strict CSP and at 360px wide: the
administrator asks for a role for someone, the school's lead approves it. Screenshots are
saved in test-artifacts/manage-*.png."""

import re

import pytest
from playwright.sync_api import expect

from agencies.demo import DEMO_PASSWORD, seed_people
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTHS = {"desktop": 1280, "phone": 360}


def fits_a_phone(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=ARTIFACTS / f"manage-{name}-{label}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 800})


def test_a_role_asked_for_by_the_administrator_takes_effect_when_the_lead_approves_it(
    transactional_db, browser, live_server_url, page, csp_violations, sign_in
):
    seed_people()
    sign_in(page, "admin.fenmarsh", DEMO_PASSWORD)
    sections = page.get_by_role("navigation", name="Sections")
    sections.get_by_role("link", name="Manage", exact=True).click()
    page.get_by_role("link", name="People").click()
    page.get_by_label("Name, username or email").fill("nia")
    page.get_by_role("button", name="Filter").click()
    fits_a_phone(page, "people")
    page.get_by_role("link", name="Nia Castell").click()
    fits_a_phone(page, "person")
    page.get_by_role("link", name="Grant a role").click()

    page.get_by_role("button", name="Ask for this role").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the role")
    fits_a_phone(page, "grant-with-errors")
    summary.get_by_role("link", name="Select the role").click()
    expect(page.locator("#id_role_1")).to_be_focused()

    page.get_by_label("Agency", exact=True).select_option(label="Alderbrook Primary School")
    page.get_by_label("Referrer (needs a second person's approval)").check()
    page.get_by_label("Why do they need this role?").fill("New teaching assistant.")
    page.get_by_role("button", name="Ask for this role").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("second person approves")
    expect(page.get_by_test_id("roles")).to_contain_text("Waiting for approval")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "owen.price", DEMO_PASSWORD)
    page.get_by_role("link", name="Grants of access waiting for your approval").click()
    fits_a_phone(page, "approvals")
    page.get_by_role("link", name=re.compile("Approve or refuse")).click()
    page.get_by_label("Refuse").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    fits_a_phone(page, "decide-with-errors")
    page.get_by_label("Approve: it takes effect now").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Approved")

    assert csp_violations == []
