"""Every door x every position: the status each person gets.

Doors are the URL patterns and WebSocket routes of the project. A new door without a row
here makes test_every_door_has_a_row fail: add the row, with the right answer for everyone.
Codes: 200 served, 302 sent to sign in (or onwards after a POST), 403 may know it exists but
may not do this, 404 may not know it exists.
"""

import pytest
from channels.testing import WebsocketCommunicator
from django.urls import URLPattern, URLResolver, get_resolver

from config.routing import websocket_urlpatterns
from tests.agencies.conftest import POSITIONS
from tests.agencies.doors_actions import ACTION_DOORS
from tests.agencies.doors_api import API_DOORS
from tests.agencies.doors_board_reports import BOARD_REPORT_DOORS
from tests.agencies.doors_casework import CASEWORK_DOORS
from tests.agencies.doors_manage import MANAGE_DOORS
from tests.agencies.doors_meetings import MEETING_DOORS, MEETING_WEBSOCKET_DOORS
from tests.agencies.doors_minutes import MINUTES_DOORS
from tests.agencies.doors_missing import MISSING_DOORS
from tests.agencies.doors_notifications import NOTIFICATION_DOORS
from tests.agencies.doors_referral_pages import REFERRAL_PAGE_DOORS
from tests.agencies.doors_two_factor import TWO_FACTOR_DOORS
from tests.agencies.matrix import LEADS, SIGNED_IN, VIEWERS, everyone, only
from tests.factories import signed_in_session

# name -> (method, path builder, data, expected status by position)
DOORS = {
    "home": ("get", lambda w: "/", None, everyone(200)),
    "login": ("get", lambda w: "/sign-in/", None, everyone(302, anonymous=200)),
    "logout": ("post", lambda w: "/sign-out/", {}, everyone(302)),
    "healthz": ("get", lambda w: "/healthz", None, everyone(200, anonymous=200)),
    # The footer's service status, in words: anyone, signed in or not.
    "service-status": ("get", lambda w: "/status/", None, everyone(200, anonymous=200)),
    # The timeout warning's own: JSON about the asker's session only (anonymous: signed out).
    "session-status": ("get", lambda w: "/session/status/", None, everyone(200, anonymous=200)),
    "session-keep-alive": (
        "post",
        lambda w: "/session/keep-alive/",
        {},
        everyone(200, anonymous=401),
    ),
    "referrals:list": ("get", lambda w: "/referrals/", None, everyone(200)),
    "referrals:detail": (
        "get",
        lambda w: f"/referrals/{w.referral.pk}/",
        None,
        only(dict.fromkeys(VIEWERS, 200)),
    ),
    "referrals:share": (
        "get",
        lambda w: f"/referrals/{w.referral.pk}/share/",
        None,
        only({"lead_a": 200, "coordinator": 200}, knowers=VIEWERS),
    ),
    "referrals:share-withdraw": (
        "post",
        lambda w: f"/referrals/{w.referral.pk}/shares/{w.referral.shares.get().pk}/withdraw/",
        {"reason": ""},  # refused as incomplete even when allowed: the matrix changes nothing
        only({"lead_a": 302, "coordinator": 302}, knowers=VIEWERS),
    ),
    "referrals:audit": (
        "get",
        lambda w: f"/referrals/{w.referral.pk}/audit/",
        None,
        only({"lead_a": 200, "dpo": 200}, knowers=VIEWERS),
    ),
    "referrals:child-audit": (
        "get",
        lambda w: f"/children/{w.referral.child_id}/audit/",
        None,
        only({"lead_a": 200, "dpo": 200}),
    ),
    "referrals:break-glass": (
        "get",
        lambda w: "/break-glass/",
        None,
        only(dict.fromkeys(LEADS, 200), default=403),
    ),
    "referrals:audit-lookup": ("get", lambda w: "/audit/", None, only({"dpo": 200}, default=403)),
    # The Django admin is a break-fix tool for a superuser holding no role (so no position
    # here): every role, the system administrator's too, is refused (403, audited); people not
    # signed in are sent to the admin's own sign-in. See tests/security/test_django_admin_*.
    "admin": ("get", lambda w: "/admin/", None, everyone(403)),
}

DOORS.update(API_DOORS)
DOORS.update(REFERRAL_PAGE_DOORS)
DOORS.update(NOTIFICATION_DOORS)
DOORS.update(ACTION_DOORS)
DOORS.update(MEETING_DOORS)
DOORS.update(MINUTES_DOORS)
DOORS.update(MANAGE_DOORS)
DOORS.update(CASEWORK_DOORS)
DOORS.update(MISSING_DOORS)
DOORS.update(TWO_FACTOR_DOORS)
DOORS.update(BOARD_REPORT_DOORS)

# Drafts are the referrer's alone: nobody else may know they exist.
DRAFT_DOORS = {
    "referrals:detail": only({"referrer_a": 200}),
    "referrals:share": only({}, knowers=["referrer_a"]),
    "referrals:audit": only({"lead_a": 200, "dpo": 200}, knowers=["referrer_a"]),
}

WEBSOCKET_DOORS = {
    # Everyone signed in may open their own notification stream; nobody else's exists for them.
    "ws-notifications": (
        lambda w: "/ws/notifications/",
        dict.fromkeys(SIGNED_IN, True) | {"anonymous": False},
    ),
}
WEBSOCKET_DOORS.update(MEETING_WEBSOCKET_DOORS)


def project_url_names(resolver=None, namespace=""):
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                names.add("admin")
                continue
            child_namespace = entry.namespace or namespace
            names |= project_url_names(entry, child_namespace)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL pattern {entry.pattern} needs a name for the access matrix"
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def test_every_door_has_a_row():
    assert project_url_names() == set(DOORS), "each URL needs a row in DOORS"
    assert {route.name for route in websocket_urlpatterns} == set(WEBSOCKET_DOORS)


def test_every_row_has_an_answer_for_every_position():
    for name, (*_, expected) in DOORS.items():
        assert set(expected) == set(POSITIONS), name
    for name, expected in DRAFT_DOORS.items():
        assert set(expected) == set(POSITIONS), name


def _request(client, world, position, method, path, data):
    user = world.people[position]
    if position != "anonymous":
        client.force_login(user)
    return (
        getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
    )


@pytest.mark.parametrize(
    ("door", "position"), [(door, position) for door in DOORS for position in POSITIONS]
)
def test_door_answers_each_position_as_the_rules_say(client, world, door, position):
    method, path_for, data, expected = DOORS[door]

    response = _request(client, world, position, method, path_for(world), data)

    assert response.status_code == expected[position]
    # Every answer of every door carries the strict Content-Security-Policy.
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    if position == "anonymous" and expected[position] == 302 and door not in {"logout", "admin"}:
        assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(
    ("door", "position"), [(door, position) for door in DRAFT_DOORS for position in POSITIONS]
)
def test_draft_doors_answer_each_position_as_the_rules_say(client, world, door, position):
    method, path_for, data, _ = DOORS[door]
    path = path_for(world).replace(f"/{world.referral.pk}/", f"/{world.draft.pk}/")

    response = _request(client, world, position, method, path, data)

    assert response.status_code == DRAFT_DOORS[door][position]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("position", POSITIONS)
async def test_websocket_doors_admit_each_position_as_the_rules_say(world, position):
    from channels.routing import URLRouter

    for name, (path_for, expected) in WEBSOCKET_DOORS.items():
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path_for(world))
        communicator.scope["user"] = world.people[position]
        communicator.scope["session"] = signed_in_session(world.people[position])
        connected, _ = await communicator.connect()
        assert connected is expected[position], name
        await communicator.disconnect()
