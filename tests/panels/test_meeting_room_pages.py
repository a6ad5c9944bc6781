"""The meeting room's own pages besides the room: the changing part served alone for the room's
script (the same access and the same audited reading as the room), the page that confirms
closing the meeting (and warns what closing now leaves undone), and the action's due date as a
GOV.UK date input with the GOV.UK error pattern."""

import re
from datetime import date

import pytest
from django.urls import reverse

import access
from agencies.models import AuditAction, AuditEvent
from panels import commands
from panels.models import Action, MeetingEvent, MeetingStatus

pytestmark = pytest.mark.django_db


def live_url(room):
    return reverse("panels:meeting-live", args=[room.meeting.pk])


def room_url(room):
    return reverse("panels:meeting", args=[room.meeting.pk])


def close_url(room):
    return reverse("panels:meeting-close", args=[room.meeting.pk])


def post(client, room, command, **data):
    return client.post(
        reverse("panels:meeting-command", args=[room.meeting.pk]), {"command": command, **data}
    )


def add_action(client, room, **due):
    return post(
        client,
        room,
        "add_action",
        item=room.cases[0].pk,
        text="Return home interview",
        owner_agency=room.agencies["csc"].pk,
        owner_person="",
        **due,
    )


# --- The room's changing part, served alone ------------------------------------------------


def test_the_live_part_is_the_rooms_agenda_status_and_attendance_without_the_page_around_it(
    client, started_room
):
    room = started_room
    client.force_login(room.people["health"])

    response = client.get(live_url(room))
    part = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in part
    assert part.lstrip().startswith('<div class="app-room" data-role="live"')
    assert f'data-last-seq="{room.meeting.last_seq}"' in part
    assert 'data-region="items"' in part and 'data-region="attendance"' in part
    assert (
        re.findall(r'data-title="([^"]+)"', part)[0] == "1. Welcome and confidentiality statement"
    )
    assert "Alfie Roomtest" in part  # a listed child the policy lets a panel member read


def test_a_person_not_invited_gets_the_same_404_from_the_live_part_as_from_the_room(
    client, started_room
):
    room = started_room
    for key in ("uninvited", "stranger"):
        client.force_login(room.people[key])
        assert client.get(live_url(room)).status_code == 404
        assert client.get(room_url(room)).status_code == 404
    missing = reverse("panels:meeting-live", args=[room.meeting.pk + 1000])
    assert client.get(missing).status_code == 404


def test_an_anonymous_request_for_the_live_part_is_sent_to_sign_in(client, started_room):
    response = client.get(live_url(started_room))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_live_part_is_an_audited_reading_of_the_room_once_per_window(client, started_room):
    room = started_room
    client.force_login(room.people["health"])

    client.get(live_url(room))
    client.get(live_url(room))

    viewed = AuditEvent.objects.filter(
        actor=room.people["health"], action=AuditAction.VIEWED, object_type="panels.meeting"
    )
    assert sorted(viewed.values_list("referral_id", flat=True)) == sorted(
        r.pk for r in room.referrals
    )


def test_a_member_gets_no_forms_in_the_live_part(client, started_room):
    room = started_room
    client.force_login(room.people["police"])

    part = client.get(live_url(room)).content.decode()

    assert "Record for this item" not in part
    assert "data-command=" not in part
    assert close_url(room) not in part


# --- The room for running a meeting --------------------------------------------------------


def test_the_room_has_a_polite_live_region_and_links_now_to_the_current_item(client, started_room):
    room = started_room
    client.force_login(room.people["police"])

    page = client.get(room_url(room)).content.decode()

    assert re.search(r'<p[^>]*role="status"[^>]*aria-live="polite"', page)
    current = room.meeting.current_item_id
    assert re.search(
        rf'<a class="govuk-link" href="#item-{current}" data-testid="current-item">'
        r"1\. Welcome and confidentiality statement</a>",
        page,
    )
    # The current item is open, every other one collapsed.
    assert f'<section class="app-item app-item--current" id="item-{current}"' in page
    assert len(re.findall(r'<details class="govuk-details app-item app-item--later"', page)) == 4


