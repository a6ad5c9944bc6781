"""The no-JavaScript forms apply a command once per request id: each command form on the room
carries a fresh hidden `request_id`, and a form posted twice (a double click, or the browser
sending it again after a dropped connection) changes nothing the second time and is answered
as the first was."""

import re

import pytest
from django.urls import reverse

from panels.models import Action, MeetingCommandReceipt, MeetingEvent

pytestmark = pytest.mark.django_db


def room_url(room):
    return reverse("panels:meeting", args=[room.meeting.pk])


def post(client, room, command, **data):
    """Posts the command and follows the redirect back to the room, which shows (and so uses
    up) the messages."""
    return client.post(
        reverse("panels:meeting-command", args=[room.meeting.pk]),
        {"command": command, **data},
        follow=True,
    )


def add_action(client, room, **extra):
    return post(
        client,
        room,
        "add_action",
        item=room.cases[0].pk,
        text="Return home interview",
        owner_agency=room.agencies["csc"].pk,
        owner_person="",
        due_date="2099-01-31",
        **extra,
    )


def said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def back_to(response) -> list[tuple[str, int]]:
    return response.redirect_chain


def forms_on(page: str) -> list[str]:
    return re.findall(r"<form\b.*?</form>", page, flags=re.S)


def request_id_in(form: str) -> str:
    match = re.search(r'<input type="hidden" name="request_id" value="([0-9a-f]{32})">', form)
    assert match, form
    return match.group(1)


def test_every_command_form_carries_its_own_fresh_request_id(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    first = forms_on(client.get(room_url(room)).content.decode())
    again = forms_on(client.get(room_url(room)).content.decode())

    commands = [form for form in first if 'name="command"' in form]
    assert len(commands) > 10
    ids = [request_id_in(form) for form in commands]
    assert len(set(ids)) == len(ids)
    assert not set(ids) & {request_id_in(form) for form in again if 'name="command"' in form}


def test_the_same_add_action_form_posted_twice_adds_one_action(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])
    page = client.get(room_url(room)).content.decode()
    form = next(f for f in forms_on(page) if 'data-command="add_action"' in f)
    request_id = request_id_in(form)

    first = add_action(client, room, request_id=request_id)
    second = add_action(client, room, request_id=request_id)

    assert Action.objects.count() == 1
    assert MeetingEvent.objects.filter(meeting=room.meeting, type="action.added").count() == 1
    assert MeetingCommandReceipt.objects.filter(request_id=request_id).count() == 1
    assert back_to(first) == back_to(second) == [(f"{room_url(room)}#item-{room.cases[0].pk}", 302)]
    assert said(first) == said(second) == ["Action added."]


def test_two_different_request_ids_add_two_actions(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    add_action(client, room, request_id="a" * 32)
    add_action(client, room, request_id="b" * 32)

    assert Action.objects.count() == 2
    assert MeetingEvent.objects.filter(meeting=room.meeting, type="action.added").count() == 2


def test_a_form_without_a_request_id_still_works_as_before(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    first = add_action(client, room)
    second = add_action(client, room, request_id="")

    assert Action.objects.count() == 2
    assert said(first) == said(second) == ["Action added."]
    assert not MeetingCommandReceipt.objects.exists()


def test_the_same_request_id_for_a_different_change_is_refused(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    add_action(client, room, request_id="c" * 32)
    room.meeting.refresh_from_db()
    last_seq = room.meeting.last_seq
    refused = post(client, room, "next_item", request_id="c" * 32)

    assert back_to(refused) == [(room_url(room), 302)]
    assert said(refused) == ["That request id was already used for a different change."]
    room.meeting.refresh_from_db()
    assert room.meeting.last_seq == last_seq


def test_an_overlong_request_id_is_refused_and_changes_nothing(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])
    last_seq = room.meeting.last_seq

    refused = add_action(client, room, request_id="x" * 65)

    assert back_to(refused) == [(f"{room_url(room)}#item-{room.cases[0].pk}", 302)]
    assert said(refused) == ["The form was malformed: load the page again and retry."]
    assert not Action.objects.exists()
    room.meeting.refresh_from_db()
    assert room.meeting.last_seq == last_seq
