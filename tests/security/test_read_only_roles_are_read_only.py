"""The quality auditor, the board member and the data protection officer read; they never
change anything, whichever door they knock on. And reading an action, a meeting, its minutes
or one of its documents is written to the audit trail like reading a case."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

import access
from agencies.models import AuditAction, AuditEvent
from panels import actions as action_services
from panels.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    AgendaItemKind,
    Meeting,
    Minutes,
    PanelMembership,
)

READ_ONLY = ["auditor", "board", "dpo"]


def csc_action(world, *, on_a_case: bool) -> Action:
    """An action owned by the agency the read-only people act for (as in the demo, where the
    auditor of children's social care cancelled one of its actions)."""
    if on_a_case:
        item = AgendaItem.objects.get(meeting=world.meeting, referral=world.referral)
    else:
        item = AgendaItem.objects.create(
            meeting=world.meeting, kind=AgendaItemKind.PREVIOUS_MINUTES, position=9
        )
    return Action.objects.create(
        agenda_item=item,
        meeting=world.meeting,
        text="Strategy discussion",
        owner_agency=world.agencies["csc"],
        due_date=date(2026, 11, 20),
        created_by=world.people["chair"],
    )


def nothing_changed(action: Action) -> bool:
    action.refresh_from_db()
    return action.status == ActionStatus.OPEN and not ActionUpdate.objects.exists()


# --- Actions --------------------------------------------------------------------------------


def test_the_quality_auditor_may_not_cancel_an_action_of_their_own_agency(client, world):
    action = csc_action(world, on_a_case=True)
    client.force_login(world.people["auditor"])

    response = client.post(f"/actions/{action.pk}/", {"status": "cancelled", "note": "Not needed."})

    assert response.status_code == 403
    assert nothing_changed(action)


@pytest.mark.parametrize("position", READ_ONLY)
def test_no_read_only_role_updates_an_action_of_their_agency_by_any_door(client, world, position):
    action = csc_action(world, on_a_case=False)
    client.force_login(world.people[position])

    response = client.post(f"/actions/{action.pk}/", {"status": "done", "note": "Done."})
    with pytest.raises(access.ForbiddenForUser):
        action_services.action_update(
            actor=world.people[position], action=action, status="done", note="Done."
        )

    assert response.status_code == 403
    assert nothing_changed(action)


@pytest.mark.parametrize("position", READ_ONLY)
def test_a_read_only_person_named_as_the_owner_still_may_not_update_it(world, position):
    action = csc_action(world, on_a_case=False)
    action.owner_person = world.people[position]
    action.save(update_fields=["owner_person"])

    assert not access.can_update_action(world.people[position], action)
    assert action not in access.actions_updatable_by(world.people[position])


def test_the_auditor_still_reads_the_action_without_a_form(client, world):
    action = csc_action(world, on_a_case=True)
    client.force_login(world.people["auditor"])

    response = client.get(f"/actions/{action.pk}/")

    assert response.status_code == 200
    assert "Save update" not in response.content.decode()


def test_the_owning_agencys_lead_still_updates_its_action(client, world):
    from tests.agencies.doors_actions import world_action

    action = world_action(world)
    client.force_login(world.people["lead_b"])

    response = client.post(f"/actions/{action.pk}/", {"status": "done", "note": "Held."})

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


# --- Meetings and minutes, even with a seat ----------------------------------------------------


@pytest.fixture
def seated(world):
    """Each read-only person wrongly given a coordinator's seat on panel P."""
    for position in READ_ONLY:
        PanelMembership.objects.create(
            panel=world.meeting.panel,
            user=world.people[position],
            agency=world.agencies["csc"],
            role="coordinator",
        )
    return world


@pytest.mark.parametrize("position", READ_ONLY)
def test_a_read_only_person_with_a_seat_sends_no_meeting_command(client, seated, position):
    client.force_login(seated.people[position])
    before = seated.meeting.agenda_items.count()

    response = client.post(f"/meetings/{seated.meeting.pk}/commands/", {"command": "build_agenda"})

    assert response.status_code == 403
    assert seated.meeting.agenda_items.count() == before
    assert not access.can_run_meeting(seated.people[position], seated.meeting)
    assert seated.people[position].pk not in access.meeting_runner_ids(seated.meeting)


@pytest.mark.parametrize("position", READ_ONLY)
def test_a_read_only_person_with_a_seat_neither_drafts_nor_edits_minutes(client, seated, position):
    seated.meeting.status = "closed"
    seated.meeting.save(update_fields=["status"])
    client.force_login(seated.people[position])

    response = client.post(f"/meetings/{seated.meeting.pk}/minutes/draft/")

    assert response.status_code == 403
    assert not Minutes.objects.exists()
    assert not access.can_edit_minutes(seated.people[position], seated.meeting)
    assert not access.can_approve_minutes(seated.people[position], seated.meeting)


def test_the_auditor_adds_no_contribution(client, world):
    client.force_login(world.people["auditor"])

    response = client.post(
        f"/referrals/{world.referral.pk}/contributions/add/",
        {"contribute-text": "Audit note.", "contribute-sensitivity": "normal"},
    )

    assert response.status_code == 403
    assert world.referral.contributions.count() == 2


# --- Reading is audited --------------------------------------------------------------------------


def views_of(person, **filters):
    return AuditEvent.objects.filter(actor=person, action=AuditAction.VIEWED, **filters)


def test_opening_an_action_page_is_audited_with_the_action_and_its_case(client, world):
    action = csc_action(world, on_a_case=True)
    client.force_login(world.people["auditor"])

    client.get(f"/actions/{action.pk}/", REMOTE_ADDR="10.4.4.4")

    event = views_of(world.people["auditor"]).get()
    assert (event.object_type, event.object_id) == ("panels.action", str(action.pk))
    assert event.referral == world.referral
    assert event.ip_address == "10.4.4.4"


def test_reopening_an_action_page_at_once_is_not_a_new_reading_but_later_it_is(client, world):
    action = csc_action(world, on_a_case=True)
    client.force_login(world.people["coordinator"])

    client.get(f"/actions/{action.pk}/")
    client.get(f"/actions/{action.pk}/")
    later = timezone.now() + timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.get(f"/actions/{action.pk}/")

    assert views_of(world.people["coordinator"], object_type="panels.action").count() == 2


def test_opening_a_meeting_with_no_case_on_it_is_still_audited(client, world):
    meeting = Meeting.objects.create(
        panel=world.meeting.panel, starts_at=timezone.now() + timedelta(days=10)
    )
    client.force_login(world.people["chair"])

    response = client.get(f"/meetings/{meeting.pk}/")

    assert response.status_code == 200
    event = views_of(world.people["chair"]).get()
    assert (event.object_type, event.object_id) == ("panels.meeting", str(meeting.pk))


def test_opening_the_minutes_page_is_audited(client, world):
    client.force_login(world.people["chair"])

    response = client.get(f"/meetings/{world.meeting.pk}/minutes/")

    assert response.status_code == 200
    event = views_of(world.people["chair"]).get()
    assert event.object_type == "panels.minutes"
    assert f"meeting {world.meeting.pk}" in event.detail


def test_downloading_a_document_is_audited(client, db, django_capture_on_commit_callbacks):
    from panels import minutes as minutes_services
    from tests.panels.test_minutes import build_minuted_room

    room = build_minuted_room()
    minutes = minutes_services.minutes_draft(actor=room.people["coordinator"], meeting=room.meeting)
    minutes_services.minutes_submit(actor=room.people["coordinator"], minutes=minutes)
    minutes.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        version = minutes_services.minutes_approve(
            actor=room.people["chair"],
            minutes=minutes,
            revision=minutes.revision,
            confirmed_flags=minutes_services.redaction_flag_keys(minutes),
        )
    client.force_login(room.people["police"])

    response = client.get(f"/minutes/{version.pk}/minutes.pdf")

    assert response.status_code == 200
    event = AuditEvent.objects.get(actor=room.people["police"], action=AuditAction.EXPORTED_PDF)
    assert event.object_type == "panels.minutesdocument"
