"""The meeting room as plain pages: complete without JavaScript (GET shows the state, every
chair command is a POST answered with a redirect back), and an audited reading of the cases."""

import re

import pytest
from django.urls import reverse

from agencies.models import AuditAction, AuditEvent
from panels import services
from panels.models import Action, AgendaItemKind, AttendanceStatus, MeetingStatus

pytestmark = pytest.mark.django_db


def room_url(room):
    return reverse("panels:meeting", args=[room.meeting.pk])


def post(client, room, command, **data):
    return client.post(
        reverse("panels:meeting-command", args=[room.meeting.pk]), {"command": command, **data}
    )


def test_the_chair_runs_a_meeting_from_plain_pages(client, room):
    client.force_login(room.people["chair"])
    case = room.cases[0]

    steps = [
        post(client, room, "start"),
        post(client, room, "confidentiality_read"),
        post(client, room, "go_to_item", item=case.pk),
        post(client, room, "set_risk", item=case.pk, risk_level="high"),
        post(client, room, "save_notes", item=case.pk, text="Seen in a car again.", version=0),
        post(
            client,
            room,
            "add_action",
            item=case.pk,
            text="Return home interview",
            owner_agency=room.agencies["csc"].pk,
            owner_person="",
            due_date="2099-01-31",
        ),
        post(client, room, "next_item"),
    ]

    assert [step.status_code for step in steps] == [302] * len(steps)
    assert steps[2]["Location"] == f"{room_url(room)}#item-{case.pk}"
    page = client.get(room_url(room)).content.decode()
    assert "Seen in a car again." in page
    assert "Return home interview" in page
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.IN_PROGRESS
    assert room.meeting.current_item == room.cases[1]
    assert room.meeting.last_seq == 7


def test_a_refused_command_on_the_plain_page_says_why_and_changes_nothing(client, room):
    client.force_login(room.people["chair"])

    response = post(client, room, "next_item")

    assert response.status_code == 302
    page = client.get(room_url(room)).content.decode()
    assert "You cannot move on: the meeting is Scheduled." in page
    room.meeting.refresh_from_db()
    assert room.meeting.last_seq == 0


def test_a_stale_edit_on_the_plain_page_is_refused_and_the_persons_text_is_given_back(
    client, started_room
):
    room = started_room
    case = room.cases[0]
    services.item_save_notes(
        actor=room.people["coordinator"],
        meeting=room.meeting,
        item_id=case.pk,
        text="The coordinator's notes",
        version=0,
    )
    client.force_login(room.people["chair"])

    post(client, room, "save_notes", item=case.pk, text="The chair's notes", version=0)

    page = client.get(room_url(room)).content.decode()
    assert "saved a newer version first" in page
    assert "Your text was: The chair&#x27;s notes" in page
    case.refresh_from_db()
    assert case.notes == "The coordinator's notes"


def test_a_member_follows_the_meeting_but_gets_no_forms_and_may_not_post(client, started_room):
    room = started_room
    client.force_login(room.people["police"])

    page = client.get(room_url(room)).content.decode()
    refused = post(client, room, "next_item")

    assert "Record for this item" not in page
    assert 'data-can-run="false"' in page
    assert refused.status_code == 403


def test_the_page_names_a_listed_child_to_a_panel_member_and_audits_each_case_once_per_view(
    client, room
):
    client.force_login(room.people["health"])

    page = client.get(room_url(room)).content.decode()

    assert "Alfie Roomtest" in page
    assert "Bea Roomtest" in page
    viewed = AuditEvent.objects.filter(
        actor=room.people["health"], action=AuditAction.VIEWED, object_type="panels.meeting"
    )
    assert sorted(viewed.values_list("referral_id", flat=True)) == sorted(
        r.pk for r in room.referrals
    )


def test_the_page_carries_what_the_script_needs_and_no_inline_script(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    response = client.get(room_url(room))
    page = response.content.decode()

    assert f'data-socket-path="/ws/meetings/{room.meeting.pk}/"' in page
    assert f'data-last-seq="{room.meeting.last_seq}"' in page
    assert "/static/panels/meeting.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\sstyle=", page)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_attendance_shows_the_quorum_as_it_is_recorded(client, room):
    chair = room.people["chair"]
    client.force_login(chair)
    for key in ("police", "health", "school"):
        post(client, room, "set_attendance", person=room.people[key].pk, status="present")

    short_of_csc = client.get(room_url(room)).content.decode()
    post(client, room, "set_attendance", person=chair.pk, status=AttendanceStatus.PRESENT)
    quorate = client.get(room_url(room)).content.decode()

    assert "Not quorate" in short_of_csc
    assert "missing Children&#x27;s social care" in short_of_csc
    assert "Quorum met" in quorate


def test_the_standard_items_come_first_and_the_cases_follow_in_their_order(client, room):
    client.force_login(room.people["chair"])

    page = client.get(room_url(room)).content.decode()
    titles = re.findall(r'data-title="([^"]+)"', page)

    assert titles == [
        "1. Welcome and confidentiality statement",
        "2. Apologies",
        "3. Minutes and actions of the last meeting",
        "4. Case ROOM-0001",
        "5. Case ROOM-0002",
    ]


def test_the_coordinator_moves_a_case_up_the_agenda(client, room):
    client.force_login(room.people["coordinator"])

    post(client, room, "move_item", item=room.cases[1].pk, direction="up")

    page = client.get(room_url(room)).content.decode()
    assert re.findall(r'data-title="\d+\. (Case [^"]+)"', page) == [
        "Case ROOM-0002",
        "Case ROOM-0001",
    ]


def test_the_meeting_list_shows_only_meetings_the_person_may_join(client, room):
    client.force_login(room.people["police"])
    joined = client.get(reverse("panels:meeting-list")).content.decode()
    client.force_login(room.people["uninvited"])
    not_invited = client.get(reverse("panels:meeting-list")).content.decode()

    assert room_url(room) in joined
    assert room_url(room) not in not_invited


def test_an_action_added_on_the_page_belongs_to_the_item_and_its_child(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    post(
        client,
        room,
        "add_action",
        item=room.cases[0].pk,
        text="School to share attendance",
        owner_agency=room.agencies["school"].pk,
        owner_person=room.people["school"].pk,
        due_date="2099-02-01",
    )

    action = Action.objects.get()
    assert action.referral == room.referrals[0]
    assert action.owner_person == room.people["school"]
    assert action.meeting == room.meeting
    assert room.item(AgendaItemKind.WELCOME).actions.count() == 0
