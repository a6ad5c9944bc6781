"""Sign-in security: a person sees their factors, adds and removes them (removal keeps a record),
makes new recovery codes; an administrator resets a person's second factor, audited; passkeys
are a second factor only; the demo's authenticator is refused in production."""

import time
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import demo, two_factor
from agencies.models import AuditAction, AuditEvent, Role
from agencies.two_factor_passkeys import PasskeyHelper, relying_party_id
from tests.factories import AgencyFactory, person


@pytest.fixture
def referrer(db):
    return person(Role.REFERRER, AgencyFactory(name="Police"), username="referrer")


@pytest.fixture
def sysadmin(db):
    return person(Role.SYSTEM_ADMINISTRATOR, AgencyFactory(name="Council"), username="sysadmin")


def grow_old(client, seconds: int = 301) -> None:
    session = client.session
    session[two_factor.VERIFIED_AT] -= seconds
    session.save()


def test_the_page_lists_the_factors_in_use_and_the_recovery_codes_left(client, referrer):
    client.force_login(referrer)  # with a test authenticator (tests/conftest.py)
    TOTPDevice.objects.create(user=referrer, name="Old phone", confirmed=False)
    two_factor.recovery_codes_issue(actor=referrer)

    html = client.get("/account/security/").content.decode()

    assert "Test authenticator" in html
    assert "Old phone" not in html
    assert "You have 10 of 10 recovery codes left." in html


def test_removing_a_factor_keeps_it_unconfirmed_with_who_when_and_why(client, referrer):
    client.force_login(referrer)
    spare = TOTPDevice.objects.create(user=referrer, name="Old phone", confirmed=True)

    response = client.post(
        f"/account/security/app/{spare.pk}/remove/", {"reason": "Phone replaced"}
    )

    assert response["Location"] == "/account/security/"
    spare.refresh_from_db()
    assert spare.confirmed is False
    row = AuditEvent.objects.get(object_type="otp_totp.totpdevice", object_id=str(spare.pk))
    assert (row.actor, row.action, row.reason) == (referrer, AuditAction.CHANGED, "Phone replaced")
    assert row.detail == "Second factor removed: “Old phone”"


def test_the_only_factor_cannot_be_removed(client, referrer):
    client.force_login(referrer)
    only = TOTPDevice.objects.get(user=referrer)

    response = client.post(f"/account/security/app/{only.pk}/remove/", {"reason": "Testing"})

    assert "Add another authenticator app or passkey before" in response.content.decode()
    only.refresh_from_db()
    assert only.confirmed is True


def test_removing_needs_a_reason_and_a_recent_second_factor(client, referrer):
    client.force_login(referrer)
    spare = TOTPDevice.objects.create(user=referrer, name="Spare", confirmed=True)
    path = f"/account/security/app/{spare.pk}/remove/"
    assert "<title>Error: " in client.post(path, {"reason": ""}).content.decode()
    grow_old(client)

    response = client.post(path, {"reason": "Lost"})

    assert response["Location"] == f"/sign-in/second-factor/?next={quote(path, '')}"
    spare.refresh_from_db()
    assert spare.confirmed is True


def test_nobody_removes_another_persons_factor(client, referrer):
    other = person(Role.REFERRER, AgencyFactory(), username="other")
    theirs = TOTPDevice.objects.create(user=other, name="Theirs", confirmed=True)
    client.force_login(referrer)

    assert client.get(f"/account/security/app/{theirs.pk}/remove/").status_code == 404
    assert client.get("/account/security/codes/1/remove/").status_code == 404


def test_new_recovery_codes_replace_the_old_ones_which_are_kept_unconfirmed(client, referrer):
    old = two_factor.recovery_codes_issue(actor=referrer)
    client.force_login(referrer)

    response = client.post("/account/security/recovery-codes/new/")
    shown = client.get(response["Location"]).content.decode()

    assert StaticDevice.objects.filter(user=referrer).count() == 2
    current = StaticDevice.objects.get(user=referrer, confirmed=True)
    new = list(current.token_set.values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in shown for code in new)
    assert "the earlier ones no longer work" in AuditEvent.objects.latest("pk").detail
    assert two_factor.recovery_code_use(actor=referrer, code=old[0]).device is None


def test_adding_an_authenticator_later_asks_again_after_five_minutes(client, referrer):
    client.force_login(referrer)
    grow_old(client)

    response = client.get("/sign-in/second-factor/set-up/authenticator-app/")

    assert response["Location"].startswith("/sign-in/second-factor/?next=")


# --- An administrator's reset -------------------------------------------------------------


