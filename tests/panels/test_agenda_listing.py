"""Listing on a meeting's agenda: the coordinator lists a case waiting for panel and, on an
exploitation panel, a thematic item (a person, place, vehicle or account of concern) that
the panel's members may then read and own actions against. Only the meeting's runners list;
a participant is refused, anyone else gets the same 404 as a missing meeting."""

import pytest
from django.utils import timezone

import access
from agencies.models import AgencyType, AuditEvent, Role
from intelligence.models import Sensitivity, Subject, SubjectDiscussion, SubjectKind
from panels import services
from panels.documents import meeting_doc_for
from panels.models import AgendaItem, AgendaItemKind, Panel, PanelKind
from panels.pdf import board_copy, render_board_copy, render_minutes
from panels.pdf.serialize import meeting_doc_from_data, meeting_doc_to_data
from referrals.models import Child, Referral, ReferralState
from tests.factories import AgencyFactory, person
from tests.panels.conftest import build_room
from tests.panels.test_minutes import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(db):
    room = build_room()
    # A case screened and listed for this panel, not on any agenda yet.
    room.waiting = Referral.objects.create(
        reference="ROOM-0003",
        child=Child.objects.create(first_name="Cass", last_name="Waitingcase"),
        agency=room.agencies["police"],
        referrer=room.people["stranger"],
        hub=room.panel,
        state=ReferralState.LISTED_FOR_PANEL,
        concern="Seen at the station late at night.",
        submitted_at=timezone.now(),
    )
    # One record the coordinator's agency holds, one police intelligence only police read.
    room.place = Subject.objects.create(
        kind=SubjectKind.PLACE,
        name="The Lantern Takeaway",
        holding_agency=room.agencies["csc"],
        created_by=room.people["coordinator"],
    )
    room.police_person = Subject.objects.create(
        kind=SubjectKind.PERSON,
        name="Vance Orrick",
        holding_agency=room.agencies["police"],
        created_by=room.people["police"],
        sensitivity=Sensitivity.PANEL_ONLY,
    )
    return room


def page(client, room):
    return f"/meetings/{room.meeting.pk}/agenda/add/"


# --- Cases ------------------------------------------------------------------------------------


def test_the_coordinator_lists_a_case_waiting_for_panel(client, room):
    client.force_login(room.people["coordinator"])

    shown = client.get(page(client, room))
    assert shown.status_code == 200
    assert "ROOM-0003" in shown.content.decode()

    response = client.post(page(client, room), {"what": "case", "case-referral": room.waiting.pk})

    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=room.meeting, referral=room.waiting)
    assert item.position == room.meeting.agenda_items.count()  # after the items already there
    assert AuditEvent.objects.filter(referral=room.waiting, detail__contains="listed").exists()


def test_a_case_already_on_the_agenda_or_not_listed_for_panel_is_not_offered(client, room):
    room.waiting.state = ReferralState.SUBMITTED
    room.waiting.save(update_fields=["state"])
    offered = set(access.cases_listable_on(room.people["coordinator"], room.meeting))

    assert room.waiting not in offered
    assert not offered & set(room.referrals)  # both already listed

    client.force_login(room.people["coordinator"])
    response = client.post(page(client, room), {"what": "case", "case-referral": room.waiting.pk})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>Error:" in body
    assert "govuk-error-summary" in body
    assert not AgendaItem.objects.filter(referral=room.waiting).exists()


def test_choosing_nothing_says_what_to_choose(client, room):
    client.force_login(room.people["coordinator"])

    response = client.post(page(client, room), {"what": "case"})

    assert response.status_code == 400
    assert "Choose the case to list" in response.content.decode()


# --- Themes -----------------------------------------------------------------------------------


def test_the_coordinator_lists_a_theme_and_the_panel_may_then_read_it(client, room):
    member = room.people["health"]
    assert not access.can_view_subject(member, room.place)
    client.force_login(room.people["coordinator"])

    response = client.post(
        page(client, room),
        {
            "what": "theme",
            "theme-subject": room.place.pk,
            "theme-reason": "Four children seen there.",
        },
    )

    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=room.meeting, kind=AgendaItemKind.THEME)
    assert item.subject == room.place
    assert item.title == f"Theme: Place {room.place.pk}"  # names no one and no place
    assert "Lantern" not in item.title
    assert SubjectDiscussion.objects.filter(subject=room.place, panel=room.panel).exists()
    assert access.can_view_subject(member, room.place)


def test_a_record_the_coordinator_may_not_take_to_a_panel_is_not_offered_nor_accepted(client, room):
    coordinator = room.people["coordinator"]
    assert room.police_person not in access.themes_listable_on(coordinator, room.meeting)
    client.force_login(coordinator)

    shown = client.get(page(client, room)).content.decode()
    response = client.post(
        page(client, room),
        {"what": "theme", "theme-subject": room.police_person.pk, "theme-reason": "Because."},
    )

    assert "Vance Orrick" not in shown
    assert response.status_code == 400
    assert "Vance Orrick" not in response.content.decode()
    assert not AgendaItem.objects.filter(subject=room.police_person).exists()
    assert not SubjectDiscussion.objects.filter(subject=room.police_person).exists()


