"""Ending access closes every socket it affects at once (issue 12, findings 3 and 5):
signing out, a session expiring, a password change, deactivation, a panel seat, an
invitation or an agency membership ended. Each test first shows the socket open and hearing
what is said; the sockets are opened as a browser opens them, with the session cookie,
through the project's AuthMiddlewareStack."""

import asyncio
from dataclasses import dataclass

import pytest
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import Membership, Role
from agencies.sockets import recheck_sockets_on_commit
from config.routing import websocket_urlpatterns
from notifications import services as notification_services
from notifications.consumers import NotificationConsumer
from notifications.models import NotificationKind
from panels import fanout, services
from panels.consumers import MeetingConsumer
from panels.models import AgendaItem, PanelMembership
from tests.factories import UserFactory, person
from tests.panels.conftest import build_room, private_channel_prefix, run  # noqa: F401

CLOSES_WITHIN = 1.0  # seconds from the end of access to the close frame
RECEIVE_TIMEOUT = 10

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


# --- Signed in, with both sockets open and hearing ----------------------------------------


def sign_in(user, *, expire_in: int | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if expire_in is not None:
        session = client.session
        session.set_expiry(expire_in)
        session.save()
    return client


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def browser_socket(client: Client, path: str) -> WebsocketCommunicator:
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_key(client)}"
    return WebsocketCommunicator(
        AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
        path,
        headers=[(b"cookie", cookie.encode())],
    )


@dataclass
class Sockets:
    meeting: WebsocketCommunicator
    notifications: WebsocketCommunicator

    async def close(self):
        for socket in (self.meeting, self.notifications):
            await socket.disconnect()


def started_room():
    room = build_room()
    services.meeting_start(actor=room.people["chair"], meeting=room.meeting)
    room.meeting.refresh_from_db()
    return room


def chair_says(room, text: str) -> None:
    item = AgendaItem.objects.get(pk=room.cases[0].pk)
    services.item_save_notes(
        actor=room.people["chair"],
        meeting=room.meeting,
        item_id=item.pk,
        text=text,
        version=item.notes_version,
    )


def tell(user, message: str) -> None:
    notification_services.notify(
        recipients=[user], kind=NotificationKind.ACTION_ASSIGNED, message=message
    )


async def receive_until(socket, predicate) -> dict:
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        while True:
            message = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
            if predicate(message):
                return message


def notes(text):
    return lambda m: m.get("event") == "item.notes_saved" and m["payload"]["text"] == text


def unread(count):
    return lambda m: m.get("count", m.get("unread")) == count


async def open_and_hearing(room, key: str, client: Client, unread_before: int = 0) -> Sockets:
    """The person's meeting and notification sockets, shown to hear the chair's notes and
    their own notifications."""
    meeting = browser_socket(client, f"/ws/meetings/{room.meeting.pk}/?last_seq=1")
    connected, code = await meeting.connect()
    assert connected, f"meeting socket refused with {code}"
    await receive_until(meeting, lambda m: m["type"] == "hello")
    stream = browser_socket(client, "/ws/notifications/")
    connected, code = await stream.connect()
    assert connected, f"notification socket refused with {code}"
    await receive_until(stream, unread(unread_before))

    said = f"Heard by {key} before access ended ({unread_before})"
    await run(chair_says, room, said)
    await receive_until(meeting, notes(said))
    await run(tell, room.people[key], said)
    await receive_until(stream, unread(unread_before + 1))
    return Sockets(meeting, stream)


