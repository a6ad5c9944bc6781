import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from notifications import services
from notifications.consumers import NotificationConsumer
from notifications.models import NotificationKind
from tests.factories import UserFactory, signed_in_session


def test_the_list_shows_only_the_persons_own_notifications(client, db):
    ana, bob = UserFactory(username="ana"), UserFactory(username="bob")
    services.notify(recipients=[ana], kind=NotificationKind.ACTION_ASSIGNED, message="For Ana")
    services.notify(recipients=[bob], kind=NotificationKind.ACTION_ASSIGNED, message="For Bob")
    client.force_login(ana)

    html = client.get("/notifications/").content.decode()

    assert "For Ana" in html
    assert "For Bob" not in html


def test_preferences_are_saved(client, db):
    ana = UserFactory(username="ana")
    client.force_login(ana)

    response = client.post(
        "/notifications/preferences/",
        {"email_kinds": [NotificationKind.ACTION_OVERDUE], "daily_digest": "1"},
    )

    assert response.status_code == 302
    preferences = services.preferences_for(ana)
    assert preferences.email_kinds == [NotificationKind.ACTION_OVERDUE]
    assert preferences.daily_digest is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_connected_socket_receives_the_unread_count_change_live():
    ana = await sync_to_async(UserFactory)(username="ana")
    socket = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    socket.scope["user"] = ana
    socket.scope["session"] = signed_in_session(ana)
    assert (await socket.connect())[0]
    assert await socket.receive_json_from(timeout=5) == {"type": "unread", "count": 0}

    await sync_to_async(services.notify)(
        recipients=[ana], kind=NotificationKind.ACTION_ASSIGNED, message="Action 7."
    )

    assert await socket.receive_json_from(timeout=5) == {"type": "unread", "count": 1}
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_person_cannot_subscribe_to_another_persons_stream():
    """The stream takes no name: whoever connects hears only their own group, whatever the
    path or the commands they send."""
    ana = await sync_to_async(UserFactory)(username="ana")
    bob = await sync_to_async(UserFactory)(username="bob")
    socket = WebsocketCommunicator(
        NotificationConsumer.as_asgi(), f"/ws/notifications/?user={bob.pk}"
    )
    socket.scope["user"] = ana
    socket.scope["session"] = signed_in_session(ana)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "subscribe", "user": bob.pk})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"

    await sync_to_async(services.notify)(
        recipients=[bob], kind=NotificationKind.ACTION_ASSIGNED, message="For Bob."
    )

    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
