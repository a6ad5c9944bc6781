"""The API's Swagger UI (/api/docs/) in a real browser, under the service's strict CSP."""

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_swagger_ui_renders_every_operation_without_breaking_the_csp(
    transactional_db, page, csp_violations, sign_in
):
    person(Role.REFERRER, username="docs.reader")
    sign_in(page, "docs.reader", "correct-horse-battery")

    page.goto("/api/docs/")

    # Five operations on referrals, three on missing episodes.
    expect(page.locator(".opblock")).to_have_count(8)
    create = page.locator(".opblock-post", has_text="Create a referral and submit it")
    create.locator(".opblock-summary").click()
    # The example body and the schema of the request render inside the operation.
    expect(create).to_contain_text("Brackenridge")
    expect(create).to_contain_text("Idempotency-Key")
    assert csp_violations == []