async def closed(socket, *, within: float = CLOSES_WITHIN) -> tuple[int, list[dict]]:
    """The close code and what was sent before it; the test fails when no close frame comes
    within `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    sent = []
    while True:
        remaining = deadline - loop.time()
        assert remaining > 0, f"still open after {within} s; it sent {sent}"
        try:
            output = await socket.receive_output(timeout=remaining)
        except TimeoutError:
            pytest.fail(f"still open after {within} s; it sent {sent}")
        if output["type"] == "websocket.close":
            return output["code"], sent
        sent.append(output)


def evicted(sent: list[dict]) -> bool:
    return any('"evicted"' in output.get("text", "") for output in sent)


async def both_closed(sockets: Sockets, *, within: float = CLOSES_WITHIN, notifications=True):
    meeting_code, sent = await closed(sockets.meeting, within=within)
    assert (meeting_code, evicted(sent)) == (4403, True)
    if notifications:
        stream_code, _ = await closed(sockets.notifications, within=within)
        assert stream_code in {4401, 4403}


# --- Signing out, and a session that ends by itself -----------------------------------------


async def test_signing_out_closes_the_persons_meeting_and_notification_sockets_at_once():
    room = await run(started_room)
    client = await run(sign_in, room.people["police"])
    sockets = await open_and_hearing(room, "police", client)

    response = await run(client.post, "/sign-out/")

    assert response.status_code == 302
    await both_closed(sockets)
    # Nothing said afterwards reaches the closed room.
    await run(chair_says, room, "Said after the sign-out")
    assert await sockets.meeting.receive_nothing(timeout=0.3)
    await sockets.close()


async def test_signing_out_on_one_device_leaves_the_persons_other_devices_open():
    room = await run(started_room)
    laptop = await run(sign_in, room.people["police"])
    phone = await run(sign_in, room.people["police"])
    on_laptop = await open_and_hearing(room, "police", laptop)
    on_phone = await open_and_hearing(room, "police", phone, unread_before=1)

    await run(laptop.post, "/sign-out/")

    await both_closed(on_laptop)
    await run(chair_says, room, "Still heard on the phone")
    await receive_until(on_phone.meeting, notes("Still heard on the phone"))
    await on_phone.close()
    await on_laptop.close()


async def test_an_expired_session_closes_its_sockets_within_a_second_of_expiring():
    room = await run(started_room)
    client = await run(sign_in, room.people["police"], expire_in=3)
    expires_at = await run(lambda: Session.objects.get(session_key=session_key(client)).expire_date)
    sockets = await open_and_hearing(room, "police", client)
    wait = (expires_at - timezone.now()).total_seconds()
    assert wait > 0.5, "the sockets were not open and hearing well before the expiry"

    await both_closed(sockets, within=wait + CLOSES_WITHIN)

    late = (timezone.now() - expires_at).total_seconds()
    assert 0 <= late < CLOSES_WITHIN
    await sockets.close()


async def test_a_session_deleted_without_a_word_is_caught_by_the_next_tick(settings):
    settings.MEETING_SOCKET_TICK_SECONDS = 0.2
    settings.NOTIFICATION_SOCKET_TICK_SECONDS = 0.2
    room = await run(started_room)
    client = await run(sign_in, room.people["police"])
    sockets = await open_and_hearing(room, "police", client)

    await run(lambda: Session.objects.filter(session_key=session_key(client)).delete())

    await both_closed(sockets)
    await sockets.close()


# --- The account changed ---------------------------------------------------------------------


async def test_a_password_change_closes_the_persons_sockets():
    room = await run(started_room)
    police = room.people["police"]
    client = await run(sign_in, police)
    sockets = await open_and_hearing(room, "police", client)

    def change_password():
        police.set_password("a completely new passphrase")
        police.save()

    await run(change_password)

    await both_closed(sockets)
    await sockets.close()


async def test_deactivating_a_person_closes_their_sockets():
    room = await run(started_room)
    police = room.people["police"]
    client = await run(sign_in, police)
    sockets = await open_and_hearing(room, "police", client)

    def deactivate():
        # What the people service does (agencies.services), in one transaction.
        with transaction.atomic():
            police.is_active = False
            police.save(update_fields=["is_active"])
            recheck_sockets_on_commit(user_ids=[police.pk])

    await run(deactivate)

    await both_closed(sockets)
    await sockets.close()


# --- Access to the meeting ended; still signed in --------------------------------------------


async def test_ending_a_panel_seat_closes_the_meeting_socket_and_not_the_notifications():
    room = await run(started_room)
    client = await run(sign_in, room.people["health"])
    sockets = await open_and_hearing(room, "health", client)
    seat = await run(PanelMembership.objects.get, panel=room.panel, user=room.people["health"])

    await run(
        services.panel_membership_end,
        actor=room.people["coordinator"],
        membership=seat,
        reason="Moved to another team.",
    )

    code, sent = await closed(sockets.meeting)
    assert (code, evicted(sent)) == (4403, True)
    await still_hearing_notifications(room, "health", sockets, 2)
    await sockets.close()


async def test_withdrawing_an_invitation_closes_the_meeting_socket_and_not_the_notifications():
    room = await run(started_room)
    client = await run(sign_in, room.people["police"])
    sockets = await open_and_hearing(room, "police", client)

    await run(
        services.meeting_invitation_withdraw,
        actor=room.people["chair"],
        meeting=room.meeting,
        person=room.people["police"],
    )

    code, sent = await closed(sockets.meeting)
    assert (code, evicted(sent)) == (4403, True)
    await still_hearing_notifications(room, "police", sockets, 2)
    await sockets.close()


async def test_ending_an_agency_membership_closes_the_meeting_socket_and_not_the_notifications():
    """The notification stream is the person's own and needs only a live session (as does
    the notifications page), so it stays open, having checked."""
    room = await run(started_room)
    police = room.people["police"]
    client = await run(sign_in, police)
    sockets = await open_and_hearing(room, "police", client)
    administrator = await run(
        person, Role.SYSTEM_ADMINISTRATOR, room.agencies["csc"], username="room_admin"
    )
    membership = await run(Membership.objects.active().get, user=police)

    def end_membership():
        agency_services.membership_end(
            actor=administrator, membership=membership, reason="Left the force."
        )
        recheck_sockets_on_commit(user_ids=[police.pk])

    await run(end_membership)

    code, sent = await closed(sockets.meeting)
    assert (code, evicted(sent)) == (4403, True)
    await still_hearing_notifications(room, "police", sockets, 2)
    await sockets.close()


async def still_hearing_notifications(room, key, sockets, count):
    await run(tell, room.people[key], "Still yours to read")
    await receive_until(sockets.notifications, unread(count))


# --- Nothing a socket starts outlives it --------------------------------------------------


def socket_tasks() -> set[asyncio.Task]:
    return {
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith("socket ") and not task.done()
    }


async def test_a_closed_socket_leaves_no_task_running():
    room = await run(started_room)
    client = await run(sign_in, room.people["police"])
    before = socket_tasks()
    sockets = await open_and_hearing(room, "police", client)
    assert socket_tasks() - before, "the sockets watch their session and access in tasks"

    await sockets.close()
    await asyncio.sleep(0)

    assert socket_tasks() - before == set()
    assert fanout.sockets_in(room.meeting.pk) == 0


@pytest.mark.parametrize("consumer", [MeetingConsumer, NotificationConsumer])
async def test_a_socket_that_crashes_leaves_no_task_running(monkeypatch, consumer):
    room = await run(started_room)
    client = await run(sign_in, room.people["police"])
    before = socket_tasks()
    sockets = await open_and_hearing(room, "police", client)

    async def crash(self, content, **kwargs):
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr(consumer, "receive_json", crash)
    socket = sockets.meeting if consumer is MeetingConsumer else sockets.notifications
    await socket.send_json_to({"type": "ping"})
    with pytest.raises(RuntimeError, match="a bug in a handler"):
        await socket.wait(timeout=RECEIVE_TIMEOUT)
    await asyncio.sleep(0)

    mine = {task for task in socket_tasks() - before if consumer.__name__ in task.get_name()}
    assert mine == set()
    if consumer is MeetingConsumer:
        assert fanout.sockets_in(room.meeting.pk) == 0
        await sockets.notifications.disconnect()
    else:
        await sockets.meeting.disconnect()


async def test_signing_out_of_the_django_admin_closes_the_break_fix_accounts_sockets():
    fixer = await run(UserFactory, username="break.fix", is_superuser=True, is_staff=True)
    client = await run(sign_in, fixer)
    stream = browser_socket(client, "/ws/notifications/")
    connected, code = await stream.connect()
    assert connected, f"notification socket refused with {code}"
    await receive_until(stream, unread(0))

    response = await run(client.post, "/admin/logout/")

    assert response.status_code == 302  # to the sign-in page
    code, _ = await closed(stream)
    assert code in {4401, 4403}
