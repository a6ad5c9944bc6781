"""A person's notification socket gets their doorbells, and only theirs, from any process.

In production the web process holding the socket and the process that sends the doorbell
(a request handled by another daphne, a management command) are different OS processes;
only channels-redis carries the message between them. The cross-process test needs a real
Redis: run it with REDIS_URL=redis://127.0.0.1:6379/1. The others pass on either layer.
"""

import asyncio
import os
import sys
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from config.routing import websocket_urlpatterns
from notifications.groups import user_group
from tests.factories import UserFactory, signed_in_session

ROOT = Path(__file__).resolve().parents[2]
SOCKET_PATH = "/ws/notifications/"
RECEIVE_TIMEOUT = 10  # seconds before a missing message fails the test

# Run in a second OS process, with the same settings and environment as a server process.
SEND_DOORBELL_FROM_ANOTHER_PROCESS = """
import sys
import django
django.setup()
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from notifications.groups import user_group
layer = get_channel_layer()
async_to_sync(layer.group_send)(
    user_group(int(sys.argv[1])), {"type": "notification.doorbell", "unread": 3}
)
print(type(layer).__name__)
"""


@pytest.fixture(autouse=True)
def private_channel_prefix(settings):
    """A Redis channel-layer prefix no other test process uses.

    Every xdist worker (and any other run) shares the one Redis, and their test databases
    all number users from 1: without a prefix of its own, one worker's doorbell for user 1
    could reach another worker's socket for its user 1.
    """
    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels.layers.InMemoryChannelLayer":
        return None
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer.get("CONFIG", {}), "prefix": prefix}}
    }
    return prefix


def notification_socket(user) -> WebsocketCommunicator:
    """A WebSocket to /ws/notifications/, through the project's own routes, as `user`."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), SOCKET_PATH)
    communicator.scope["user"] = user
    communicator.scope["session"] = signed_in_session(user)
    return communicator


@asynccontextmanager
async def open_notification_socket(user):
    communicator = notification_socket(user)
    connected, close_code = await communicator.connect()
    assert connected, f"the socket was refused (close code {close_code})"
    # The stream opens with the person's unread count, read from the database.
    assert (await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "unread"
    try:
        yield communicator
    finally:
        await communicator.disconnect()


async def ring_doorbell(user, unread: int) -> None:
    await get_channel_layer().group_send(
        user_group(user.pk), {"type": "notification.doorbell", "unread": unread}
    )


@pytest.mark.redis
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: the cross-process test needs a real Redis "
    "(REDIS_URL=redis://127.0.0.1:6379/1)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_doorbell_sent_from_another_process_reaches_the_persons_open_socket(
    private_channel_prefix,
):
    person = await sync_to_async(UserFactory)()
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"

    async with open_notification_socket(person) as socket:
        sender = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            SEND_DOORBELL_FROM_ANOTHER_PROCESS,
            str(person.pk),
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DJANGO_ENV": "test",
                "REDIS_URL": os.environ["REDIS_URL"],
                "CHANNEL_PREFIX": private_channel_prefix,
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await sender.communicate()
        assert sender.returncode == 0, stderr.decode()
        assert stdout.decode().strip() == "RedisChannelLayer"

        assert await socket.receive_json_from(timeout=RECEIVE_TIMEOUT) == {
            "type": "doorbell",
            "unread": 3,
        }


@pytest.mark.asyncio
async def test_an_anonymous_visitor_is_refused_at_the_handshake():
    socket = notification_socket(AnonymousUser())

    connected, close_code = await socket.connect()

    assert connected is False
    assert close_code == 4401


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_persons_socket_does_not_receive_another_persons_doorbell():
    alice, bob = await sync_to_async(UserFactory.create_batch)(2)

    async with (
        open_notification_socket(alice) as alices_socket,
        open_notification_socket(bob) as bobs_socket,
    ):
        await ring_doorbell(bob, unread=99)
        await ring_doorbell(alice, unread=1)

        # Had Bob's doorbell reached Alice's socket, it would have arrived first.
        assert await alices_socket.receive_json_from(timeout=RECEIVE_TIMEOUT) == {
            "type": "doorbell",
            "unread": 1,
        }
        assert await bobs_socket.receive_json_from(timeout=RECEIVE_TIMEOUT) == {
            "type": "doorbell",
            "unread": 99,
        }