def test_closing_is_a_secondary_link_to_a_confirmation_away_from_next_item(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    page = client.get(room_url(room)).content.decode()
    controls = re.search(r'data-testid="chair-controls">(.*?)</div>', page, flags=re.S).group(1)

    assert "Next item" in controls
    assert "Close the meeting" not in controls
    assert 'value="close"' not in page
    assert re.search(
        rf'<a class="govuk-button govuk-button--secondary" href="{close_url(room)}"', page
    )


def test_withdrawing_an_invitation_is_not_a_red_button(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    page = client.get(room_url(room)).content.decode()
    withdraw = re.findall(r'data-command="withdraw_invitation".*?</form>', page, flags=re.S)

    assert len(withdraw) == len(access.meeting_participant_ids(room.meeting))
    assert all("govuk-button--warning" not in form for form in withdraw)
    assert "govuk-button--warning" not in page


# --- Closing the meeting, confirmed ------------------------------------------------------


def test_the_close_page_warns_when_not_quorate_and_attendance_is_not_recorded(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])
    post(client, room, "set_attendance", person=room.people["police"].pk, status="present")

    response = client.get(close_url(room))
    page = response.content.decode()

    assert response.status_code == 200
    assert 'class="govuk-warning-text" data-testid="not-quorate-warning"' in page
    assert "nobody is recorded as present for Health, Education, Children&#x27;s social care" in (
        page
    )
    others = len(access.meeting_participant_ids(room.meeting)) - 1
    assert f"Attendance is not recorded for {others} people." in page
    unrecorded = re.search(r'data-testid="unrecorded">(.*?)</ul>', page, re.S).group(1)
    assert unrecorded.count("<li>") == others
    assert room.people["police"].get_full_name() not in unrecorded
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.IN_PROGRESS  # a GET changes nothing


def test_the_close_page_has_no_warning_when_quorate_and_everyone_is_recorded(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])
    for pk in access.meeting_participant_ids(room.meeting):
        post(client, room, "set_attendance", person=pk, status="present")

    page = client.get(close_url(room)).content.decode()

    assert "govuk-warning-text" not in page
    assert "Attendance is recorded for everyone invited and the meeting is quorate." in page


def test_posting_the_close_page_closes_the_meeting_once(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])
    form = client.get(close_url(room)).content.decode()
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', form).group(1)

    first = client.post(close_url(room), {"request_id": request_id}, follow=True)
    second = client.post(close_url(room), {"request_id": request_id}, follow=True)

    assert first.redirect_chain == [(room_url(room), 302)]
    assert [str(m) for m in first.context["messages"]] == ["Meeting closed."]
    assert [str(m) for m in second.context["messages"]] == ["Meeting closed."]
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.CLOSED
    assert MeetingEvent.objects.filter(meeting=room.meeting, type="meeting.closed").count() == 1


def test_a_member_may_not_open_or_post_the_close_page_and_a_stranger_gets_404(client, started_room):
    room = started_room
    client.force_login(room.people["police"])
    assert client.get(close_url(room)).status_code == 403
    assert client.post(close_url(room)).status_code == 403
    client.force_login(room.people["uninvited"])
    assert client.get(close_url(room)).status_code == 404
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.IN_PROGRESS


def test_a_meeting_not_in_progress_cannot_be_closed_from_the_page(client, room):
    client.force_login(room.people["chair"])

    page = client.get(close_url(room)).content.decode()
    refused = client.post(close_url(room), follow=True)

    assert "only a meeting in progress can be closed" in page
    assert "You cannot close the meeting: the meeting is scheduled." in [
        str(m) for m in refused.context["messages"]
    ]


# --- The due date: GOV.UK date input, GOV.UK error pattern ---------------------------------


