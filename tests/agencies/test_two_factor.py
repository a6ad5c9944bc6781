"""Two factors for everyone (issue 14): the password, then an authenticator app's code, a
passkey or a recovery code before any page, API answer or socket with case content; throttled
and audited failures; set up at first sign-in with recovery codes shown once; asked again
before break glass and exports."""

import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies import sockets, two_factor
from agencies.models import AuditAction, AuditEvent, Role
from referrals.api.tokens import api_token_issue
from tests.conftest import pass_second_factor, second_factor_code
from tests.factories import AgencyFactory, person

PASSWORD = "correct-horse-battery"


@pytest.fixture
def referrer(db):
    return person(Role.REFERRER, AgencyFactory(name="Police"), username="referrer")


@pytest.fixture
def app(referrer):
    return TOTPDevice.objects.create(user=referrer, name="Phone", confirmed=True)


@pytest.fixture
def password_only():
    """A browser signed in with the password alone (the test client otherwise passes the
    second factor at sign-in, tests/conftest.py)."""
    client = Client()
    client.second_factor_pending = True
    return client


def code_of(device, *, steps_ahead: int = 0) -> str:
    return two_factor.current_code(device.key, at=time.time() + 30 * steps_ahead)


def refusals_of(user):
    return AuditEvent.objects.filter(
        actor=user, action=AuditAction.SIGN_IN_FAILED, detail__startswith="Second factor refused"
    )


# --- After the password ---------------------------------------------------------------------


def test_the_password_leads_to_the_second_factor_page_and_on_to_next(client, referrer, app):
    response = client.post(
        "/sign-in/?next=/referrals/", {"username": "referrer", "password": PASSWORD}
    )

    assert response["Location"] == f"/sign-in/second-factor/?next={quote('/referrals/', '')}"
    page = client.get(response["Location"]).content.decode()
    assert "Check it is you" in page
    assert 'autocomplete="one-time-code"' in page
    answer = client.post(response["Location"], {"code": code_of(app)})
    assert answer["Location"] == "/referrals/"
    assert client.get("/referrals/").status_code == 200


def test_with_the_password_alone_every_page_leads_to_the_second_factor(password_only, app):
    password_only.force_login(app.user)

    for path in ["/", "/referrals/", "/break-glass/", "/account/security/", "/admin/"]:
        response = password_only.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/sign-in/second-factor/?next={quote(path, '')}", path


def test_with_the_password_alone_sign_out_still_works(password_only, app):
    password_only.force_login(app.user)

    password_only.post("/sign-out/")

    assert "_auth_user_id" not in password_only.session


def test_someone_with_no_second_factor_yet_is_sent_to_set_one_up(password_only, referrer):
    password_only.force_login(referrer)

    response = password_only.get("/referrals/")

    assert response["Location"] == f"/sign-in/second-factor/set-up/?next={quote('/referrals/', '')}"
    page = password_only.get(response["Location"]).content.decode()
    assert "Set up a passkey or security key" in page
    assert "Set up an authenticator app" in page


