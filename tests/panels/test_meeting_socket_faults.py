"""The meeting room's socket when things go wrong (issue 14, issue 19): a frame that is not
JSON, a path that does not exist, a flood of commands, a command sent twice, a database that
fails half-way. The socket answers and stays up; nothing is applied twice; nothing that was
saved is reported lost."""

from unittest import mock

import pytest
from channels.testing import WebsocketCommunicator
from django.db import OperationalError

from config.routing import websocket_application
from panels import commands, services
from panels.models import Action, MeetingCommandReceipt, MeetingEvent
from tests.factories import signed_in_session
from tests.panels.conftest import (
    RECEIVE_TIMEOUT,
    build_room,
    command,
    connect,
    receive_until,
    run,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def build_started_room():
    room = build_room()
    services.meeting_start(actor=room.people["chair"], meeting=room.meeting)
    room.meeting.refresh_from_db()
    return room


def action_args(room, text="Return home interview"):
    return {
        "item": room.cases[0].pk,
        "text": text,
        "owner_agency": room.agencies["csc"].pk,
        "owner_person": "",
        "due_date": "2099-01-31",
    }


async def still_up(socket):
    """The socket still answers (a ping gets its pong)."""
    await socket.send_json_to({"type": "ping"})
    replies = await receive_until(socket, lambda m: m.get("type") == "pong")
    return replies[-1]["type"] == "pong"


async def reply_to(socket, request_id):
    return (await receive_until(socket, lambda m: m.get("request_id") == request_id))[-1]


# --- Frames that are not JSON objects --------------------------------------------------------


async def test_a_malformed_json_frame_is_answered_and_the_socket_stays_up():
    room = await run(build_room)
    socket, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)

    await socket.send_to(text_data='{"type": "ping"')
    reply = await receive_until(socket, lambda m: m.get("type") == "error")

    assert "JSON" in reply[-1]["message"]
    assert await still_up(socket)
    await socket.disconnect()


async def test_a_binary_frame_is_answered_and_the_socket_stays_up():
    room = await run(build_room)
    socket, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)

    await socket.send_to(bytes_data=b"\x00\xff binary")
    reply = await receive_until(socket, lambda m: m.get("type") == "error")

    assert "text" in reply[-1]["message"]
    assert await still_up(socket)
    await socket.disconnect()


async def test_a_command_with_no_usable_request_id_is_refused_and_applies_nothing():
    room = await run(build_started_room)
    chair, hello = await connect(room.people["chair"], room.meeting.pk, last_seq=0)

    await chair.send_json_to({"type": "command", "command": "next_item", "args": {}})
    reply = await receive_until(chair, lambda m: m.get("type") == "error")

    assert "request_id" in reply[-1]["message"]
    assert await run(MeetingEvent.objects.filter(meeting=room.meeting).count) == hello["last_seq"]
    assert await still_up(chair)
    await chair.disconnect()


# --- A path that does not exist ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/ws/nothing-here/", "/ws/meetings/abc/", "/ws/"])
async def test_an_unknown_websocket_path_is_refused_at_the_handshake(path):
    room = await run(build_room)
    socket = WebsocketCommunicator(websocket_application, path)
    socket.scope["user"] = room.people["chair"]
    socket.scope["session"] = signed_in_session(room.people["chair"])

    connected, code = await socket.connect(timeout=RECEIVE_TIMEOUT)

    assert (connected, code) == (False, 4404)
    await socket.disconnect()


async def test_the_routing_application_still_serves_the_meeting_room():
    room = await run(build_room)
    socket = WebsocketCommunicator(websocket_application, f"/ws/meetings/{room.meeting.pk}/")
    socket.scope["user"] = room.people["police"]
    socket.scope["session"] = signed_in_session(room.people["police"])
    socket.scope["client"] = ("127.0.0.1", 50000)

    connected, _ = await socket.connect(timeout=RECEIVE_TIMEOUT)

    assert connected
    assert (await socket.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "hello"
    await socket.disconnect()


# --- A flood of commands ---------------------------------------------------------------------


async def test_commands_beyond_the_budget_are_refused_and_another_persons_socket_is_not_held_up(
    settings,
):
    settings.MEETING_SOCKET_COMMAND_RATE = 0.01  # next to nothing comes back during the test
    settings.MEETING_SOCKET_COMMAND_BURST = 3
    room = await run(build_started_room)
    chair, hello = await connect(room.people["chair"], room.meeting.pk, last_seq=0)
    coordinator, _ = await connect(room.people["coordinator"], room.meeting.pk, last_seq=0)
    member, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)
    case = room.cases[0]

    for n in range(8):
        await chair.send_json_to(
            {
                "type": "command",
                "command": "set_risk",
                "args": {"item": case.pk, "risk_level": "high"},
                "request_id": f"flood-{n}",
            }
        )
    replies = [await reply_to(chair, f"flood-{n}") for n in range(8)]

    assert [r["type"] for r in replies] == ["ack"] * 3 + ["error"] * 5
    assert {r["message"] for r in replies[3:]} == {"Too many commands: wait a moment."}
    assert await run(MeetingEvent.objects.filter(meeting=room.meeting).count) == (
        hello["last_seq"] + 3
    )
    # Pings have their own budget: the chair's socket still answers.
    assert await still_up(chair)
    # Another person's budget is their own.
    other = await command(
        coordinator, "set_risk", request_id="c1", item=case.pk, risk_level="medium"
    )
    assert other[-1]["type"] == "ack"
    assert await still_up(member)
    for socket in (chair, coordinator, member):
        await socket.disconnect()


