"""The live meeting room through faults (issue 19): a Redis restart, a paused Redis, a
daphne killed between a command's commit and its acknowledgement, a database connection
terminated mid-command, and a socket whose handler dies.

The Redis faults run against a redis-server each test starts on its own port, never the
shared one. The tests with daphne processes need a real Redis and skip on the plain SQLite
run (no REDIS_URL); the database faults need PostgreSQL."""

import asyncio
import json
import os
import signal
import time
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError, connection

from agencies import socket_ticks
from panels import commands
from panels.consumers import MeetingConsumer
from panels.models import Action, MeetingCommandReceipt, MeetingEvent, MeetingPresence
from tests.panels.conftest import connect, receive_until, run
from tests.panels.test_meeting_room_across_processes import wait_for_other_sessions_to_end
from tests.panels.test_meeting_socket_faults import action_args, build_started_room, still_up
from tests.realtime.processes import (
    Page,
    daphnes,
    is_paused,
    is_resumed,
    open_socket,
    own_redis,
    session_cookie,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

redis_only = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: the Redis fault tests run on the PostgreSQL + Redis pass",
)

# What the issue asks: every participant caught up within 5 s of Redis's return.
CAUGHT_UP_AFTER_RETURN_SECONDS = 5
# The doorbell's budget is 0.25 s (CHANNEL_LAYER_PUBLISH_TIMEOUT_SECONDS); a paused Redis
# used to hold the acknowledgement for as long as it stayed paused (up to the 15 s read
# timeout). Generous for two shared cores, far below the pause.
ACK_WHILE_PAUSED_SECONDS = 3
PAUSE_SECONDS = 10


async def cookies_for(room, *keys):
    return {key: await run(session_cookie, room.people[key]) for key in keys}


def last_seq(room) -> int:
    return MeetingEvent.objects.filter(meeting=room.meeting).count()


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


# --- A Redis restart mid-meeting ---------------------------------------------------------------


@pytest.mark.redis
@redis_only
async def test_a_redis_restart_closes_no_socket_and_everyone_is_caught_up_soon_after(
    private_channel_prefix,
):
    room = await run(build_started_room)
    cookies = await cookies_for(room, "chair", "police", "health", "school")
    try:
        with (
            own_redis() as redis_server,
            daphnes(
                2, redis_url=redis_server.url, channel_prefix=private_channel_prefix or "faults"
            ) as (first, second),
        ):
            await redis_restart_mid_meeting(room, cookies, redis_server, first, second)
    finally:
        await run(wait_for_other_sessions_to_end)


async def redis_restart_mid_meeting(room, cookies, redis_server, first, second):
    meeting = room.meeting.pk
    case = room.cases[0]
    async with (
        open_socket(first.address, cookies["chair"], meeting, 1) as chair_socket,
        open_socket(second.address, cookies["police"], meeting, 1) as police_socket,
        open_socket(second.address, cookies["health"], meeting, 1) as health_socket,
        open_socket(first.address, cookies["school"], meeting, 1) as school_socket,
    ):
        chair = Page(chair_socket, last_seq=1)
        participants = [Page(s, last_seq=1) for s in (police_socket, health_socket, school_socket)]
        for page in (chair, *participants):
            page.last_seq = 1
            assert (await page.until(lambda m: m["type"] == "hello"))["live"] is True

        redis_server.stop()

        # Every page is told live updates are paused; no socket closes (a closed one would
        # raise here).
        for page in (chair, *participants):
            await page.saw(is_paused)
        # The chair's commands are still applied and acknowledged: the database is the record.
        replies = [
            await chair.command("set_risk", "down-1", item=case.pk, risk_level="high"),
            await chair.command(
                "save_notes", "down-2", item=case.pk, text="Written while Redis was down", version=0
            ),
            await chair.command("add_action", "down-3", **action_args(room, "Visit at home")),
        ]
        assert [reply["type"] for reply in replies] == ["ack", "ack", "ack"]
        during = await run(last_seq, room)
        # ... and every participant keeps up from the database meanwhile.
        for page in participants:
            await page.caught_up_to(during)

        redis_server.start()
        back_at = time.monotonic()
        assert (await chair.command("next_item", "back-1"))["type"] == "ack"
        after = await run(last_seq, room)
        for page in participants:
            remaining = CAUGHT_UP_AFTER_RETURN_SECONDS - (time.monotonic() - back_at)
            await page.caught_up_to(after, timeout=max(remaining, 0.1))
        for page in (chair, *participants):
            await page.saw(is_resumed)

        # Live again through Redis: the rooms re-joined their groups (the socket's 30 s tick
        # has not come), so a change reaches the other process at once.
        assert (await chair.command("set_risk", "back-2", item=case.pk, risk_level="low"))[
            "type"
        ] == "ack"
        for page in participants:
            await page.caught_up_to(after + 1)
        for page in (chair, *participants):
            seqs = [m["seq"] for m in page.seen if m.get("type") == "event"]
            assert seqs == sorted(set(seqs)), "an event twice or out of order"


