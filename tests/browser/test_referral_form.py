"""A referral made through the question pages in a real browser, under the strict CSP, and
seen by the coordinator in the screening queue. Screenshots of each page, at desktop width
and at 375px (a phone), are saved in test-artifacts/referral-form-*.png."""

import re

import pytest
from playwright.sync_api import expect

from agencies.demo import DEMO_PASSWORD, seed_people
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTHS = {"desktop": 1280, "phone": 375}


def screenshots(page, name: str) -> None:
    """The page as it is, at desktop width and on a phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=ARTIFACTS / f"referral-form-{name}-{label}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def test_a_referrer_submits_a_referral_that_the_coordinator_then_sees_in_the_queue(
    transactional_db, browser, live_server_url, page, csp_violations, sign_in
):
    seed_people()
    sign_in(page, "dana.harlow", DEMO_PASSWORD)
    page.get_by_role("button", name="Make a referral").click()  # a GOV.UK start button

    # Step 1, the child, with an NHS number whose check digit is wrong.
    expect(page.get_by_role("heading", level=1)).to_have_text("About the child")
    page.get_by_label("First name").fill("Ashlyn")
    page.get_by_label("Last name").fill("Brackenridge")
    page.get_by_label("Yes", exact=True).check()
    page.locator("#id_date_of_birth_0").fill("15")
    page.locator("#id_date_of_birth_1").fill("6")
    page.locator("#id_date_of_birth_2").fill("2012")
    page.get_by_label("Female").check()
    page.get_by_label("Postcode (optional)").fill("FE1 2AB")
    page.get_by_label("NHS number (optional)").fill("999 000 0019")
    page.get_by_role("button", name="Continue").click()

    error_summary = page.locator(".govuk-error-summary")
    expect(error_summary).to_contain_text("There is a problem")
    expect(error_summary).to_contain_text("Enter a valid NHS number")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("First name")).to_have_value("Ashlyn")
    expect(page.locator("#id_date_of_birth_2")).to_have_value("2012")
    expect(page.get_by_label("NHS number (optional)")).to_have_value("999 000 0019")
    screenshots(page, "1-child-with-error")
    error_summary.get_by_role("link", name=re.compile("Enter a valid NHS number")).click()
    expect(page.get_by_label("NHS number (optional)")).to_be_focused()

    page.get_by_label("NHS number (optional)").fill("999 000 0018")
    page.get_by_role("button", name="Continue").click()

    # Step 2, the household.
    expect(page.get_by_role("heading", level=1)).to_have_text("Family and household")
    page.get_by_label("Full name").fill("Marnie Brackenridge")
    page.get_by_label("Relationship to the child").fill("Mother")
    page.get_by_role("button", name="Add another member").click()
    expect(page.get_by_test_id("household-member")).to_have_count(2)
    screenshots(page, "2-household")
    page.get_by_role("button", name="Continue").click()

    # Step 3, the concern.
    expect(page.get_by_role("heading", level=1)).to_have_text("The concern")
    page.get_by_label("Child sexual exploitation").check()
    page.get_by_label("Missing from home, care or education").check()
    page.get_by_label("Describe the concern").fill(
        "Missing overnight twice this week; seen getting into a car with older males."
    )
    page.get_by_label("No", exact=True).check()
    screenshots(page, "3-concern")
    page.get_by_role("button", name="Continue").click()

    # Step 4, consent: "not sought" reveals the lawful basis and the reason.
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent and the family")
    expect(page.locator("#id_lawful_basis_not_sought")).to_be_hidden()
    page.get_by_label("Consent not sought", exact=True).check()
    expect(page.locator("#id_lawful_basis_not_sought")).to_be_visible()
    page.locator("#id_lawful_basis_not_sought").fill("Children Act 1989 s47")
    page.locator("#id_reason_not_sought").fill("Asking would place her at greater risk.")
    page.get_by_label("No", exact=True).check()
    screenshots(page, "4-consent")
    page.get_by_role("button", name="Continue").click()

    # Step 5, attachments (optional), then check your answers.
    expect(page.get_by_role("heading", level=1)).to_have_text("Attachments")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting the referral"
    )
    expect(page.get_by_test_id("check-child")).to_contain_text("999 000 0018")
    expect(page.get_by_test_id("check-household")).to_contain_text("Marnie Brackenridge")
    screenshots(page, "5-check-your-answers")
    page.get_by_role("button", name="Submit referral").click()

    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("Referral submitted")
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"[A-Z]+-\d{4}-\d{4,}", reference)
    screenshots(page, "6-confirmation")
    assert csp_violations == []

    # The coordinator, in a browser of their own, finds it in the screening queue.
    coordinator = browser.new_context(base_url=live_server_url)
    try:
        queue_page = coordinator.new_page()
        sign_in(queue_page, "maya.lindqvist", DEMO_PASSWORD)
        queue_page.get_by_role("link", name="Screening queue").click()
        row = queue_page.get_by_test_id("queue-row").filter(has_text=reference)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Fenmarsh Constabulary")
        expect(row.get_by_test_id("clock")).to_contain_text(re.compile(r"left|Due today|Overdue"))
        screenshots(queue_page, "7-screening-queue")

        row.get_by_role("link", name=reference).click()
        expect(queue_page.get_by_role("heading", level=1)).to_have_text(reference)
        expect(queue_page.get_by_test_id("history")).to_contain_text("Submitted")
        expect(queue_page.get_by_test_id("action-screen")).to_be_visible()
        screenshots(queue_page, "8-referral-page")
    finally:
        coordinator.close()


def test_the_coordinator_screens_from_the_demo_caseload(
    transactional_db, page, csp_violations, sign_in
):
    from referrals.demo import seed_referrals

    borough = seed_people()
    seed_referrals(borough["people"], borough["agencies"])
    sign_in(page, "maya.lindqvist", DEMO_PASSWORD)
    page.get_by_role("link", name="Screening queue").click()

    rows = page.get_by_test_id("queue-row")
    expect(rows.first).to_be_visible()
    expect(page.locator(".app-table__row--overdue").first).to_contain_text("Overdue by")
    expect(page.get_by_test_id("screening-queue")).to_contain_text("suggested match")
    expect(page.get_by_test_id("screening-queue")).to_contain_text("Repeat referral")
    screenshots(page, "9-demo-screening-queue")

    # A referral with a suggested match: compare, then screen it (first forgetting the rating).
    row = rows.filter(has_text="suggested match").filter(has_text="To screen").first
    row.get_by_role("link").first.click()
    expect(page.get_by_test_id("match")).to_be_visible()
    page.get_by_test_id("action-screen").locator("summary").click()
    screenshots(page, "10-demo-referral-with-match")
    page.get_by_test_id("action-screen").get_by_label("Reason for the rating").fill(
        "Police and school both worried."
    )
    page.get_by_test_id("action-screen").get_by_role("button", name="Record the screening").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a RAG rating")
    expect(page.get_by_label("Reason for the rating")).to_have_value(
        "Police and school both worried."
    )
    screenshots(page, "11-screen-error")
    page.get_by_label("Amber").check()
    page.get_by_role("button", name="Record the screening").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("screened")
    expect(page.get_by_test_id("history")).to_contain_text("Screened")

    page.get_by_role("link", name="The child's chronology").click()
    expect(page.get_by_test_id("chronology")).to_be_visible()
    screenshots(page, "12-child-chronology")

    page.goto("/search/?q=Thornbury")
    expect(page.get_by_test_id("search-results")).to_contain_text("FEN-2026-0001")
    screenshots(page, "13-search")
    page.goto(f"/referrals/{_pk_of('FEN-2026-0001')}/")
    screenshots(page, "14-demo-referral-at-panel")
    assert csp_violations == []


def _pk_of(reference: str) -> int:
    from referrals.models import Referral

    return Referral.objects.get(reference=reference).pk
