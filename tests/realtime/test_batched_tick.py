"""One tick per process for every open socket (issue 19: "idle sockets cost the database
almost nothing"; agencies/socket_ticks.py).

The sockets are WebsocketCommunicators on the test's channel layer, 20 of them in one
meeting for the 5 people who may join it (4 tabs each, each tab its own session). The tick
period is an hour unless a test says otherwise, so the tick runs when the test calls
`socket_ticks.tick_now()`."""

import asyncio
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import access
from agencies import socket_ticks
from agencies import sockets as socket_access
from panels.consumers import MeetingConsumer
from panels.models import MeetingInvitation
from tests.panels.conftest import connect, no_more_events, receive_until, run
from tests.panels.test_meeting_socket_faults import build_started_room, still_up
from tests.security.test_sockets_close_when_access_ends import chair_says

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

JOINERS = ("chair", "coordinator", "police", "health", "school")
CLOSES_WITHIN = 5  # seconds


@pytest.fixture(autouse=True)
def an_hour_between_ticks(settings):
    settings.MEETING_SOCKET_TICK_SECONDS = 3600
    settings.NOTIFICATION_SOCKET_TICK_SECONDS = 3600


async def open_sockets(room, count: int) -> list[tuple[str, object]]:
    """`count` open sockets, spread over the people who may join, in turn."""
    opened = []
    for n in range(count):
        key = JOINERS[n % len(JOINERS)]
        socket, _ = await connect(room.people[key], room.meeting.pk, last_seq=1)
        opened.append((key, socket))
    return opened


def session_key(socket) -> str:
    return socket.scope["session"].session_key


class CountedChecks:
    """Wraps the tick's one database-thread call: its queries, per call."""

    def __init__(self):
        self.calls: list[list[str]] = []
        self.real = socket_access.check_access

    def __call__(self, sockets, *, ticking):
        with CaptureQueriesContext(connection) as captured:
            verdicts = self.real(sockets, ticking=ticking)
        self.calls.append([query["sql"] for query in captured.captured_queries])
        return verdicts


async def closed(socket) -> tuple[int, list[str]]:
    """The close code and the texts sent before it."""
    sent = []
    async with asyncio.timeout(CLOSES_WITHIN):
        while True:
            output = await socket.receive_output(timeout=CLOSES_WITHIN)
            if output["type"] == "websocket.close":
                return output["code"], sent
            sent.append(output.get("text", ""))


async def disconnect_all(opened) -> None:
    for _, socket in opened:
        await socket.disconnect()


