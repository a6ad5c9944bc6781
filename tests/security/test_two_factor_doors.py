"""A session that has passed the password but not the second factor is refused on every kind
of door, sent to the second-factor page and never served data: a page, the session API, the
meeting socket, a PDF and its web page twin, a CSV export. And the newer exports (caseloads,
the quality overview, the board's dashboard, missing episodes, a panel's network) ask for the
second factor again once the last is older than SECOND_FACTOR_STEP_UP_SECONDS, writing no
export row until it is given.

Already proved in tests/agencies/test_two_factor.py, not repeated here: the older pages
("/", "/referrals/", "/break-glass/"...), /api/v1/referrals/, the notification socket, and
step-up for break glass, the audit trail's CSV and the action log's PDF."""

from urllib.parse import quote

import pytest
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies import two_factor
from agencies.models import AuditAction, AuditEvent, Role
from config.routing import websocket_urlpatterns
from tests.agencies.doors_casework import world_casework
from tests.conftest import second_factor_code
from tests.missing.conftest import a_child, at, report
from tests.panels.conftest import build_room, run

EXPORT_ACTIONS = [AuditAction.EXPORTED_CSV, AuditAction.EXPORTED_PDF]


def password_only(user, client_class=Client):
    """A browser signed in with the password alone: the person has an authenticator app (so
    the second-factor page, not its set-up, is where they are sent) and has not used it."""
    TOTPDevice.objects.get_or_create(user=user, name="Phone", defaults={"confirmed": True})
    browser = client_class()
    browser.second_factor_pending = True
    browser.force_login(user)
    assert not browser.session.get(two_factor.VERIFIED_AT)
    return browser


def sent_to_the_second_factor(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"] == (
        f"/sign-in/second-factor/?next={quote(path, '')}"
    )


def grow_old(client, seconds: int = 301) -> None:
    session = client.session
    session[two_factor.VERIFIED_AT] -= seconds
    session.save()


@pytest.fixture
def episode(world):
    police_officer = world.people["referrer_a"]
    return report(police_officer, world.agencies["a"], since=at(2026, 3, 2), child=a_child())


# --- With the password alone ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/casework/caseloads/",
        "/casework/reviews/",
        "/missing/",
        "/intelligence/",
        "/board/dashboard/",
    ],
)
def test_with_the_password_alone_a_newer_page_sends_to_the_second_factor(world, path):
    world_casework(world)
    browser = password_only(world.people["lead_a"])

    response = browser.get(path)

    assert sent_to_the_second_factor(response, path)
    assert b"<table" not in response.content
    # The same person, past the second factor, is served the page.
    browser.post(response["Location"], {"code": second_factor_code(world.people["lead_a"])})
    assert browser.get(path).status_code == 200


def test_with_the_password_alone_the_session_api_serves_no_missing_episode(world, episode):
    browser = password_only(world.people["referrer_a"], APIClient)

    one = browser.get(f"/api/v1/missing-episodes/{episode.pk}/")
    listed = browser.get("/api/v1/missing-episodes/")

    assert one.status_code in (401, 403) and listed.status_code in (401, 403)
    assert b"Kestrel" not in one.content + listed.content
    browser.post(
        "/sign-in/second-factor/", {"code": second_factor_code(world.people["referrer_a"])}
    )
    assert browser.get(f"/api/v1/missing-episodes/{episode.pk}/").status_code == 200


@pytest.mark.parametrize(
    "door",
    [
        "/panels/{panel}/action-log.pdf",
        "/panels/{panel}/action-log.html",
        "/casework/caseloads.csv",
        "/missing/episodes.csv",
        "/board/dashboard/referrals-by-agency.csv",
    ],
)
def test_with_the_password_alone_no_pdf_twin_or_csv_is_served_nor_recorded(world, door):
    world_casework(world)
    path = door.format(panel=world.meeting.panel_id)
    who = "lead_a" if "casework" in door or "missing" in door else "chair"
    browser = password_only(world.people[who])

    response = browser.get(path)

    assert sent_to_the_second_factor(response, path)
    assert response.get("Content-Type", "").startswith("text/html")
    assert not AuditEvent.objects.filter(action__in=EXPORT_ACTIONS).exists()
    browser.post(response["Location"], {"code": second_factor_code(world.people[who])})
    assert browser.get(path).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_with_the_password_alone_the_meeting_socket_is_refused():
    room = await run(build_room)
    chair = room.people["chair"]
    for passed, admitted in [(False, False), (True, True)]:
        browser = await run(_signed_in, chair, passed)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        socket = WebsocketCommunicator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
            f"/ws/meetings/{room.meeting.pk}/",
            headers=[(b"cookie", cookie.encode())],
        )
        connected, _ = await socket.connect()
        assert connected is admitted
        if connected:
            hello = await socket.receive_json_from(timeout=10)
            assert hello["type"] == "hello"
        else:
            assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()


def _signed_in(user, passed: bool) -> Client:
    if passed:
        browser = Client()
        browser.force_login(user)
        return browser
    return password_only(user)


# --- Step-up: the newer exports ask again after five minutes ---------------------------------


STEP_UP_EXPORTS = {
    "caseloads": ("lead_a", "/casework/caseloads.csv"),
    "quality": ("auditor", "/casework/quality/grades.csv"),
    "board": ("board", "/board/dashboard/qa-grades.csv"),
    "missing": ("lead_a", "/missing/episodes.csv"),
    "network": ("chair", "/intelligence/panels/{panel}/links.csv"),
    "action log twin": ("chair", "/panels/{panel}/action-log.html"),
}


@pytest.mark.parametrize("export", STEP_UP_EXPORTS)
def test_an_export_after_five_minutes_asks_again_and_writes_no_export_row_until_then(
    client, world, export
):
    world_casework(world)
    who, door = STEP_UP_EXPORTS[export]
    path = door.format(panel=world.meeting.panel_id)
    client.force_login(world.people[who])
    assert client.get(path).status_code == 200  # within five minutes: served
    exports = AuditEvent.objects.filter(action__in=EXPORT_ACTIONS)
    served = exports.count()
    assert served >= 1
    grow_old(client)

    response = client.get(path)

    assert sent_to_the_second_factor(response, path)
    assert exports.count() == served
    client.post(response["Location"], {"code": second_factor_code(world.people[who])})
    assert client.get(path).status_code == 200


def test_a_page_does_not_ask_again_after_five_minutes(client, world):
    """Step-up is for exports and break glass: reading a page goes on."""
    world_casework(world)
    client.force_login(world.people["lead_a"])
    grow_old(client)

    assert client.get("/casework/caseloads/").status_code == 200


def test_a_role_is_what_the_export_door_asks_first_never_the_second_factor_alone(client, world):
    """A person refused the export is refused it whatever their second factor's age."""
    client.force_login(world.people["referrer_c"])
    assert Role.REFERRER  # a referrer of another agency manages no team

    assert client.get("/casework/caseloads.csv").status_code == 403
