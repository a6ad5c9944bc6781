"""Two daphne processes on channels-redis, as in production: the chair's socket is held by
one, the members' by the other, and each sees the other's changes. Needs a real Redis:
REDIS_URL=redis://127.0.0.1:6379/1 (the PostgreSQL CI pass sets it)."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from websockets.asyncio.client import connect

from panels import services
from tests.panels.conftest import build_room

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30  # seconds for a daphne's /healthz to answer 200
RECEIVE_TIMEOUT = 10

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="REDIS_URL is not set: two processes need a real Redis "
        "(REDIS_URL=redis://127.0.0.1:6379/1)",
    ),
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    from django.db import connection

    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = quote(settings_dict.get("HOST") or "localhost", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def daphne_processes(count: int, channel_prefix: str):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url(),
        "CHANNEL_PREFIX": channel_prefix,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    servers = []
    try:
        for _ in range(count):
            port = free_port()
            log = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the process stops
            process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
                + ["config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            process.log = log
            servers.append((process, f"127.0.0.1:{port}"))
        deadline = time.monotonic() + START_TIMEOUT
        for process, address in servers:
            while not healthy(f"http://{address}"):
                if process.poll() is not None:
                    process.log.seek(0)
                    pytest.fail(f"daphne exited: {process.log.read().decode(errors='replace')}")
                if time.monotonic() > deadline:
                    pytest.fail(f"daphne at {address} did not answer /healthz")
                time.sleep(0.1)
        yield [address for _, address in servers]
    finally:
        for process, _ in servers:
            process.terminate()
        for process, _ in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            process.log.close()


def wait_for_other_sessions_to_end(timeout: float = 10) -> None:
    """PostgreSQL ends a stopped daphne's session a moment after the process exits; the test
    database cannot be dropped until it has."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def open_socket(address: str, cookie: str, meeting_id: int, last_seq: int):
    return connect(
        f"ws://{address}/ws/meetings/{meeting_id}/?last_seq={last_seq}",
        origin=f"http://{address}",
        additional_headers={"Cookie": f"sessionid={cookie}"},
    )


async def receive_until(websocket, predicate):
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        while True:
            message = json.loads(await websocket.recv())
            if predicate(message):
                return message


def event(name):
    return lambda message: message.get("type") == "event" and message["event"] == name


@pytest.mark.asyncio
async def test_a_chair_on_one_process_and_members_on_another_see_each_others_changes(
    private_channel_prefix,
):
    room = await database_sync_to_async(build_room)()
    await database_sync_to_async(services.meeting_start)(
        actor=room.people["chair"], meeting=room.meeting
    )
    cookies = {
        key: await database_sync_to_async(session_cookie)(room.people[key])
        for key in ("chair", "coordinator", "police")
    }

    try:
        with daphne_processes(2, private_channel_prefix) as (first, second):
            await see_each_others_changes(room, cookies, first, second)
    finally:
        await database_sync_to_async(wait_for_other_sessions_to_end)()


async def see_each_others_changes(room, cookies, first, second):
    case = room.cases[0]
    async with (
        open_socket(first, cookies["chair"], room.meeting.pk, 1) as chair,
        open_socket(second, cookies["police"], room.meeting.pk, 1) as member,
    ):
        assert (await receive_until(chair, lambda m: m["type"] == "hello"))["can_run"]
        assert not (await receive_until(member, lambda m: m["type"] == "hello"))["can_run"]
        # The member's arrival, on the other process, reaches the chair.
        await receive_until(
            chair,
            lambda m: (
                m["type"] == "presence"
                and room.people["police"].pk in {p["id"] for p in m["people"]}
            ),
        )

        # The chair's command, on the first process, reaches the member on the second.
        await chair.send(
            json.dumps(
                {
                    "type": "command",
                    "command": "go_to_item",
                    "args": {"item": case.pk},
                    "request_id": "1",
                }
            )
        )
        moved = await receive_until(member, event("meeting.item_changed"))
        assert moved["payload"]["current_item"] == case.pk
        assert moved["seq"] == 2

        # The coordinator's notes, typed on the second process, reach the chair.
        async with open_socket(second, cookies["coordinator"], room.meeting.pk, 2) as coordinator:
            await receive_until(coordinator, lambda m: m["type"] == "hello")
            await coordinator.send(
                json.dumps(
                    {
                        "type": "command",
                        "command": "save_notes",
                        "args": {"item": case.pk, "text": "Typed on process two", "version": 0},
                        "request_id": "2",
                    }
                )
            )
            noted = await receive_until(chair, event("item.notes_saved"))
            assert noted["payload"]["text"] == "Typed on process two"
            assert noted["seq"] == 3
            assert (await receive_until(member, event("item.notes_saved")))["seq"] == 3