def writes(queries: list[str]) -> list[str]:
    return [q for q in queries if q.split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


# --- What one tick costs -------------------------------------------------------------------


async def test_one_tick_of_twenty_sockets_makes_as_many_queries_as_one_of_two(monkeypatch):
    room = await run(build_started_room)
    counted = CountedChecks()
    monkeypatch.setattr(socket_access, "check_access", counted)
    opened = await open_sockets(room, 2)
    await socket_ticks.tick_now()

    opened += await open_sockets(room, 18)
    assert socket_ticks.registered() == 20
    await socket_ticks.tick_now()

    at_two, at_twenty = counted.calls
    assert len(at_twenty) == len(at_two), (at_two, at_twenty)
    # The sessions, the people, their devices, the meeting, who may join it.
    assert len([q for q in at_twenty if q.startswith("SELECT")]) <= 5, at_twenty
    assert writes(at_twenty) == []  # an idle socket's tick writes nothing
    for _, socket in opened:
        assert await still_up(socket)
    await disconnect_all(opened)


async def test_one_tick_asks_who_may_join_once_per_meeting_not_once_per_socket(monkeypatch):
    room = await run(build_started_room)
    opened = await open_sockets(room, 20)
    asked = []
    real = socket_access.check_sessions

    def counting_sessions(asks):
        asks = list(asks)
        asked.append(len(asks))
        return real(asks)

    monkeypatch.setattr(socket_access, "check_sessions", counting_sessions)
    with mock.patch.object(
        access, "meeting_participant_ids", wraps=access.meeting_participant_ids
    ) as meeting_participant_ids:
        await socket_ticks.tick_now()

    assert asked == [20]  # every socket's session, in one call
    assert meeting_participant_ids.call_count == 1
    await disconnect_all(opened)


async def test_a_process_runs_one_tick_task_however_many_sockets_it_holds():
    room = await run(build_started_room)
    opened = await open_sockets(room, 20)

    ticks = [t for t in asyncio.all_tasks() if t.get_name() == socket_ticks.TASK_NAME]
    assert len(ticks) == 1
    assert not [t for t in asyncio.all_tasks() if t.get_name().endswith(" tick")]
    await disconnect_all(opened)


# --- What the tick closes ------------------------------------------------------------------


async def test_the_tick_closes_the_socket_whose_session_was_deleted_and_keeps_the_others():
    room = await run(build_started_room)
    opened = await open_sockets(room, 20)
    _, gone = opened[7]
    await run(Session.objects.filter(session_key=session_key(gone)).delete)

    await socket_ticks.tick_now()

    code, sent = await closed(gone)
    assert code == 4403
    assert any("Your session has ended" in text for text in sent)
    assert socket_ticks.registered() == 19
    for _, socket in opened[:7] + opened[8:]:
        assert await still_up(socket)
    await disconnect_all(opened)


async def test_the_tick_closes_the_sockets_of_a_session_that_expired():
    room = await run(build_started_room)
    opened = await open_sockets(room, 5)
    _, expired = opened[2]
    # Expired in the store, its expiry check not due yet (that check is the socket's own).
    await run(
        Session.objects.filter(session_key=session_key(expired)).update,
        expire_date=timezone.now() - timedelta(seconds=1),
    )

    await socket_ticks.tick_now()

    code, _ = await closed(expired)
    assert code == 4403
    for _, socket in opened[:2] + opened[3:]:
        assert await still_up(socket)
    await disconnect_all(opened)


async def test_the_tick_closes_every_socket_of_a_person_whose_invitation_was_withdrawn():
    """Withdrawn without a word to the sockets (no access.recheck): the tick finds out."""
    room = await run(build_started_room)
    opened = await open_sockets(room, 20)
    await run(
        MeetingInvitation.objects.filter(meeting=room.meeting, user=room.people["police"]).update,
        withdrawn_at=timezone.now(),
    )

    await socket_ticks.tick_now()

    for key, socket in opened:
        if key == "police":
            code, sent = await closed(socket)
            assert code == 4403
            assert any("no longer in this meeting" in text for text in sent)
        else:
            assert await still_up(socket)
    assert socket_ticks.registered() == 16
    await disconnect_all(opened)


# --- Sockets leave the tick however they end ----------------------------------------------


class HandlerDied(Exception):
    pass


async def test_a_crashed_or_closed_socket_leaves_the_tick_and_the_last_one_ends_it():
    room = await run(build_started_room)
    opened = await open_sockets(room, 20)
    assert socket_ticks.registered() == 20
    receive_json = MeetingConsumer.receive_json

    async def dies_on_request(self, content, **kwargs):
        if content.get("type") == "die":
            raise HandlerDied
        return await receive_json(self, content, **kwargs)

    _, crashing = opened.pop(3)
    with mock.patch.object(MeetingConsumer, "receive_json", dies_on_request):
        await crashing.send_json_to({"type": "die"})
        with pytest.raises(HandlerDied):
            await crashing.wait(timeout=10)
    assert socket_ticks.registered() == 19

    await socket_ticks.tick_now()  # the others are still checked, and stay
    for _, socket in opened:
        assert await still_up(socket)

    await disconnect_all(opened)
    await asyncio.sleep(0)
    assert socket_ticks.registered() == 0
    assert not socket_ticks.ticking()
    running = [
        t for t in asyncio.all_tasks() if t.get_name() == socket_ticks.TASK_NAME and not t.done()
    ]
    assert running == []


# --- A failing database ----------------------------------------------------------------------


async def test_a_database_error_during_the_tick_keeps_every_socket_and_the_next_tick_works(
    monkeypatch,
):
    room = await run(build_started_room)
    opened = await open_sockets(room, 20)
    real = socket_access.check_sessions

    def database_down(asks):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(socket_access, "check_sessions", database_down)
    _, gone = opened[0]
    await run(Session.objects.filter(session_key=session_key(gone)).delete)
    await socket_ticks.tick_now()
    for _, socket in opened:
        assert await still_up(socket)  # even the signed-out one: nothing could be checked
    assert socket_ticks.registered() == 20

    monkeypatch.setattr(socket_access, "check_sessions", real)
    await socket_ticks.tick_now()

    code, _ = await closed(gone)
    assert code == 4403
    for _, socket in opened[1:]:
        assert await still_up(socket)
    await disconnect_all(opened)


async def test_the_process_tick_runs_by_itself_and_carries_on_after_a_failed_tick(
    settings, monkeypatch
):
    settings.MEETING_SOCKET_TICK_SECONDS = 0.2
    room = await run(build_started_room)
    opened = await open_sockets(room, 6)
    real = socket_access.check_access
    calls = []

    def fails_twice(sockets, *, ticking):
        calls.append(len(sockets))
        if len(calls) <= 2:
            raise OperationalError("the database is restarting")
        return real(sockets, ticking=ticking)

    monkeypatch.setattr(socket_access, "check_access", fails_twice)
    _, gone = opened[4]
    await run(Session.objects.filter(session_key=session_key(gone)).delete)

    code, _ = await closed(gone)

    assert code == 4403
    assert len(calls) >= 3  # two failed ticks, then the one that closed it
    for _, socket in opened[:4] + opened[5:]:
        assert await still_up(socket)
    await disconnect_all(opened)


async def test_the_tick_catches_a_socket_up_when_its_doorbell_was_lost():
    room = await run(build_started_room)
    opened = await open_sockets(room, 3)
    _, behind = opened[1]

    def lose_a_doorbell():
        with mock.patch("notifications.realtime.publish_on_commit"):
            chair_says(room, "Said while the doorbell was lost")

    await run(lose_a_doorbell)
    assert await no_more_events(behind)  # the doorbell did not ring
    await socket_ticks.tick_now()

    seen = await receive_until(behind, lambda m: m.get("event") == "item.notes_saved")
    assert seen[-1]["payload"]["text"] == "Said while the doorbell was lost"
    await disconnect_all(opened)
