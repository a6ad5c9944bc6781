"""Two daphne processes on channels-redis, as in production: a person's meeting and
notification sockets are held by process B while their access is ended elsewhere (a sign-out
through process A, a deactivation by a service in another process); both sockets on B close
within a second. Needs a real Redis: REDIS_URL=redis://127.0.0.1:6379/2."""

import asyncio
import json
import os
import time
import urllib.request
from http.cookies import SimpleCookie

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from agencies.sockets import recheck_sockets_on_commit
from tests.panels.test_meeting_room_across_processes import (
    daphne_processes,
    session_cookie,
    wait_for_other_sessions_to_end,
)
from tests.security.test_sockets_close_when_access_ends import chair_says, started_room, tell

CLOSES_WITHIN = 1.0  # seconds from ending access to both close frames on the other process
RECEIVE_TIMEOUT = 10

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="REDIS_URL is not set: two processes need a real Redis "
        "(REDIS_URL=redis://127.0.0.1:6379/2)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio,
]


@pytest.fixture
def private_channel_prefix(settings):
    """Redis keys no other test process uses; the daphne processes are given the same."""
    import uuid

    layer = settings.CHANNEL_LAYERS["default"]
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer.get("CONFIG", {}), "prefix": prefix}}
    }
    return prefix


def socket(address: str, cookie: str, path: str):
    return connect(
        f"ws://{address}{path}",
        origin=f"http://{address}",
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
    )


async def receive_until(websocket, predicate) -> dict:
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        while True:
            message = json.loads(await websocket.recv())
            if predicate(message):
                return message


async def closed_at(websocket) -> tuple[float, int, list[dict]]:
    """When the server closed the socket (time.monotonic()), its code, what it sent before."""
    sent = []
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        while True:
            try:
                sent.append(json.loads(await websocket.recv()))
            except ConnectionClosed as closed:
                return time.monotonic(), closed.rcvd.code if closed.rcvd else None, sent


def csrf_token(address: str, cookie: str) -> str:
    """The CSRF cookie a page sets, as the browser has it before it signs out."""
    name = settings.SESSION_COOKIE_NAME
    with urllib.request.urlopen(
        urllib.request.Request(f"http://{address}/", headers={"Cookie": f"{name}={cookie}"}),
        timeout=RECEIVE_TIMEOUT,
    ) as page:
        jar = SimpleCookie()
        for header in page.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    return jar[settings.CSRF_COOKIE_NAME].value


def sign_out_through(address: str, cookie: str, token: str) -> int:
    """POST /sign-out/ as the browser's sign-out button does."""
    name = settings.SESSION_COOKIE_NAME
    request = urllib.request.Request(
        f"http://{address}/sign-out/",
        data=b"",
        method="POST",
        headers={
            "Cookie": f"{name}={cookie}; {settings.CSRF_COOKIE_NAME}={token}",
            "X-CSRFToken": token,
        },
    )
    with urllib.request.urlopen(request, timeout=RECEIVE_TIMEOUT) as response:
        return response.status


async def open_and_hearing(room, cookie: str, address: str, stack):
    """The police member's meeting and notification sockets on `address`, shown to hear the
    chair's notes and their own notifications (both rung through Redis)."""
    meeting = await stack.enter_async_context(
        socket(address, cookie, f"/ws/meetings/{room.meeting.pk}/?last_seq=1")
    )
    await receive_until(meeting, lambda m: m["type"] == "hello")
    stream = await stack.enter_async_context(socket(address, cookie, "/ws/notifications/"))
    await receive_until(stream, lambda m: m.get("count") == 0)

    await database_sync_to_async(chair_says)(room, "Heard on process B")
    await receive_until(
        meeting, lambda m: m.get("event") == "item.notes_saved" and m["payload"]["text"]
    )
    await database_sync_to_async(tell)(room.people["police"], "Heard on process B")
    await receive_until(stream, lambda m: m.get("count", m.get("unread")) == 1)
    return meeting, stream


async def both_close_within_a_second(meeting, stream, end_access):
    started = time.monotonic()
    (meeting_at, meeting_code, sent), (stream_at, stream_code, _), _ = await asyncio.gather(
        closed_at(meeting), closed_at(stream), end_access()
    )
    assert meeting_code == 4403
    assert [m["type"] for m in sent if m["type"] == "evicted"] == ["evicted"]
    assert stream_code in {4401, 4403}
    took = max(meeting_at, stream_at) - started
    assert took < CLOSES_WITHIN, f"the sockets on process B closed {took:.2f} s later"


async def test_signing_out_through_one_process_closes_the_sockets_held_by_another(
    private_channel_prefix,
):
    from contextlib import AsyncExitStack

    room = await database_sync_to_async(started_room)()
    cookie = await database_sync_to_async(session_cookie)(room.people["police"])
    try:
        with daphne_processes(2, private_channel_prefix) as (first, second):
            async with AsyncExitStack() as stack:
                meeting, stream = await open_and_hearing(room, cookie, second, stack)
                token = await asyncio.to_thread(csrf_token, first, cookie)

                async def sign_out():
                    status = await asyncio.to_thread(sign_out_through, first, cookie, token)
                    assert status == 200  # the redirect to the sign-in page, followed

                await both_close_within_a_second(meeting, stream, sign_out)
    finally:
        await database_sync_to_async(wait_for_other_sessions_to_end)()


async def test_deactivating_a_person_elsewhere_closes_the_sockets_held_by_a_process(
    private_channel_prefix,
):
    from contextlib import AsyncExitStack

    room = await database_sync_to_async(started_room)()
    police = room.people["police"]
    cookie = await database_sync_to_async(session_cookie)(police)

    def deactivate():
        with transaction.atomic():
            police.is_active = False
            police.save(update_fields=["is_active"])
            recheck_sockets_on_commit(user_ids=[police.pk])

    try:
        with daphne_processes(2, private_channel_prefix) as (_, second):
            async with AsyncExitStack() as stack:
                meeting, stream = await open_and_hearing(room, cookie, second, stack)

                await both_close_within_a_second(
                    meeting, stream, database_sync_to_async(deactivate)
                )
    finally:
        await database_sync_to_async(wait_for_other_sessions_to_end)()