# --- A paused Redis -----------------------------------------------------------------------------


@pytest.mark.redis
@redis_only
async def test_a_paused_redis_does_not_hold_up_the_chairs_acknowledgement(
    private_channel_prefix,
):
    room = await run(build_started_room)
    cookies = await cookies_for(room, "chair", "police")
    try:
        with (
            own_redis() as redis_server,
            daphnes(
                1, redis_url=redis_server.url, channel_prefix=private_channel_prefix or "faults"
            ) as (server,),
        ):
            async with (
                open_socket(server.address, cookies["chair"], room.meeting.pk, 1) as chair_socket,
                open_socket(server.address, cookies["police"], room.meeting.pk, 1) as member,
            ):
                chair, police = Page(chair_socket, last_seq=1), Page(member, last_seq=1)
                await chair.until(lambda m: m["type"] == "hello")
                await police.until(lambda m: m["type"] == "hello")

                redis_server.pause()
                paused_at = time.monotonic()
                reply = await chair.command(
                    "set_risk", "paused-1", item=room.cases[0].pk, risk_level="high"
                )
                acknowledged_after = time.monotonic() - paused_at
                assert reply["type"] == "ack"
                assert acknowledged_after < ACK_WHILE_PAUSED_SECONDS
                # A page opened now is let in too, without waiting for Redis.
                async with open_socket(
                    server.address, cookies["police"], room.meeting.pk, 1
                ) as late:
                    await Page(late, last_seq=1).until(lambda m: m["type"] == "hello")
                assert time.monotonic() - paused_at < PAUSE_SECONDS
                # The member gets the change from the database while Redis is paused.
                await police.caught_up_to(await run(last_seq, room))
                redis_server.resume()
                await chair.saw(is_resumed, timeout=30)
    finally:
        await run(wait_for_other_sessions_to_end)


# --- A daphne killed after the commit, before the acknowledgement -----------------------------


def actions_named(room, text):
    return Action.objects.filter(meeting=room.meeting, text=text).count()


def added_events(room):
    return MeetingEvent.objects.filter(meeting=room.meeting, type="action.added").count()


@pytest.mark.redis
@pytest.mark.postgres
@redis_only
async def test_a_retried_add_action_after_its_process_was_killed_adds_one_action(
    private_channel_prefix,
):
    await run(needs_postgresql)
    room = await run(build_started_room)
    cookies = await cookies_for(room, "chair")
    args = action_args(room, "Strategy discussion today")
    try:
        with daphnes(
            2, redis_url=os.environ["REDIS_URL"], channel_prefix=private_channel_prefix
        ) as (first, second):
            async with open_socket(first.address, cookies["chair"], room.meeting.pk, 1) as socket:
                chair = Page(socket, last_seq=1)
                await chair.until(lambda m: m["type"] == "hello")
                await socket.send(
                    json.dumps(
                        {
                            "type": "command",
                            "command": "add_action",
                            "args": args,
                            "request_id": "kill-1",
                        }
                    )
                )
                # The moment the change is committed, the process dies: whatever it was about
                # to answer is lost with it.
                deadline = time.monotonic() + 30
                while not await run(actions_named, room, args["text"]):
                    assert time.monotonic() < deadline, "the command was never applied"
                    await asyncio.sleep(0.01)
                os.kill(first.pid, signal.SIGKILL)
            # The page reconnects (to the other process) and sends the command again, same id.
            async with open_socket(second.address, cookies["chair"], room.meeting.pk, 1) as socket:
                chair = Page(socket, last_seq=1)
                await chair.until(lambda m: m["type"] == "hello")
                reply = await chair.command("add_action", "kill-1", **args)
    finally:
        await run(wait_for_other_sessions_to_end)

    assert reply == {"request_id": "kill-1", "type": "ack", "message": "Action added."}
    assert await run(actions_named, room, args["text"]) == 1
    assert await run(added_events, room) == 1


# --- A database connection terminated mid-command ----------------------------------------------


