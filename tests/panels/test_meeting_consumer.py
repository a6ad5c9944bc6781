"""The meeting room's WebSocket: who gets in, who may change the meeting, what happens to a
person removed mid-meeting, catching up after a reconnect, and edits that cross."""

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser

from agencies.models import AuditAction, AuditEvent
from panels import services
from panels.events import meeting_group
from panels.models import AgendaItemKind, MeetingEvent, MeetingStatus, PanelMembership
from tests.panels.conftest import (
    RECEIVE_TIMEOUT,
    build_room,
    command,
    connect,
    meeting_socket,
    no_more_events,
    receive_events,
    receive_until,
    run,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def refused(user, meeting_id):
    socket = meeting_socket(user, meeting_id)
    connected, code = await socket.connect()
    await socket.disconnect()
    return (not connected), code


def is_event(name):
    return lambda message: message.get("type") == "event" and message.get("event") == name


# --- The handshake -----------------------------------------------------------------------


async def test_an_anonymous_visitor_is_refused_at_the_handshake():
    room = await run(build_room)

    assert await refused(AnonymousUser(), room.meeting.pk) == (True, 4401)


async def test_a_panel_member_who_is_not_invited_is_refused_at_the_handshake():
    room = await run(build_room)

    assert await refused(room.people["uninvited"], room.meeting.pk) == (True, 4403)


async def test_an_invited_member_of_an_agency_that_is_not_on_the_panel_is_refused():
    room = await run(build_room)

    assert await refused(room.people["housing"], room.meeting.pk) == (True, 4403)


async def test_a_person_with_no_seat_is_refused_and_the_refusal_is_audited():
    room = await run(build_room)

    assert await refused(room.people["stranger"], room.meeting.pk) == (True, 4403)
    assert await run(
        AuditEvent.objects.filter(
            actor=room.people["stranger"], action=AuditAction.REFUSED, object_type="meeting"
        ).exists
    )


async def test_a_meeting_that_does_not_exist_is_refused_like_a_hidden_one():
    room = await run(build_room)

    assert await refused(room.people["chair"], room.meeting.pk + 1000) == (True, 4403)


async def test_an_invited_member_joins_and_opening_the_room_audits_each_listed_case():
    room = await run(build_room)

    socket, hello = await connect(room.people["police"], room.meeting.pk, last_seq=0)
    await socket.disconnect()

    assert hello["can_run"] is False
    assert hello["you"]["id"] == room.people["police"].pk
    viewed = await run(
        lambda: sorted(
            AuditEvent.objects.filter(
                actor=room.people["police"],
                action=AuditAction.VIEWED,
                object_type="panels.meeting",
            ).values_list("referral_id", flat=True)
        )
    )
    assert viewed == sorted(r.pk for r in room.referrals)


# --- Commands ----------------------------------------------------------------------------


async def test_the_chair_starts_the_meeting_and_every_participant_sees_it():
    room = await run(build_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)
    member, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)

    replies = await command(chair, "start")

    assert replies[-1]["type"] == "ack"
    started = [m for m in replies if m.get("event") == "meeting.started"]
    assert [m["seq"] for m in started] == [1]
    welcome = await run(lambda: room.item(AgendaItemKind.WELCOME).pk)
    assert started[0]["payload"]["current_item"] == welcome
    seen = await receive_until(member, is_event("meeting.started"))
    assert seen[-1]["seq"] == 1
    await chair.disconnect()
    await member.disconnect()


async def test_a_command_from_a_member_not_chair_or_coordinator_is_refused_and_changes_nothing():
    room = await run(build_room)
    member, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)

    replies = await command(member, "start")

    assert replies[-1]["type"] == "error"
    assert "chair or the coordinator" in replies[-1]["message"]
    await run(room.meeting.refresh_from_db)
    assert room.meeting.status == MeetingStatus.SCHEDULED
    assert room.meeting.last_seq == 0
    assert await run(MeetingEvent.objects.count) == 0
    await member.disconnect()


