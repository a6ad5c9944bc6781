"""Processes the fault tests start and stop themselves: daphne servers on the project's
settings, and a redis-server of the test's own (never the shared one, which other test runs
use)."""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.test import Client
from websockets.asyncio.client import connect

from tests.panels.test_meeting_room_across_processes import database_url, free_port, healthy

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60  # seconds for a process to answer (two shared cores)
RECEIVE_TIMEOUT = 15


class OwnRedis:
    """A redis-server on a free port of its own, without persistence: stopping it loses
    every group and message, as a restart does."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the test's redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGCONT)  # in case it was paused
                self.process.terminate()
                self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


@contextmanager
def own_redis():
    server = OwnRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def daphnes(count: int, *, redis_url: str, channel_prefix: str, **settings):
    """`count` daphne processes on tests.realtime.daphne_settings; yields their processes and
    addresses. `settings` are TEST_<NAME> environment values (tick, presence beat)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.realtime.daphne_settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": channel_prefix,
        "PYTHONUNBUFFERED": "1",
        **{f"TEST_{name.upper()}": str(value) for name, value in settings.items()},
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
            process.address = f"127.0.0.1:{port}"
            servers.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        for process in servers:
            while not healthy(f"http://{process.address}"):
                if process.poll() is not None:
                    pytest.fail(f"daphne exited: {server_log(process)}")
                if time.monotonic() > deadline:
                    pytest.fail(f"daphne at {process.address} did not answer /healthz")
                time.sleep(0.1)
        yield servers
    finally:
        for process in servers:
            if process.poll() is None:
                process.terminate()
        for process in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log.close()


def server_log(process) -> str:
    process.log.seek(0)
    return process.log.read().decode(errors="replace")[-4000:]


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def open_socket(address: str, cookie: str, meeting_id: int, last_seq: int = 0):
    return connect(
        f"ws://{address}/ws/meetings/{meeting_id}/?last_seq={last_seq}",
        origin=f"http://{address}",
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=RECEIVE_TIMEOUT,
    )


class Page:
    """A client that behaves like meeting.js: applies events in order, and remembers every
    message it was sent."""

    def __init__(self, websocket, last_seq: int):
        self.websocket = websocket
        self.last_seq = last_seq  # as the socket was opened with
        self.seen: list[dict] = []

    async def until(self, predicate, timeout: float = RECEIVE_TIMEOUT) -> dict:
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.websocket.recv())
                self.seen.append(message)
                if message.get("type") == "event" and message["seq"] == self.last_seq + 1:
                    self.last_seq = message["seq"]
                if predicate(message):
                    return message

    async def saw(self, predicate, timeout: float = RECEIVE_TIMEOUT) -> dict:
        """The first message, already received or still to come, that the predicate takes."""
        for message in self.seen:
            if predicate(message):
                return message
        return await self.until(predicate, timeout=timeout)

    async def command(self, name: str, request_id: str, **args) -> dict:
        await self.websocket.send(
            json.dumps({"type": "command", "command": name, "args": args, "request_id": request_id})
        )
        return await self.until(lambda m: m.get("request_id") == request_id)

    async def caught_up_to(self, seq: int, timeout: float = RECEIVE_TIMEOUT) -> None:
        if self.last_seq < seq:
            await self.until(lambda m: self.last_seq >= seq, timeout=timeout)


def is_paused(message) -> bool:
    return message.get("type") == "live" and message.get("paused") is True


def is_resumed(message) -> bool:
    return message.get("type") == "live" and message.get("paused") is False
