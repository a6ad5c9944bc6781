"""Two factors in a real browser, against daphne, under the strict CSP: a new person sets up an
authenticator app (its code computed here from the key the page shows) and signs in with it;
another registers a passkey on Chromium's virtual authenticator (the DevTools protocol's
WebAuthn domain) and signs in with it. axe-core checks the pages only a new person sees."""

import re
from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from agencies import two_factor
from agencies.models import Role
from tests.browser.test_accessibility import serious_violations
from tests.conftest import second_factor_code
from tests.factories import AgencyFactory, person

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def password_step(page, username: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_new_person_sets_up_an_authenticator_app_and_signs_in_with_its_code(
    transactional_db, page, csp_violations
):
    newcomer = person(Role.REFERRER, AgencyFactory(name="Police"), username="new.starter")

    password_step(page, "new.starter")
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/set-up/\?next="))
    assert serious_violations(page) == []
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert serious_violations(page) == []
    secret = page.get_by_test_id("authenticator-secret").inner_text()
    key = b32decode(secret.replace(" ", "")).hex()
    page.get_by_label("Code from your authenticator app").fill(two_factor.current_code(key))
    page.get_by_label("Name this authenticator (optional)").fill("Work phone")
    page.get_by_role("button", name="Add authenticator app").click()

    expect(page).to_have_title("Save your recovery codes – Safeguarding Panels")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert TOTPDevice.objects.get(user=newcomer).name == "Work phone"

    sign_out(page)
    password_step(page, "new.starter")
    expect(page).to_have_title("Check it is you – Safeguarding Panels")
    page.get_by_label("Code from your authenticator app").fill(second_factor_code(newcomer))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert csp_violations == []


@pytest.fixture
def passkey_page(browser, live_server_url):
    """A page at http://localhost (a secure context, and a name a passkey can belong to: not an
    IP address) with Chromium's virtual authenticator: a platform one with user verification."""
    context = browser.new_context(
        base_url=live_server_url.replace("127.0.0.1", "localhost"),
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    violations: list[str] = []
    page.on(
        "console",
        lambda m: (
            violations.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    page.csp_violations = violations
    try:
        yield page
    finally:
        context.close()


def test_a_new_person_registers_a_passkey_and_signs_in_with_it(transactional_db, passkey_page):
    page = passkey_page
    newcomer = person(Role.PANEL_MEMBER, AgencyFactory(name="Health"), username="key.holder")

    password_step(page, "key.holder")
    page.get_by_role("link", name="Set up a passkey or security key").click()
    expect(page).to_have_title("Set up a passkey or security key – Safeguarding Panels")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Set up a passkey or security key").click()

    expect(page).to_have_title("Save your recovery codes – Safeguarding Panels")
    assert WebAuthnCredential.objects.filter(user=newcomer, confirmed=True).count() == 1
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page).to_have_url(re.compile(r"/$"))

    sign_out(page)
    password_step(page, "key.holder")
    expect(page).to_have_title("Check it is you – Safeguarding Panels")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Use your passkey or security key").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert WebAuthnCredential.objects.get(user=newcomer).last_used_at is not None
    assert page.csp_violations == []