async def test_a_bad_command_gets_an_error_on_the_socket_and_changes_nothing():
    room = await run(build_room)
    await run(services.meeting_start, actor=room.people["chair"], meeting=room.meeting)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=1)

    unknown = await command(chair, "delete_everything", request_id="a")
    no_item = await command(chair, "set_risk", request_id="b", item=999999, risk_level="high")
    bad_level = await command(
        chair, "set_risk", request_id="c", item=room.cases[0].pk, risk_level="extreme"
    )
    standard = await command(
        chair,
        "set_risk",
        request_id="d",
        item=(await run(lambda: room.item(AgendaItemKind.WELCOME).pk)),
        risk_level="high",
    )

    assert [r[-1]["type"] for r in (unknown, no_item, bad_level, standard)] == ["error"] * 4
    assert "item" in no_item[-1]["errors"]
    assert "risk_level" in bad_level[-1]["errors"]
    assert "not a standard item" in standard[-1]["message"]
    await run(room.meeting.refresh_from_db)
    assert room.meeting.last_seq == 1
    await chair.disconnect()


async def test_a_malformed_message_gets_an_error_and_the_socket_stays_open():
    room = await run(build_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk)

    await chair.send_json_to({"type": "command", "command": 5, "request_id": "x"})
    reply = (await receive_until(chair, lambda m: m.get("request_id") == "x"))[-1]
    await chair.send_json_to({"type": "ping"})
    pong = (await receive_until(chair, lambda m: m["type"] == "pong"))[-1]

    assert reply["type"] == "error"
    assert pong["type"] == "pong"
    await chair.disconnect()


async def test_the_chair_moves_on_records_the_case_and_adds_an_action_seen_by_a_member():
    room = await run(build_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)
    member, _ = await connect(room.people["health"], room.meeting.pk, last_seq=0)
    case = room.cases[0]

    await command(chair, "start", request_id="1")
    await command(chair, "confidentiality_read", request_id="2")
    await command(chair, "go_to_item", request_id="3", item=case.pk)
    await command(
        chair,
        "record_update",
        request_id="4",
        item=case.pk,
        agency=room.agencies["health"].pk,
        text="Two A&E attendances.",
        version=0,
    )
    await command(chair, "set_risk", request_id="5", item=case.pk, risk_level="high")
    await command(
        chair, "record_decision", request_id="6", item=case.pk, text="Strategy meeting.", version=0
    )
    replies = await command(
        chair,
        "add_action",
        request_id="7",
        item=case.pk,
        text="Return home interview",
        owner_agency=room.agencies["csc"].pk,
        owner_person="",
        due_date="2099-01-31",
    )

    assert replies[-1]["type"] == "ack"
    seen = await receive_until(member, is_event("action.added"))
    assert [m["event"] for m in seen if m["type"] == "event"] == [
        "meeting.started",
        "meeting.confidentiality_read",
        "meeting.item_changed",
        "item.update_recorded",
        "item.risk_set",
        "item.decision_recorded",
        "action.added",
    ]
    assert [m["seq"] for m in seen if m["type"] == "event"] == [1, 2, 3, 4, 5, 6, 7]
    action = seen[-1]["payload"]
    assert action["text"] == "Return home interview"
    assert action["owner_agency"]["name"] == "Room CSC"
    assert action["due_date"] == "2099-01-31"
    # No child's name travels in an event.
    assert "Alfie" not in str(seen)
    await chair.disconnect()
    await member.disconnect()


# --- Removed mid-meeting -----------------------------------------------------------------


async def test_a_person_whose_invitation_is_withdrawn_mid_meeting_is_disconnected_at_once():
    room = await run(build_room)
    member, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)

    replies = await command(
        chair, "withdraw_invitation", request_id="w", person=room.people["police"].pk
    )

    assert replies[-1]["type"] == "ack"
    seen = await receive_until(member, lambda m: m.get("type") == "evicted")
    assert seen[-1]["type"] == "evicted"
    assert await member.receive_output(timeout=RECEIVE_TIMEOUT) == {
        "type": "websocket.close",
        "code": 4403,
    }
    assert await refused(room.people["police"], room.meeting.pk) == (True, 4403)
    await chair.disconnect()


