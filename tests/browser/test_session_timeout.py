"""The session timeout warning in a real browser, against a daphne of its own whose limits are
seconds, not minutes (SESSION_* in its environment): the dialog shows and is announced,
"Stay signed in" keeps the session, and when the time runs out on a referral step the
person lands on sign-in and, signing in again, finds what they had typed.

A screenshot of the warning on a phone is saved as test-artifacts/session-timeout-warning-
phone.png."""

import os
import re
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from agencies.models import Role
from referrals.models import Referral
from tests.browser.conftest import (
    ARTIFACTS,
    DAPHNE_START_TIMEOUT,
    ROOT,
    daphne_failed,
    database_url_for,
    free_port,
    healthz_status,
)
from tests.conftest import second_factor_code
from tests.factories import AgencyFactory, person

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

IDLE = 20
WARNING = 12
PASSWORD = "correct-horse-battery"  # noqa: S105  (tests.factories.UserFactory's)


@pytest.fixture(scope="module")
def short_sessions_url(django_db_setup):
    """A daphne on this test process's database whose sessions end after IDLE idle seconds,
    with the warning WARNING seconds before."""
    from django.db import connection

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "PYTHONUNBUFFERED": "1",
        "SESSION_IDLE_TIMEOUT_SECONDS": str(IDLE),
        "SESSION_TIMEOUT_WARNING_SECONDS": str(WARNING),
        "SESSION_ABSOLUTE_LIMIT_SECONDS": "3600",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = (
        ARTIFACTS / f"daphne-short-sessions-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    )
    with log_path.open("w") as log:
        daphne = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            + ["config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + DAPHNE_START_TIMEOUT
        while healthz_status(url) != 200:
            if daphne.poll() is not None:
                daphne_failed(f"daphne exited with code {daphne.returncode}.", log_path)
            if time.monotonic() > deadline:
                daphne_failed(f"daphne did not answer at {url}/healthz in time.", log_path)
            time.sleep(0.1)
        yield url
    finally:
        daphne.terminate()
        try:
            daphne.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daphne.kill()
            daphne.wait()


@pytest.fixture
def short_page(browser, short_sessions_url):
    context = browser.new_context(
        base_url=short_sessions_url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "session-timeout-end.png", full_page=True)
        context.close()


def test_the_warning_shows_stay_signed_in_keeps_the_session_and_the_typed_form_survives(
    transactional_db, short_page, sign_in
):
    page = short_page
    csp_violations = []
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "Content Security Policy" in m.text
            and csp_violations.append(m.text)
        ),
    )
    person(Role.REFERRER, AgencyFactory(name="Fenmarsh Constabulary"), username="dana")
    sign_in(page, "dana", PASSWORD)
    page.goto("/referrals/new/")
    page.get_by_label("First name").fill("Ashlyn")
    page.get_by_label("Last name").fill("Brackenridge")

    # The warning: a modal dialog, named and described, focus moved into it.
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=(IDLE - WARNING + 5) * 1000)
    assert dialog.get_attribute("aria-modal") == "true"
    assert dialog.get_attribute("aria-describedby") == "app-timeout-text"
    assert dialog.locator("[aria-live=polite]").count() == 1
    expect(dialog).to_contain_text("we will sign you out in")
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    expect(dialog.get_by_text("what you have typed on this page will be saved")).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=ARTIFACTS / "session-timeout-warning-phone.png")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the warning scrolls sideways by {overflow}px at 360px"
    page.set_viewport_size({"width": 1280, "height": 900})
    for _ in range(4):  # the page behind is inert: Tab stays in the dialog
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.activeElement === document.body"
            " || document.activeElement.closest('dialog') !== null"
        )

    # The live region speaks seldom: at 10 seconds, not every second.
    expect(dialog.locator("[aria-live=polite]")).to_have_text(
        "You will be signed out in 10 seconds.", timeout=5000
    )

    # "Stay signed in" keeps the session: the dialog closes, the server has the full time.
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    status = page.request.get("/session/status/").json()
    assert status["signed_in"] is True
    assert status["remaining_seconds"] > WARNING
    expect(page.get_by_label("First name")).to_have_value("Ashlyn")

    # Left alone, the time runs out: the typed step goes with it, and comes back after sign-in.
    page.wait_for_url(re.compile(r"/sign-in/\?next="), timeout=(IDLE + 10) * 1000)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"You were signed out after {IDLE} seconds without activity"
    )
    assert not Referral.objects.exists()  # kept on the server, not yet saved
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    dana = get_user_model().objects.get(username="dana")
    page.get_by_label("Code from your authenticator app").fill(second_factor_code(dana))
    page.get_by_role("button", name="Continue").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "What you typed before you were signed out is saved in your draft referral"
    )
    expect(page.get_by_label("First name")).to_have_value("Ashlyn")
    expect(page.get_by_label("Last name")).to_have_value("Brackenridge")
    draft = Referral.objects.get()
    assert draft.child.last_name == "Brackenridge"
    assert page.url.endswith(f"/referrals/{draft.pk}/draft/child/")
    assert csp_violations == []


def test_activity_in_another_tab_puts_the_warning_off(transactional_db, short_page, sign_in):
    page = short_page
    person(Role.REFERRER, AgencyFactory(name="Fenmarsh Constabulary"), username="dana")
    sign_in(page, "dana", PASSWORD)
    page.goto("/referrals/")
    opened = time.monotonic()
    page.wait_for_timeout(5_000)

    # Another tab's request (the same browser's cookies; this page hears nothing of it).
    assert page.context.request.get("/referrals/").ok

    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    would_have_shown = IDLE - WARNING + 3 - (time.monotonic() - opened)
    page.wait_for_timeout(max(0, would_have_shown) * 1000)
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=10_000)  # the new time, counted from that request
