"""Sign-in is locked after repeated failures, by username and by address (issue 14: the
service accepted 30 wrong passwords for dana.harlow in 8 seconds, then the right one).

Every failure and every locked attempt is in the audit trail; a system administrator
unlocks from /manage/sign-in-lockouts/, and nobody else can."""

import pytest
from axes.models import AccessAttempt

from agencies.models import AuditAction, AuditEvent, Role
from tests.factories import AgencyFactory, UserFactory, person

PASSWORD = "correct-horse-battery"
LOCKED = "Too many failed attempts to sign in"


@pytest.fixture(autouse=True)
def lockout_on(settings):
    """The test settings leave django-axes off (Django's test client signs in without a
    request, which axes refuses); these tests switch it on, as production has it."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Fenmarsh Constabulary")


@pytest.fixture
def dana(agency):
    return person(Role.REFERRER, agency, username="dana.harlow")


@pytest.fixture
def sysadmin(agency):
    return person(Role.SYSTEM_ADMINISTRATOR, agency, username="admin.fenmarsh")


def fail(client, username="dana.harlow", times=1, path="/sign-in/", **extra):
    response = None
    for _ in range(times):
        response = client.post(path, {"username": username, "password": "wrong"}, **extra)
    return response


def test_after_the_failure_limit_the_right_password_is_refused_with_the_locked_message(
    client, dana
):
    fail(client, times=5)

    response = client.post("/sign-in/", {"username": "dana.harlow", "password": PASSWORD})

    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in html
    assert "govuk-error-summary" in html
    assert "_auth_user_id" not in client.session


def test_the_attempt_that_reaches_the_limit_already_shows_the_locked_message(client, dana):
    fourth = fail(client, times=4)
    fifth = fail(client)

    assert fourth.status_code == 200
    assert LOCKED not in fourth.content.decode()
    assert LOCKED in fifth.content.decode()


def test_an_unknown_username_is_locked_with_the_same_message(client, dana):
    """The lockout says nothing about whether the username exists."""
    known = fail(client, username="dana.harlow", times=5).content.decode()
    unknown = fail(client, username="nobody.here", times=5, REMOTE_ADDR="10.0.0.9")

    assert unknown.status_code == 429
    assert LOCKED in unknown.content.decode()
    assert _message(known) == _message(unknown.content.decode())


def _message(html: str) -> str:
    start = html.index(LOCKED)
    return html[start : html.index("<", start)]


def test_one_address_guessing_many_usernames_is_locked(client, dana):
    for n in range(5):
        fail(client, username=f"guess{n}")

    response = client.post("/sign-in/", {"username": "dana.harlow", "password": PASSWORD})

    assert response.status_code == 429


def test_the_lockout_follows_the_username_to_another_address(client, dana):
    fail(client, times=5, REMOTE_ADDR="10.0.0.1")

    response = client.post(
        "/sign-in/", {"username": "dana.harlow", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )

    assert response.status_code == 429


def test_the_address_comes_from_the_projects_own_proxy_rule(client, dana, settings):
    """Behind one trusted proxy, the address that proxy saw is the one locked; a forged
    X-Forwarded-For entry further left changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        fail(
            client,
            username=f"guess{n}",
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert AuditEvent.objects.filter(ip_address="203.0.113.7").count() == 5


def test_each_failure_and_the_lockout_are_in_the_audit_trail(client, dana):
    fail(client, times=5)
    fail(client)  # an attempt while locked

    failed = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    locked = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_LOCKED_OUT)
    assert failed.count() == 4
    assert locked.count() == 2
    assert all(event.ip_address == "127.0.0.1" for event in [*failed, *locked])
    assert all("dana.harlow" in event.detail for event in [*failed, *locked])
    assert all(event.object_id == str(dana.pk) for event in [*failed, *locked])
    assert all(event.actor is None for event in [*failed, *locked])


def test_the_django_admin_sign_in_is_locked_too(client, db):
    superuser = UserFactory(username="breakfix", is_staff=True, is_superuser=True)
    fail(client, username="breakfix", times=5, path="/admin/login/")

    response = client.post(
        "/admin/login/?next=/admin/", {"username": superuser.username, "password": PASSWORD}
    )

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 4


def test_the_sign_in_page_and_the_django_admin_share_one_count(client, dana):
    fail(client, times=3, path="/admin/login/")
    fail(client, times=2)

    response = client.post("/sign-in/", {"username": "dana.harlow", "password": PASSWORD})

    assert response.status_code == 429


def test_the_administrator_sees_the_locked_account_and_address_and_unlocks_the_account(
    client, dana, sysadmin
):
    fail(client, times=5, REMOTE_ADDR="10.0.0.1")
    client.force_login(sysadmin)

    page = client.get("/manage/sign-in-lockouts/").content.decode()
    assert "dana.harlow" in page
    assert "10.0.0.1" in page

    response = client.post(
        "/manage/sign-in-lockouts/unlock/", {"username": "dana.harlow"}, REMOTE_ADDR="10.0.0.5"
    )

    assert response.status_code == 302
    unlocked = AuditEvent.objects.get(action=AuditAction.SIGN_IN_UNLOCKED)
    assert unlocked.actor == sysadmin
    assert unlocked.ip_address == "10.0.0.5"
    assert "dana.harlow" in unlocked.detail
    client.logout()
    signed_in = client.post(
        "/sign-in/", {"username": "dana.harlow", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(dana.pk)


def test_the_administrator_unlocks_an_address(client, dana, sysadmin):
    for n in range(5):
        fail(client, username=f"guess{n}", REMOTE_ADDR="10.0.0.7")
    client.force_login(sysadmin)

    client.post("/manage/sign-in-lockouts/unlock/", {"address": "10.0.0.7"})

    assert not AccessAttempt.objects.filter(ip_address="10.0.0.7").exists()
    assert "10.0.0.7" in AuditEvent.objects.get(action=AuditAction.SIGN_IN_UNLOCKED).detail


def test_someone_who_is_not_an_administrator_cannot_unlock(client, dana, agency):
    lead = person(Role.AGENCY_LEAD, agency, username="lead.fenmarsh")
    fail(client, times=5)
    client.force_login(lead)

    listing = client.get("/manage/sign-in-lockouts/")
    unlock = client.post("/manage/sign-in-lockouts/unlock/", {"username": "dana.harlow"})

    assert listing.status_code == 403
    assert unlock.status_code == 403
    assert AccessAttempt.objects.filter(username="dana.harlow").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN_UNLOCKED).exists()