def test_a_theme_needs_a_reason(client, room):
    client.force_login(room.people["coordinator"])

    response = client.post(page(client, room), {"what": "theme", "theme-subject": room.place.pk})

    assert response.status_code == 400
    assert "Say why the panel should discuss it" in response.content.decode()


def test_only_an_exploitation_panel_takes_themes(client, room):
    Panel.objects.filter(pk=room.panel.pk).update(kind=PanelKind.MARAC)
    room.meeting.refresh_from_db()
    coordinator = room.people["coordinator"]

    assert not access.themes_listable_on(coordinator, room.meeting).exists()
    with pytest.raises(services.MeetingError, match="exploitation panel"):
        services.agenda_item_add_theme(
            actor=coordinator, meeting=room.meeting, subject=room.place, reason="Hotspot."
        )
    client.force_login(coordinator)
    assert "List a theme" not in client.get(page(client, room)).content.decode()


def test_an_action_is_owned_against_a_theme_and_the_theme_moves_like_a_case(room):
    coordinator, chair = room.people["coordinator"], room.people["chair"]
    item = services.agenda_item_add_theme(
        actor=coordinator, meeting=room.meeting, subject=room.place, reason="Hotspot."
    )

    order = services.agenda_item_move(
        actor=chair, meeting=room.meeting, item_id=item.pk, direction="up"
    )
    assert order.index(item.pk) < order.index(room.cases[-1].pk)

    services.meeting_start(actor=chair, meeting=room.meeting)
    room.meeting.refresh_from_db()
    action = services.action_add(
        actor=chair,
        meeting=room.meeting,
        item_id=item.pk,
        text="Licensing visit to the takeaway",
        owner_agency=room.agencies["csc"],
        owner_person=None,
        due_date=timezone.localdate(),
    )
    assert action.agenda_item == item


# --- Who may list -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["police", "health", "school"])
def test_a_participant_who_does_not_run_the_meeting_is_refused(client, room, who):
    client.force_login(room.people[who])

    assert client.get(page(client, room)).status_code == 403
    response = client.post(page(client, room), {"what": "case", "case-referral": room.waiting.pk})
    assert response.status_code == 403
    assert not AgendaItem.objects.filter(referral=room.waiting).exists()


@pytest.mark.parametrize("who", ["stranger", "uninvited", "housing"])
def test_anyone_else_gets_the_same_404_as_a_missing_meeting(client, room, who):
    client.force_login(room.people[who])

    hidden = client.get(page(client, room))
    missing = client.get(f"/meetings/{room.meeting.pk + 999}/agenda/add/")

    assert hidden.status_code == missing.status_code == 404
    response = client.post(page(client, room), {"what": "case", "case-referral": room.waiting.pk})
    assert response.status_code == 404
    assert not AgendaItem.objects.filter(referral=room.waiting).exists()


def test_signed_out_goes_to_sign_in(client, room):
    response = client.get(page(client, room))

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_another_agency_coordinator_is_refused_the_theme_service_itself(room):
    outsider = AgencyFactory(name="Elsewhere Council", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    someone = person(Role.PANEL_COORDINATOR, outsider, username="elsewhere_coordinator")
    with pytest.raises(access.ForbiddenForUser):
        services.agenda_item_add_theme(
            actor=someone, meeting=room.meeting, subject=room.place, reason="Hotspot."
        )


# --- In the minutes ---------------------------------------------------------------------------


def test_the_minutes_keep_what_was_said_of_a_theme_and_the_board_copy_only_its_title(room):

    coordinator, chair = room.people["coordinator"], room.people["chair"]
    item = services.agenda_item_add_theme(
        actor=coordinator, meeting=room.meeting, subject=room.place, reason="Hotspot."
    )
    services.meeting_start(actor=chair, meeting=room.meeting)
    room.meeting.refresh_from_db()
    services.item_save_notes(
        actor=chair,
        meeting=room.meeting,
        item_id=item.pk,
        text="Staff at the Lantern let older men buy food for the girls.",
        version=0,
    )

    doc = meeting_doc_for(meeting=room.meeting)
    assert meeting_doc_from_data(meeting_doc_to_data(doc)) == doc  # kept in the draft as is
    full = text_of(render_minutes(doc))
    board_text = text_of(render_board_copy(board_copy(doc)[0]))

    assert f"Theme: Place {room.place.pk}" in full
    assert "older men buy food" in full
    assert f"Theme: Place {room.place.pk}" in board_text
    assert "older men" not in board_text
    assert "Lantern" not in board_text


def test_the_room_offers_the_runner_the_agenda_page_and_shows_a_theme_to_members(client, room):
    item = services.agenda_item_add_theme(
        actor=room.people["coordinator"], meeting=room.meeting, subject=room.place, reason="Hot."
    )
    client.force_login(room.people["chair"])
    assert page(client, room) in client.get(f"/meetings/{room.meeting.pk}/").content.decode()

    client.force_login(room.people["health"])
    body = client.get(f"/meetings/{room.meeting.pk}/").content.decode()
    assert page(client, room) not in body
    assert item.title in body
    assert f"/intelligence/{room.place.pk}/" in body
    assert client.get(f"/intelligence/{room.place.pk}/").status_code == 200
