"""The notification stream answers a frame that is not a JSON object, and stays up."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from notifications.consumers import NotificationConsumer
from tests.factories import UserFactory, signed_in_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def open_stream():
    ana = await sync_to_async(UserFactory)(username="ana")
    socket = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    socket.scope["user"] = ana
    socket.scope["session"] = signed_in_session(ana)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=5))["type"] == "unread"
    return socket


async def still_up(socket):
    await socket.send_json_to({"type": "refresh"})
    return (await socket.receive_json_from(timeout=5)) == {"type": "unread", "count": 0}


@pytest.mark.parametrize(
    "frame", [{"text_data": "{not json"}, {"bytes_data": b"\x00\x01"}, {"text_data": "[1, 2]"}]
)
async def test_a_frame_that_is_not_a_json_object_is_answered_and_the_stream_stays_up(frame):
    socket = await open_stream()

    await socket.send_to(**frame)

    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    assert await still_up(socket)
    await socket.disconnect()


async def test_refreshes_beyond_the_budget_are_answered_not_served(settings):
    settings.NOTIFICATION_SOCKET_MESSAGE_RATE = 0.01
    settings.NOTIFICATION_SOCKET_MESSAGE_BURST = 2
    socket = await open_stream()

    for _ in range(3):
        await socket.send_json_to({"type": "refresh"})
    answers = [await socket.receive_json_from(timeout=5) for _ in range(3)]

    assert [a["type"] for a in answers] == ["unread", "unread", "error"]
    await socket.disconnect()