def test_the_due_date_is_a_gov_uk_date_input(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    page = client.get(room_url(room)).content.decode()
    item = room.cases[0].pk

    assert 'type="date"' not in page
    assert f'<div class="govuk-date-input" id="action-due-{item}">' in page
    for index, part in enumerate(("day", "month", "year")):
        assert f'id="action-due-{item}-{part}" name="due_date_{index}"' in page


def test_an_action_with_a_due_date_in_day_month_and_year_is_added(client, started_room):
    room = started_room
    client.force_login(room.people["chair"])

    response = add_action(client, room, due_date_0="31", due_date_1="1", due_date_2="2099")

    assert response.status_code == 302
    assert Action.objects.get().due_date == date(2099, 1, 31)


def test_a_due_date_missing_its_month_shows_the_gov_uk_error_pattern_and_keeps_the_input(
    client, started_room
):
    room = started_room
    client.force_login(room.people["chair"])
    item = room.cases[0].pk

    response = add_action(client, room, due_date_0="31", due_date_1="", due_date_2="2099")
    page = response.content.decode()

    assert response.status_code == 200
    assert re.search(r"<title>\s*Error: ", page)
    summary = re.search(r'class="govuk-error-summary".*?</div>\s*</div>\s*</div>', page, re.S)
    assert summary and f'href="#action-due-{item}-month">Due date must include a month<' in (
        summary.group(0)
    )
    assert (
        f'<p class="govuk-error-message" id="action-due-{item}-error">'
        '<span class="govuk-visually-hidden">Error:</span> Due date must include a month</p>'
    ) in page
    assert re.search(r'govuk-input--error" id="action-due-\d+-month"', page)
    assert not re.search(r'govuk-input--error" id="action-due-\d+-day"', page)
    assert 'name="due_date_0" type="text" inputmode="numeric" value="31"' in page
    assert ">Return home interview</textarea>" in page
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the date the action is due"),
        ("31", "2", "2099", "Due date must be a real date"),
        ("x", "1", "2099", "Due date must be a real date"),
        ("1", "1", "99", "Year must include 4 numbers"),
        ("1", "", "", "Due date must include a month and a year"),
    ],
)
def test_each_wrong_due_date_is_named_in_the_summary_and_at_the_date(
    client, started_room, day, month, year, message
):
    room = started_room
    client.force_login(room.people["chair"])

    response = add_action(client, room, due_date_0=day, due_date_1=month, due_date_2=year)
    page = response.content.decode()

    assert response.status_code == 200
    assert page.count(message) == 2  # the summary and the field
    assert not Action.objects.exists()


def test_a_socket_client_may_still_send_one_iso_due_date_or_the_three_parts(started_room):
    room = started_room
    chair = room.people["chair"]
    base = {
        "item": str(room.cases[0].pk),
        "text": "Check school attendance",
        "owner_agency": str(room.agencies["school"].pk),
    }

    commands.run_command(
        actor=chair,
        meeting_id=room.meeting.pk,
        name="add_action",
        data={**base, "due_date": "2099-03-01"},
    )
    commands.run_command(
        actor=chair,
        meeting_id=room.meeting.pk,
        name="add_action",
        data={**base, "due_date_0": "2", "due_date_1": "3", "due_date_2": "2099"},
    )
    with pytest.raises(commands.CommandInvalid) as refused:
        commands.run_command(
            actor=chair,
            meeting_id=room.meeting.pk,
            name="add_action",
            data={**base, "due_date": "2099-02-31"},
        )

    assert sorted(Action.objects.values_list("due_date", flat=True)) == [
        date(2099, 3, 1),
        date(2099, 3, 2),
    ]
    assert refused.value.errors == {"due_date": ["Due date must be a real date"]}


def test_any_other_refused_command_still_answers_with_a_redirect_and_a_message(
    client, started_room
):
    room = started_room
    client.force_login(room.people["chair"])

    response = post(client, room, "set_attendance", person=room.people["police"].pk, status="")

    assert response.status_code == 302
    page = client.get(room_url(room)).content.decode()
    assert "Choose their attendance" in page
    assert "govuk-error-summary" not in page
