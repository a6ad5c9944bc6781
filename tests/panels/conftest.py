"""A panel with one person in every position the meeting rules distinguish, and a meeting
with its agenda built and its invitations sent."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from agencies.models import Agency, AgencyType, Role
from config.routing import websocket_urlpatterns
from panels import services
from panels.models import (
    AgendaItem,
    Meeting,
    MeetingInvitation,
    Panel,
    PanelKind,
    PanelMembership,
)
from referrals.models import Child, Referral, ReferralState
from tests.factories import AgencyFactory, person, signed_in_session

RECEIVE_TIMEOUT = 10  # seconds before a missing message fails a test


@dataclass
class Room:
    panel: Panel
    meeting: Meeting
    agencies: dict[str, Agency]
    people: dict
    referrals: list[Referral]
    cases: list[AgendaItem]

    def item(self, kind: str) -> AgendaItem:
        return self.meeting.agenda_items.get(kind=kind)


def seat(panel, user, agency, role="member"):
    return PanelMembership.objects.create(panel=panel, user=user, agency=agency, role=role)


def build_room(*, invite=True) -> Room:
    agencies = {
        "police": AgencyFactory(name="Room Police", agency_type=AgencyType.POLICE),
        "health": AgencyFactory(name="Room Health", agency_type=AgencyType.HEALTH),
        "school": AgencyFactory(name="Room School", agency_type=AgencyType.EDUCATION),
        "csc": AgencyFactory(name="Room CSC", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE),
        "housing": AgencyFactory(name="Room Housing", agency_type=AgencyType.HOUSING),
    }
    panel = Panel.objects.create(
        name="Room Exploitation Panel",
        kind=PanelKind.EXPLOITATION,
        quorum_agency_types=[
            AgencyType.POLICE,
            AgencyType.HEALTH,
            AgencyType.EDUCATION,
            AgencyType.CHILDRENS_SOCIAL_CARE,
        ],
        cycle_weeks=2,
        cycle_first_date=timezone.localdate() - timedelta(days=7),
    )
    panel.member_agencies.add(*[agencies[k] for k in ("police", "health", "school", "csc")])
    people = {
        "chair": person(Role.PANEL_CHAIR, agencies["csc"], username="room_chair"),
        "coordinator": person(Role.PANEL_COORDINATOR, agencies["csc"], username="room_coordinator"),
        "police": person(Role.PANEL_MEMBER, agencies["police"], username="room_police"),
        "health": person(Role.PANEL_MEMBER, agencies["health"], username="room_health"),
        "school": person(Role.PANEL_MEMBER, agencies["school"], username="room_school"),
        # Sits on the panel for an agency that is not one of its member agencies.
        "housing": person(Role.PANEL_MEMBER, agencies["housing"], username="room_housing"),
        # Sits on the panel but is not invited to this meeting.
        "uninvited": person(Role.PANEL_MEMBER, agencies["police"], username="room_uninvited"),
        # A referrer of a member agency, with no seat at all.
        "stranger": person(Role.REFERRER, agencies["police"], username="room_stranger"),
    }
    seat(panel, people["chair"], agencies["csc"], "chair")
    seat(panel, people["coordinator"], agencies["csc"], "coordinator")
    for key in ("police", "health", "school", "housing", "uninvited"):
        seat(panel, people[key], agencies[key if key != "uninvited" else "police"])
    referrals = []
    for n, first in enumerate(["Alfie", "Bea"], start=1):
        child = Child.objects.create(first_name=first, last_name="Roomtest")
        referrals.append(
            Referral.objects.create(
                reference=f"ROOM-{n:04d}",
                child=child,
                agency=agencies["police"],
                referrer=people["stranger"],
                state=ReferralState.LISTED_FOR_PANEL,
                concern="Missing from home.",
                submitted_at=timezone.now(),
            )
        )
    meeting = Meeting.objects.create(
        panel=panel, starts_at=timezone.now() + timedelta(hours=1), place="Room 2"
    )
    cases = [
        AgendaItem.objects.create(meeting=meeting, referral=referral, position=n)
        for n, referral in enumerate(referrals, start=1)
    ]
    services._build_agenda(actor=people["coordinator"], meeting=meeting)
    if invite:
        for key in ("chair", "coordinator", "police", "health", "school", "housing"):
            MeetingInvitation.objects.create(
                meeting=meeting,
                user=people[key],
                agency=agencies["csc" if key in ("chair", "coordinator") else key],
            )
    for item in cases:
        item.refresh_from_db()
    return Room(
        panel=panel,
        meeting=meeting,
        agencies=agencies,
        people=people,
        referrals=referrals,
        cases=cases,
    )


@pytest.fixture
def room(db) -> Room:
    return build_room()


@pytest.fixture
def started_room(room) -> Room:
    services.meeting_start(actor=room.people["chair"], meeting=room.meeting)
    room.meeting.refresh_from_db()
    return room


def meeting_socket(user, meeting_id: int, last_seq: int | None = None) -> WebsocketCommunicator:
    path = f"/ws/meetings/{meeting_id}/"
    if last_seq is not None:
        path += f"?last_seq={last_seq}"
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user
    communicator.scope["session"] = signed_in_session(user)
    communicator.scope["client"] = ("127.0.0.1", 50000)
    return communicator


async def connect(user, meeting_id: int, last_seq: int | None = None):
    """An open socket, past its hello (returned too)."""
    socket = meeting_socket(user, meeting_id, last_seq)
    connected, code = await socket.connect()
    assert connected, f"refused with close code {code}"
    hello = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
    assert hello["type"] == "hello"
    return socket, hello


async def receive_until(socket, predicate, *, limit=50):
    """Messages up to and including the first one the predicate accepts."""
    seen = []
    for _ in range(limit):
        message = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
        seen.append(message)
        if predicate(message):
            return seen
    raise AssertionError(f"no matching message in {seen}")


async def command(socket, name, request_id="r1", **args):
    await socket.send_json_to(
        {"type": "command", "command": name, "args": args, "request_id": request_id}
    )
    return await receive_until(socket, lambda m: m.get("request_id") == request_id)


async def run(fn, *args, **kwargs):
    """Call sync code from a test; its database connection is closed after, as a consumer's
    is (an open one would stop the PostgreSQL test database being dropped)."""
    return await database_sync_to_async(fn)(*args, **kwargs)


async def receive_events(socket, count: int) -> list[dict]:
    """The next `count` messages other than presence (who is connected comes and goes)."""
    messages = []
    while len(messages) < count:
        message = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
        if message["type"] != "presence":
            messages.append(message)
    return messages


async def no_more_events(socket, wait: float = 0.3) -> bool:
    """True when nothing but presence arrives within `wait` seconds."""
    while not await socket.receive_nothing(timeout=wait):
        message = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
        if message["type"] != "presence":
            return False
    return True


@pytest.fixture(autouse=True)
def private_channel_prefix(settings):
    """Redis keys no other test process uses (they all number their meetings from 1)."""
    import uuid

    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels.layers.InMemoryChannelLayer":
        return None
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer.get("CONFIG", {}), "prefix": prefix}}
    }
    return prefix


from tests.agencies.conftest import world  # noqa: E402,F401