async def test_a_person_whose_panel_seat_ends_mid_meeting_is_disconnected_at_once():
    room = await run(build_room)
    member, _ = await connect(room.people["health"], room.meeting.pk, last_seq=0)
    seat = await run(PanelMembership.objects.get, panel=room.panel, user=room.people["health"])

    await run(
        services.panel_membership_end,
        actor=room.people["coordinator"],
        membership=seat,
        reason="Moved to another team.",
    )

    seen = await receive_until(member, lambda m: m.get("type") == "evicted")
    assert seen[-1]["type"] == "evicted"
    assert (await member.receive_output(timeout=RECEIVE_TIMEOUT))["code"] == 4403


async def test_others_in_the_room_are_not_disconnected_when_one_person_is_removed():
    room = await run(build_room)
    police, _ = await connect(room.people["police"], room.meeting.pk, last_seq=0)
    health, _ = await connect(room.people["health"], room.meeting.pk, last_seq=0)

    await run(
        services.meeting_invitation_withdraw,
        actor=room.people["chair"],
        meeting=room.meeting,
        person=room.people["police"],
    )

    await receive_until(police, lambda m: m.get("type") == "evicted")
    seen = await receive_until(health, is_event("invitation.withdrawn"))
    assert seen[-1]["payload"]["person"]["id"] == room.people["police"].pk
    await health.send_json_to({"type": "ping"})
    assert (await receive_until(health, lambda m: m["type"] == "pong"))[-1]["type"] == "pong"
    await health.disconnect()


# --- No lost updates ---------------------------------------------------------------------


async def test_a_client_that_reconnects_receives_exactly_the_events_it_missed_in_order():
    room = await run(build_room)
    chair = room.people["chair"]
    member, _ = await connect(room.people["school"], room.meeting.pk, last_seq=0)
    await run(services.meeting_start, actor=chair, meeting=room.meeting)
    seen = await receive_until(member, is_event("meeting.started"))
    last_seen = seen[-1]["seq"]
    await member.disconnect()

    # While it is away: five changes.
    await run(services.meeting_record_confidentiality, actor=chair, meeting=room.meeting)
    for n in range(1, 4):
        await run(
            services.item_save_notes,
            actor=chair,
            meeting=room.meeting,
            item_id=room.cases[0].pk,
            text=f"Notes {n}",
            version=n - 1,
        )
    await run(services.meeting_next_item, actor=chair, meeting=room.meeting)

    member, hello = await connect(room.people["school"], room.meeting.pk, last_seq=last_seen)
    replayed = await receive_events(member, 5)

    assert hello["last_seq"] == 6
    assert [m["seq"] for m in replayed] == [2, 3, 4, 5, 6]
    assert [m["event"] for m in replayed] == [
        "meeting.confidentiality_read",
        "item.notes_saved",
        "item.notes_saved",
        "item.notes_saved",
        "meeting.item_changed",
    ]
    # Exactly those: nothing more is waiting, not even a second copy of one of them.
    assert await no_more_events(member)
    await member.disconnect()


async def test_a_live_event_the_client_already_has_is_not_sent_again():
    room = await run(build_room)
    await run(services.meeting_start, actor=room.people["chair"], meeting=room.meeting)
    member, _ = await connect(room.people["school"], room.meeting.pk, last_seq=0)
    (first,) = await receive_events(member, 1)
    layer = get_channel_layer()
    text = '{"type":"event","seq":1}'

    # A late doorbell for event 1 (already replayed), then the next one.
    await layer.group_send(
        meeting_group(room.meeting.pk), {"type": "meeting.event", "seq": 1, "text": text}
    )
    await run(
        services.meeting_record_confidentiality, actor=room.people["chair"], meeting=room.meeting
    )
    (second,) = await receive_events(member, 1)

    assert (first["seq"], second["seq"]) == (1, 2)
    assert await no_more_events(member)
    await member.disconnect()