def test_a_wrong_code_is_refused_with_the_error_summary_and_audited(password_only, app):
    password_only.force_login(app.user)

    response = password_only.post("/sign-in/second-factor/", {"code": "000000"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Check it is you" in html
    assert "govuk-error-summary" in html
    assert "The code is not right" in html
    assert refusals_of(app.user).count() == 1
    assert DEVICE_ID_SESSION_KEY not in password_only.session


def test_a_code_that_is_not_six_digits_is_refused_before_it_is_tried(password_only, app):
    password_only.force_login(app.user)

    html = password_only.post("/sign-in/second-factor/", {"code": "12ab"}).content.decode()

    assert "Enter the code as 6 digits" in html
    app.refresh_from_db()
    assert app.throttling_failure_count == 0


def test_after_a_wrong_code_even_the_right_one_waits_and_each_wrong_one_doubles_the_wait(
    password_only, app, settings
):
    assert settings.OTP_TOTP_THROTTLE_FACTOR == 1  # django-otp's throttling is on: 1 s, 2 s, 4 s
    password_only.force_login(app.user)
    password_only.post("/sign-in/second-factor/", {"code": "000000"})

    refused = password_only.post("/sign-in/second-factor/", {"code": code_of(app)})

    assert "Too many wrong codes. Wait" in refused.content.decode()
    assert refusals_of(app.user).count() == 2
    app.refresh_from_db()
    assert app.throttling_failure_count == 1  # tried too soon: not even checked
    waited = timezone.now() - timedelta(seconds=1.5)
    TOTPDevice.objects.filter(pk=app.pk).update(throttling_failure_timestamp=waited)
    password_only.post("/sign-in/second-factor/", {"code": "000001"})
    app.refresh_from_db()
    assert app.throttling_failure_count == 2
    TOTPDevice.objects.filter(pk=app.pk).update(throttling_failure_timestamp=waited)
    assert password_only.post("/sign-in/second-factor/", {"code": code_of(app)}).status_code == 200
    TOTPDevice.objects.filter(pk=app.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=3)
    )
    accepted = password_only.post("/sign-in/second-factor/", {"code": code_of(app)})
    assert accepted.status_code == 302
    app.refresh_from_db()
    assert app.throttling_failure_count == 0


def test_a_code_signs_in_once(app):
    first, second = Client(), Client()
    for browser in (first, second):
        browser.second_factor_pending = True
        browser.force_login(app.user)
    code = code_of(app)

    assert first.post("/sign-in/second-factor/", {"code": code}).status_code == 302
    assert second.post("/sign-in/second-factor/", {"code": code}).status_code == 200


def test_passing_the_second_factor_stamps_the_session_for_step_up(password_only, app):
    password_only.force_login(app.user)

    password_only.post("/sign-in/second-factor/", {"code": code_of(app)})

    session = password_only.session
    assert session[DEVICE_ID_SESSION_KEY] == app.persistent_id
    assert abs(session[two_factor.VERIFIED_AT] - time.time()) < 5


def test_next_cannot_lead_off_the_site(password_only, app):
    password_only.force_login(app.user)

    response = password_only.post(
        "/sign-in/second-factor/?next=https://evil.example/", {"code": code_of(app)}
    )

    assert response["Location"] == "/"


# --- Recovery codes -------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_and_its_use_is_audited(password_only, app):
    codes = two_factor.recovery_codes_issue(actor=app.user)
    password_only.force_login(app.user)

    used = password_only.post(
        "/sign-in/second-factor/recovery-code/?next=/referrals/", {"code": codes[0].upper()}
    )

    assert used["Location"] == "/referrals/"
    assert two_factor.recovery_codes_left(app.user) == 9
    row = AuditEvent.objects.get(actor=app.user, detail__contains="recovery code used")
    assert row.action == AuditAction.CHANGED
    assert "9 left" in row.detail
    again = Client()
    again.second_factor_pending = True
    again.force_login(app.user)
    refused = again.post("/sign-in/second-factor/recovery-code/", {"code": codes[0]})
    assert "The recovery code is not right" in refused.content.decode()
    assert refusals_of(app.user).count() == 1


def test_wrong_recovery_codes_are_throttled_too(password_only, app):
    codes = two_factor.recovery_codes_issue(actor=app.user)
    password_only.force_login(app.user)
    password_only.post("/sign-in/second-factor/recovery-code/", {"code": "aaaaaaaa"})
    password_only.post("/sign-in/second-factor/recovery-code/", {"code": "bbbbbbbb"})

    refused = password_only.post("/sign-in/second-factor/recovery-code/", {"code": codes[1]})

    assert "Too many wrong codes" in refused.content.decode()
    assert two_factor.recovery_codes_left(app.user) == 10


# --- Setting one up at first sign-in ------------------------------------------------------


def test_setting_up_an_authenticator_app_then_seeing_ten_recovery_codes_once(
    password_only, referrer
):
    password_only.force_login(referrer)
    page = password_only.get("/sign-in/second-factor/set-up/authenticator-app/?next=/referrals/")
    html = page.content.decode()
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in html
    key = password_only.session["two_factor_pending_key"]
    assert two_factor.secret_for_people(key) in html

    response = password_only.post(
        "/sign-in/second-factor/set-up/authenticator-app/?next=/referrals/",
        {"code": two_factor.current_code(key), "name": "Work phone"},
    )

    device = TOTPDevice.objects.get(user=referrer)
    assert (device.name, device.confirmed, device.key) == ("Work phone", True, key)
    assert response["Location"] == (
        f"/sign-in/second-factor/recovery-codes/?next={quote('/referrals/', '')}"
    )
    shown = password_only.get(response["Location"]).content.decode()
    codes = list(StaticToken.objects.filter(device__user=referrer).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(f"<code>{code}</code>" in shown for code in codes)
    assert password_only.get(response["Location"])["Location"] == "/account/security/"
    assert password_only.get("/referrals/").status_code == 200
    details = set(AuditEvent.objects.filter(actor=referrer).values_list("detail", flat=True))
    assert "Second factor added: authenticator app “Work phone”" in details
    assert "Second factor: 10 new recovery codes" in details


def test_a_wrong_code_does_not_set_up_the_app(password_only, referrer):
    password_only.force_login(referrer)
    password_only.get("/sign-in/second-factor/set-up/authenticator-app/")

    response = password_only.post(
        "/sign-in/second-factor/set-up/authenticator-app/", {"code": "000000"}
    )

    assert "<title>Error: Set up an authenticator app" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=referrer).exists()


def test_with_the_password_alone_nobody_can_add_a_factor_to_a_set_up_account(password_only, app):
    """Else a stolen password would be enough to add the thief's own authenticator."""
    password_only.force_login(app.user)

    page = password_only.get("/sign-in/second-factor/set-up/authenticator-app/")
    passkey = password_only.get("/sign-in/second-factor/set-up/passkey/")
    begin = password_only.post("/sign-in/passkey/registration/begin/")

    assert page["Location"].startswith("/sign-in/second-factor/?next=")
    assert passkey["Location"].startswith("/sign-in/second-factor/?next=")
    assert begin.status_code == 403
    assert TOTPDevice.objects.filter(user=app.user).count() == 1


# --- The API and the sockets ----------------------------------------------------------------


def test_the_api_takes_a_browser_session_only_once_it_has_passed_the_second_factor(app):
    browser = APIClient()
    browser.second_factor_pending = True
    browser.force_login(app.user)
    assert browser.get("/api/v1/referrals/").status_code == 401

    pass_second_factor_session(browser, app.user)

    assert browser.get("/api/v1/referrals/").status_code == 200


def test_an_api_token_needs_no_second_factor(referrer):
    machine = APIClient()
    machine.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(person=referrer)}")

    assert machine.get("/api/v1/referrals/").status_code == 200


