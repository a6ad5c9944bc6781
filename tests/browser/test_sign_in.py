"""Signing in through a real browser, against daphne, under the service's strict CSP."""

import re

import pytest
from playwright.sync_api import expect

from agencies.demo import DEMO_PASSWORD, seed_people

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_demo_user_signs_in_and_sees_their_home_page(
    transactional_db, page, csp_violations, sign_in
):
    seed_people()

    sign_in(page, "sam.whitlock", DEMO_PASSWORD)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page).to_have_title("Home – Safeguarding Panels")
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs you now")
    expect(page.locator(".govuk-caption-l, .govuk-caption-xl").first).to_have_text("Sam Whitlock")
    expect(page.get_by_test_id("header-person")).to_have_text(
        re.compile(r"Sam Whitlock,\s+Fenmarsh Constabulary")
    )
    expect(page.get_by_test_id("memberships")).to_contain_text("Fenmarsh Constabulary")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # GOV.UK Frontend's JavaScript, a served module, ran: the CSP let it load.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    assert csp_violations == []


def test_wrong_password_shows_the_error_summary_and_does_not_sign_in(
    transactional_db, page, csp_violations, sign_in
):
    seed_people()

    sign_in(page, "sam.whitlock", "not-the-password")

    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    error_summary = page.locator(".govuk-error-summary")
    expect(error_summary).to_contain_text("There is a problem")
    expect(error_summary).to_contain_text("Enter a correct username and password")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert csp_violations == []

    another_tab = page.context.new_page()
    another_tab.goto("/")
    expect(another_tab).to_have_url(re.compile(r"/sign-in/\?next=/$"))