async def test_a_lost_doorbell_is_made_good_from_the_database_when_the_next_one_comes():
    room = await run(build_room)
    member, _ = await connect(room.people["school"], room.meeting.pk, last_seq=0)
    # Event 1 is written with no socket hearing it (as if channels-redis dropped it)...
    await run(_write_without_doorbell, room)
    # ...and the doorbell of event 2 arrives: the socket reads 1 and 2 from the database.
    await run(
        services.meeting_record_confidentiality, actor=room.people["chair"], meeting=room.meeting
    )

    received = await receive_events(member, 2)

    assert [m["seq"] for m in received] == [1, 2]
    assert [m["event"] for m in received] == ["meeting.started", "meeting.confidentiality_read"]
    await member.disconnect()


def _write_without_doorbell(room):
    from unittest import mock

    with mock.patch("notifications.realtime.publish_now"):
        services.meeting_start(actor=room.people["chair"], meeting=room.meeting)


async def test_a_client_too_far_behind_is_told_to_reload(settings):
    settings.MEETING_REPLAY_LIMIT = 3
    room = await run(build_room)
    chair = room.people["chair"]
    await run(services.meeting_start, actor=chair, meeting=room.meeting)
    for n in range(4):
        await run(
            services.item_save_notes,
            actor=chair,
            meeting=room.meeting,
            item_id=room.cases[0].pk,
            text=f"v{n}",
            version=n,
        )

    member, _ = await connect(room.people["school"], room.meeting.pk, last_seq=1)
    (message,) = await receive_events(member, 1)

    assert message == {"type": "reload", "reason": "too_far_behind"}
    await member.disconnect()


async def test_a_client_that_asks_again_after_a_gap_is_sent_the_events_again_in_order():
    room = await run(build_room)
    chair = room.people["chair"]
    await run(services.meeting_start, actor=chair, meeting=room.meeting)
    await run(services.meeting_record_confidentiality, actor=chair, meeting=room.meeting)
    member, _ = await connect(room.people["school"], room.meeting.pk, last_seq=0)
    initial = await receive_events(member, 2)

    await member.send_json_to({"type": "replay", "after": 1})
    (again,) = await receive_events(member, 1)

    assert [m["seq"] for m in initial] == [1, 2]
    assert again["seq"] == 2
    assert await no_more_events(member)
    await member.disconnect()


# --- Edits that cross --------------------------------------------------------------------


async def test_a_stale_edit_is_refused_with_the_current_text_and_changes_nothing():
    room = await run(build_room)
    await run(services.meeting_start, actor=room.people["chair"], meeting=room.meeting)
    case = room.cases[0]
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=1)
    coordinator, _ = await connect(room.people["coordinator"], room.meeting.pk, last_seq=1)

    # Both start from version 0; the coordinator saves first.
    won = await command(
        coordinator, "save_notes", request_id="c", item=case.pk, text="Coordinator's", version=0
    )
    lost = await command(
        chair, "save_notes", request_id="h", item=case.pk, text="Chair's", version=0
    )

    assert won[-1]["type"] == "ack"
    conflict = lost[-1]
    assert conflict["type"] == "conflict"
    assert conflict["current"]["text"] == "Coordinator's"
    assert conflict["current"]["version"] == 1
    assert conflict["current"]["by"]["id"] == room.people["coordinator"].pk
    # The loser also has the winner's event, before the refusal.
    assert [m["payload"]["text"] for m in lost if m.get("event") == "item.notes_saved"] == [
        "Coordinator's"
    ]
    await run(case.refresh_from_db)
    assert (case.notes, case.notes_version) == ("Coordinator's", 1)
    await chair.disconnect()
    await coordinator.disconnect()