@pytest.mark.postgres
async def test_a_terminated_database_connection_answers_the_chair_and_the_retry_applies_once():
    await run(needs_postgresql)
    room = await run(build_started_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=1)
    args = action_args(room, "Check school attendance")
    create = MeetingCommandReceipt.objects.create

    def terminate_then_create(**kwargs):
        # Another session ends this one's backend, inside the command's transaction.
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return create(**kwargs)

    with mock.patch.object(
        MeetingCommandReceipt.objects, "create", side_effect=terminate_then_create
    ):
        await chair.send_json_to(
            {"type": "command", "command": "add_action", "args": args, "request_id": "pg-1"}
        )
        reply = (await receive_until(chair, lambda m: m.get("request_id") == "pg-1"))[-1]

    assert reply["type"] == "error"
    assert reply["message"].startswith("The change could not be saved")
    assert await still_up(chair)
    assert await run(actions_named, room, args["text"]) == 0

    await chair.send_json_to(
        {"type": "command", "command": "add_action", "args": args, "request_id": "pg-1"}
    )
    retry = (await receive_until(chair, lambda m: m.get("request_id") == "pg-1"))[-1]
    assert retry["type"] == "ack"
    assert await run(actions_named, room, args["text"]) == 1
    await chair.disconnect()


async def test_a_command_whose_commit_was_lost_to_the_connection_is_acknowledged_not_dropped():
    """The connection fails after the change committed (the answer to COMMIT lost): the
    receipt, read again, says it was saved."""
    room = await run(build_started_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=1)
    args = action_args(room, "Return home interview")
    real = commands.run_command

    def commit_then_fail(**kwargs):
        real(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    with mock.patch.object(commands, "run_command", side_effect=commit_then_fail):
        await chair.send_json_to(
            {"type": "command", "command": "add_action", "args": args, "request_id": "lost-1"}
        )
        reply = (await receive_until(chair, lambda m: m.get("request_id") == "lost-1"))[-1]

    assert reply == {"request_id": "lost-1", "type": "ack", "message": "Action added."}
    assert await run(actions_named, room, args["text"]) == 1
    assert await still_up(chair)
    await chair.disconnect()


# --- A socket whose handler dies ----------------------------------------------------------------


class HandlerDied(Exception):
    pass


async def test_a_socket_whose_handler_dies_leaves_no_fresh_presence_after_one_tick(settings):
    settings.MEETING_SOCKET_TICK_SECONDS = 0.5
    settings.MEETING_PRESENCE_BEAT_SECONDS = 0.5
    room = await run(build_started_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=1)
    police, _ = await connect(room.people["police"], room.meeting.pk, last_seq=1)
    police_id = room.people["police"].pk
    await receive_until(
        chair, lambda m: m["type"] == "presence" and police_id in {p["id"] for p in m["people"]}
    )
    receive_json = MeetingConsumer.receive_json

    async def dies_on_request(self, content, **kwargs):
        if content.get("type") == "die":
            raise HandlerDied
        return await receive_json(self, content, **kwargs)

    with mock.patch.object(MeetingConsumer, "receive_json", dies_on_request):
        await police.send_json_to({"type": "die"})
        with pytest.raises(HandlerDied):
            await police.wait(timeout=10)

    await asyncio.sleep(2 * settings.MEETING_SOCKET_TICK_SECONDS)
    assert not await run(MeetingPresence.objects.filter(user_id=police_id).exists)
    presence = await receive_until(
        chair, lambda m: m["type"] == "presence" and police_id not in {p["id"] for p in m["people"]}
    )
    assert room.people["chair"].pk in {p["id"] for p in presence[-1]["people"]}
    # The process's one tick checks the chair's socket only: the dead one left it.
    assert socket_ticks.registered() == 1
    ticks = [t for t in asyncio.all_tasks() if t.get_name() == socket_ticks.TASK_NAME]
    assert len(ticks) == 1
    await chair.disconnect()


@pytest.mark.redis
@redis_only
async def test_the_people_of_a_killed_process_leave_connected_now_within_a_few_beats(
    private_channel_prefix,
):
    room = await run(build_started_room)
    cookies = await cookies_for(room, "chair", "police")
    police_id = room.people["police"].pk
    try:
        with daphnes(
            2,
            redis_url=os.environ["REDIS_URL"],
            channel_prefix=private_channel_prefix,
            meeting_presence_beat_seconds=1,
        ) as (first, second):
            async with open_socket(second.address, cookies["chair"], room.meeting.pk, 1) as cs:
                chair = Page(cs, last_seq=1)
                await chair.until(lambda m: m["type"] == "hello")
                async with open_socket(first.address, cookies["police"], room.meeting.pk, 1):
                    await chair.until(
                        lambda m: (
                            m["type"] == "presence" and police_id in {p["id"] for p in m["people"]}
                        )
                    )
                    os.kill(first.pid, signal.SIGKILL)
                    # 3 missed beats of 1 s, then the next beat of the surviving process.
                    await chair.until(
                        lambda m: (
                            m["type"] == "presence"
                            and police_id not in {p["id"] for p in m["people"]}
                        ),
                        timeout=20,
                    )
    finally:
        await run(wait_for_other_sessions_to_end)
    assert not await run(MeetingPresence.objects.filter(user_id=police_id).exists)