def pass_second_factor_session(client, user):
    session = client.session
    pass_second_factor(session, user)
    session.save()


def test_a_socket_needs_a_session_that_passed_the_second_factor(password_only, app):
    password_only.force_login(app.user)
    key = password_only.session.session_key

    assert sockets.check_session(session_key=key, user_id=app.user.pk).user is None

    password_only.post("/sign-in/second-factor/", {"code": code_of(app)})
    key = password_only.session.session_key
    assert sockets.check_session(session_key=key, user_id=app.user.pk).user == app.user


# --- Step-up: asked again before break glass and exports ----------------------------------


def grow_old(client, seconds: int = 301) -> None:
    session = client.session
    session[two_factor.VERIFIED_AT] -= seconds
    session.save()


@pytest.fixture
def lead(db):
    return person(Role.AGENCY_LEAD, AgencyFactory(name="Health"), username="lead")


def test_break_glass_asks_for_the_second_factor_again_after_five_minutes(client, lead):
    client.force_login(lead)
    assert client.get("/break-glass/").status_code == 200
    grow_old(client)

    response = client.get("/break-glass/")

    assert response["Location"] == f"/sign-in/second-factor/?next={quote('/break-glass/', '')}"
    page = client.get(response["Location"]).content.decode()
    assert "Confirm it is you" in page
    confirmed = client.post(response["Location"], {"code": second_factor_code(lead)})
    assert confirmed["Location"] == "/break-glass/"
    assert client.get("/break-glass/").status_code == 200


def test_a_break_glass_posted_after_five_minutes_is_asked_again_and_not_done(client, lead):
    client.force_login(lead)
    grow_old(client)

    response = client.post("/break-glass/", {"reference": "REF-1", "reason": "Urgent"})

    assert response["Location"] == f"/sign-in/second-factor/?next={quote('/break-glass/', '')}"
    assert not AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS).exists()


def test_the_step_up_window_is_configurable(client, lead, settings):
    settings.SECOND_FACTOR_STEP_UP_SECONDS = 60
    client.force_login(lead)
    grow_old(client, 61)

    assert client.get("/break-glass/").status_code == 302


def test_an_audit_trail_export_asks_again_and_writes_no_export_row_until_then(client, world):
    dpo = world.people["dpo"]
    client.force_login(dpo)
    grow_old(client)
    path = f"/referrals/{world.referral.pk}/audit/?format=csv"

    response = client.get(path)

    assert response["Location"] == f"/sign-in/second-factor/?next={quote(path, '')}"
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED_CSV).exists()
    client.post(response["Location"], {"code": second_factor_code(dpo)})
    assert client.get(path)["Content-Type"].startswith("text/csv")


def test_a_pdf_export_asks_again(client, world):
    client.force_login(world.people["chair"])
    path = f"/panels/{world.meeting.panel_id}/action-log.pdf"
    assert client.get(path).status_code == 200
    grow_old(client)

    response = client.get(path)

    assert response["Location"] == f"/sign-in/second-factor/?next={quote(path, '')}"


def test_confirming_with_a_recovery_code_counts_as_step_up(client, lead):
    codes = two_factor.recovery_codes_issue(actor=lead)
    client.force_login(lead)
    grow_old(client)

    client.post("/sign-in/second-factor/recovery-code/?next=/break-glass/", {"code": codes[3]})

    assert client.get("/break-glass/").status_code == 200
    assert StaticDevice.objects.get(user=lead).token_set.count() == 9


def _password_only_session(user):
    """The session a browser holds after the password alone, as a socket's scope has it."""
    from concurrent.futures import ThreadPoolExecutor
    from importlib import import_module

    from django.conf import settings
    from django.db import connections

    def sign_in():
        try:
            browser = Client()
            browser.second_factor_pending = True
            browser.force_login(user)
            store = import_module(settings.SESSION_ENGINE).SessionStore
            return store(browser.cookies[settings.SESSION_COOKIE_NAME].value)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign_in).result()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_notification_socket_refuses_a_session_without_the_second_factor():
    from asgiref.sync import sync_to_async
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from config.routing import websocket_urlpatterns
    from tests.factories import signed_in_session

    user = await sync_to_async(person)(Role.REFERRER, username="socket.user")
    for session, admitted in [(_password_only_session(user), False), (None, True)]:
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/notifications/")
        communicator.scope["user"] = user
        communicator.scope["session"] = session or signed_in_session(user)
        connected, _ = await communicator.connect()
        assert connected is admitted
        await communicator.disconnect()