async def test_a_stale_agency_update_is_refused_with_the_current_text():
    room = await run(build_room)
    await run(services.meeting_start, actor=room.people["chair"], meeting=room.meeting)
    case = room.cases[0]
    health = room.agencies["health"].pk
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=1)

    await command(chair, "record_update", "a", item=case.pk, agency=health, text="One", version=0)
    lost = await command(
        chair, "record_update", "b", item=case.pk, agency=health, text="Two", version=0
    )

    assert lost[-1]["type"] == "conflict"
    assert lost[-1]["current"]["text"] == "One"
    assert lost[-1]["current"]["agency"] == health
    await chair.disconnect()


# --- Presence ----------------------------------------------------------------------------


async def test_everyone_in_the_room_sees_who_is_connected():
    room = await run(build_room)
    chair, hello = await connect(room.people["chair"], room.meeting.pk)
    assert [p["id"] for p in hello["people"]] == [room.people["chair"].pk]

    member, _ = await connect(room.people["police"], room.meeting.pk)
    joined = await receive_until(chair, lambda m: m["type"] == "presence" and len(m["people"]) == 2)
    await member.disconnect()
    left = await receive_until(chair, lambda m: m["type"] == "presence" and len(m["people"]) == 1)

    assert {p["id"] for p in joined[-1]["people"]} == {
        room.people["chair"].pk,
        room.people["police"].pk,
    }
    assert [p["id"] for p in left[-1]["people"]] == [room.people["chair"].pk]
    await chair.disconnect()


async def test_sockets_closing_together_leave_in_one_batch_and_the_room_hears_once():
    """A meeting ending or a process restarting closes many sockets at once: no closing
    handler waits for the database; their presence rows go in one transaction (two if the
    closes straddle the batch's 0.1 s) and the room is told once a batch, not once a
    socket."""
    from unittest import mock

    from panels.models import MeetingPresence

    room = await run(build_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk)
    members = [await connect(room.people["police"], room.meeting.pk) for _ in range(3)]
    members += [await connect(room.people["health"], room.meeting.pk) for _ in range(3)]
    await receive_until(chair, lambda m: m["type"] == "presence" and len(m["people"]) == 3)
    batches = []
    leave_many = services.presence_leave_many

    def counted(**kwargs):
        batches.append(len(kwargs["leavers"]))
        return leave_many(**kwargs)

    with mock.patch.object(services, "presence_leave_many", counted):
        await asyncio.gather(*(member.disconnect() for member, _ in members))
        left = await receive_until(
            chair, lambda m: m["type"] == "presence" and len(m["people"]) == 1
        )

    assert sum(batches) == 6
    assert len(batches) <= 2  # one batch, or two if the closes straddled its 0.1 s
    assert [p["id"] for p in left[-1]["people"]] == [room.people["chair"].pk]
    assert await run(MeetingPresence.objects.exclude(user=room.people["chair"]).count) == 0
    await chair.disconnect()


async def test_a_person_whose_agency_membership_ends_mid_meeting_is_disconnected_at_once():
    from agencies import services as agency_services
    from agencies.models import Membership, Role
    from tests.factories import person

    room = await run(build_room)
    # Ending an agency role is the system administrator's (access.grants).
    administrator = await run(person, Role.SYSTEM_ADMINISTRATOR, username="room_admin")
    member, _ = await connect(room.people["health"], room.meeting.pk, last_seq=0)
    membership = await run(
        lambda: Membership.objects.active().filter(user=room.people["health"]).first()
    )

    await run(
        agency_services.membership_end,
        actor=administrator,
        membership=membership,
        reason="Left the trust.",
    )

    seen = await receive_until(member, lambda m: m.get("type") == "evicted")
    assert seen[-1]["type"] == "evicted"
    assert (await member.receive_output(timeout=RECEIVE_TIMEOUT))["code"] == 4403