async def test_pings_and_replays_have_their_own_small_budget(settings):
    settings.MEETING_SOCKET_MESSAGE_RATE = 0.01
    settings.MEETING_SOCKET_MESSAGE_BURST = 4
    room = await run(build_room)
    socket, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)

    for _ in range(6):
        await socket.send_json_to({"type": "ping"})
    answers = [
        (await receive_until(socket, lambda m: m["type"] in ("pong", "error")))[-1]
        for _ in range(6)
    ]

    assert [a["type"] for a in answers] == ["pong"] * 4 + ["error"] * 2
    assert answers[-1]["message"] == "Too many messages: wait a moment."
    await socket.disconnect()


# --- The same command twice ------------------------------------------------------------------


async def test_a_repeated_request_id_applies_once_and_gets_the_same_answer():
    room = await run(build_started_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)
    member, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)
    args = action_args(room)

    first = (await command(chair, "add_action", request_id="req-a1", **args))[-1]
    again = (await command(chair, "add_action", request_id="req-a1", **args))[-1]

    assert first == again == {"request_id": "req-a1", "type": "ack", "message": "Action added."}
    assert await run(Action.objects.filter(meeting=room.meeting).count) == 1
    assert (
        await run(MeetingEvent.objects.filter(meeting=room.meeting, type="action.added").count) == 1
    )
    assert await run(MeetingCommandReceipt.objects.filter(meeting=room.meeting).count) == 1
    await receive_until(member, lambda m: m.get("event") == "action.added")
    assert await member.receive_nothing(timeout=0.5) or (
        (await member.receive_json_from())["type"] == "presence"
    )
    for socket in (chair, member):
        await socket.disconnect()


async def test_a_retry_after_the_acknowledgement_was_lost_finds_the_saved_change():
    """The change committed, then the process died before the ack: the chair's retry (same
    request id, on a new socket) is told it was saved, and nothing is added twice."""
    room = await run(build_started_room)
    args = action_args(room)
    await run(
        commands.run_command,
        actor=room.people["chair"],
        meeting_id=room.meeting.pk,
        name="add_action",
        data=args,
        request_id="lost-ack",
    )
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)

    reply = (await command(chair, "add_action", request_id="lost-ack", **args))[-1]

    assert reply == {"request_id": "lost-ack", "type": "ack", "message": "Action added."}
    assert await run(Action.objects.filter(meeting=room.meeting).count) == 1
    assert (
        await run(MeetingEvent.objects.filter(meeting=room.meeting, type="action.added").count) == 1
    )
    await chair.disconnect()


async def test_a_request_id_reused_for_another_change_is_refused():
    room = await run(build_started_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)

    await command(chair, "add_action", request_id="same", **action_args(room))
    other = await command(chair, "add_action", request_id="same", **action_args(room, "Other"))

    assert other[-1]["type"] == "error"
    assert await run(Action.objects.filter(meeting=room.meeting).count) == 1
    await chair.disconnect()


async def test_the_same_request_id_from_another_person_is_their_own():
    room = await run(build_started_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)
    coordinator, _ = await connect(room.people["coordinator"], room.meeting.pk, last_seq=0)

    await command(chair, "add_action", request_id="r-1", **action_args(room))
    reply = (await command(coordinator, "add_action", request_id="r-1", **action_args(room)))[-1]

    assert reply["type"] == "ack"
    assert await run(Action.objects.filter(meeting=room.meeting).count) == 2
    for socket in (chair, coordinator):
        await socket.disconnect()


# --- The database fails ----------------------------------------------------------------------


async def test_a_database_error_during_a_command_is_answered_and_the_socket_stays_up():
    room = await run(build_started_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)
    args = action_args(room)

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    broken.__wrapped__ = broken
    with mock.patch.object(services, "action_add", broken):
        reply = (await command(chair, "add_action", request_id="db-1", **args))[-1]

    assert reply["type"] == "error"
    assert reply["message"].startswith("The change could not be saved:")
    assert reply["message"].endswith("Try again.")
    assert await still_up(chair)
    assert await run(MeetingCommandReceipt.objects.filter(meeting=room.meeting).count) == 0
    # The retry (same request id) is applied, once.
    retry = (await command(chair, "add_action", request_id="db-1", **args))[-1]
    assert retry["type"] == "ack"
    assert await run(Action.objects.filter(meeting=room.meeting).count) == 1
    await chair.disconnect()


async def test_a_database_error_after_the_change_committed_still_acknowledges_it():
    room = await run(build_started_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)

    with mock.patch(
        "panels.consumers.selectors.events_after",
        side_effect=OperationalError("connection lost after commit"),
    ):
        reply = (await command(chair, "add_action", request_id="late", **action_args(room)))[-1]

    assert reply["type"] == "ack"
    assert await run(Action.objects.filter(meeting=room.meeting).count) == 1
    # The event still reaches the chair (its doorbell carries it).
    await receive_until(chair, lambda m: m.get("event") == "action.added")
    assert await still_up(chair)
    await chair.disconnect()