def test_an_administrator_resets_a_second_factor_and_the_person_sets_up_a_new_one(
    client, sysadmin, referrer
):
    browser = Client()
    browser.force_login(referrer)
    two_factor.recovery_codes_issue(actor=referrer)
    client.force_login(sysadmin)

    response = client.post(
        f"/manage/people/{referrer.pk}/second-factor/reset/",
        {"reason": "Lost phone and codes; called back on the number we hold"},
    )

    assert response["Location"] == f"/manage/people/{referrer.pk}/"
    assert not TOTPDevice.objects.filter(user=referrer, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=referrer, confirmed=True).exists()
    assert TOTPDevice.objects.filter(user=referrer).exists()  # kept, unconfirmed
    row = AuditEvent.objects.get(actor=sysadmin, object_type="auth.user")
    assert row.reason.startswith("Lost phone")
    assert "Second factor reset for referrer" in row.detail
    after = browser.get("/referrals/")
    assert after["Location"].startswith("/sign-in/second-factor/set-up/")


def test_only_an_administrator_resets_and_not_their_own(client, sysadmin, referrer):
    client.force_login(referrer)
    assert (
        client.post(
            f"/manage/people/{sysadmin.pk}/second-factor/reset/", {"reason": "x"}
        ).status_code
        == 403
    )
    client.force_login(sysadmin)
    assert (
        client.post(
            f"/manage/people/{sysadmin.pk}/second-factor/reset/", {"reason": "x"}
        ).status_code
        == 403
    )
    assert TOTPDevice.objects.filter(user=sysadmin, confirmed=True).exists()


# --- Passkeys ---------------------------------------------------------------------------------


def test_passkeys_need_the_password_first(client, db):
    assert client.post("/sign-in/passkey/begin/").status_code == 403
    assert client.post("/sign-in/passkey/registration/begin/").status_code == 403


def test_a_passkey_begins_for_a_person_signed_in(client, referrer):
    client.force_login(referrer)

    options = client.post("/sign-in/passkey/registration/begin/", HTTP_HOST="localhost:8000")

    assert options.status_code == 200
    assert options.json()["rp"] == {"name": "Safeguarding Panels", "id": "localhost"}


def test_a_passkey_answer_the_service_cannot_accept_is_audited(client, referrer):
    client.force_login(referrer)

    response = client.post("/sign-in/passkey/complete/", "{}", content_type="application/json")

    assert response.status_code == 400
    row = AuditEvent.objects.get(actor=referrer, action=AuditAction.SIGN_IN_FAILED)
    assert "a passkey the service could not accept (invalid_state)" in row.detail


def test_the_relying_party_is_the_host_unless_set_and_localhost_is_allowed_outside_production(
    settings,
):
    request = RequestFactory().get("/", HTTP_HOST="localhost:51234")
    assert relying_party_id(request) == "localhost"
    assert "http://localhost:51234" in PasskeyHelper(request).get_allowed_origins()
    other = RequestFactory().get("/", HTTP_HOST="127.0.0.1:51234")
    assert "http://127.0.0.1:51234" not in PasskeyHelper(other).get_allowed_origins()
    settings.WEBAUTHN_RP_ID = "panels.example.org"
    settings.PRODUCTION = True
    assert relying_party_id(request) == "panels.example.org"
    assert "http://localhost:51234" not in PasskeyHelper(request).get_allowed_origins()


# --- The demo's second factor ---------------------------------------------------------------


def test_each_demo_login_has_the_demo_authenticator_and_demo_code_prints_its_code(demo_borough):
    dana = demo_borough["people"]["dana.harlow"]
    out = StringIO()

    call_command("demo_code", "dana.harlow", stdout=out, stderr=StringIO())

    device = TOTPDevice.objects.get(user=dana)
    assert device.key == two_factor.DEMO_TOTP_KEY
    code = out.getvalue().strip()
    assert code in {two_factor.current_code(device.key, at=time.time() + d) for d in (-30, 0)}
    assert two_factor.authenticator_code_check(actor=dana, code=code).device == device


def test_seed_demo_prints_how_to_get_the_second_factor(settings, capsys, db):
    settings.DEBUG = True
    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "manage.py demo_code dana.harlow" in out
    assert two_factor.DEMO_TOTP_SECRET in out


def test_production_refuses_the_demo_authenticator(settings, demo_borough):
    dana = demo_borough["people"]["dana.harlow"]
    settings.DJANGO_ENV = "production"

    result = two_factor.authenticator_code_check(
        actor=dana, code=two_factor.current_code(two_factor.DEMO_TOTP_KEY)
    )

    assert result.device is None
    assert result.error == "The demo authenticator cannot be used on this system"
    assert AuditEvent.objects.filter(
        actor=dana, detail__contains="the demo authenticator, in production"
    ).exists()
    with pytest.raises(CommandError):
        call_command("demo_code", "dana.harlow")
    TOTPDevice.objects.filter(user=dana).update(confirmed=False)
    demo.seed_demo_authenticator(dana)
    assert not TOTPDevice.objects.filter(user=dana, confirmed=True).exists()
