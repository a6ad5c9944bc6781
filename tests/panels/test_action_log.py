"""The action log after the meeting: owners record progress, every update is kept, and each
person sees their own, their agency's, or (coordinator) every action they may read."""

import pytest

import access
from panels import actions as action_services
from panels.models import ActionStatus, ActionUpdate
from tests.agencies.doors_actions import world_action


def test_the_owning_agency_records_progress_and_each_update_is_kept(world):
    action = world_action(world)

    action_services.action_update(
        actor=world.people["lead_b"], action=action, status="in_progress", note="Booked."
    )
    action_services.action_update(
        actor=world.people["lead_b"], action=action, status="done", note="Interview held."
    )

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert [(u.from_status, u.to_status, u.by.username) for u in ActionUpdate.objects.all()] == [
        ("open", "in_progress", "lead_b"),
        ("in_progress", "done", "lead_b"),
    ]


def test_cancelling_needs_a_reason_and_a_finished_action_cannot_change(world):
    action = world_action(world)

    with pytest.raises(action_services.ActionError, match="reason"):
        action_services.action_update(
            actor=world.people["lead_b"], action=action, status="cancelled", note=""
        )
    action_services.action_update(
        actor=world.people["lead_b"], action=action, status="cancelled", note="Child moved away."
    )
    with pytest.raises(access.ForbiddenForUser):
        action_services.action_update(
            actor=world.people["lead_b"], action=action, status="open", note="Reopen."
        )


def test_another_agency_may_not_update_the_action(world):
    with pytest.raises(access.ForbiddenForUser):
        action_services.action_update(
            actor=world.people["lead_a"], action=world_action(world), status="done", note=""
        )


def test_the_page_shows_my_agencys_overdue_actions_and_records_an_update(client, world):
    action = world_action(world)
    client.force_login(world.people["lead_b"])

    listing = client.get("/actions/", {"view": "agency", "overdue": "1"}).content.decode()
    response = client.post(f"/actions/{action.pk}/", {"status": "done", "note": "Held."})

    assert "Return home interview" in listing
    assert "working day" in listing
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_only_the_coordinator_has_the_all_actions_view(client, world):
    world_action(world)
    client.force_login(world.people["lead_a"])
    assert "Return home interview" not in client.get("/actions/", {"view": "all"}).content.decode()

    client.force_login(world.people["coordinator"])
    assert "Return home interview" in client.get("/actions/", {"view": "all"}).content.decode()


def test_a_bad_update_shows_the_error_summary_and_changes_nothing(client, world):
    action = world_action(world)
    client.force_login(world.people["lead_b"])

    response = client.post(f"/actions/{action.pk}/", {"status": "cancelled", "note": ""})

    assert "Give the reason for cancelling the action" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_action_on_a_standard_item_is_seen_by_its_agency_only(client, world):
    from datetime import date

    from panels.models import Action, AgendaItem, AgendaItemKind

    item = AgendaItem.objects.create(
        meeting=world.meeting, kind=AgendaItemKind.APOLOGIES, position=0
    )
    action = Action.objects.create(
        meeting=world.meeting,
        agenda_item=item,
        text="Send the panel's deputy list",
        owner_agency=world.agencies["b"],
        due_date=date(2026, 12, 1),
        created_by=world.people["chair"],
    )

    assert access.can_view_action(world.people["lead_b"], action)
    assert access.can_view_action(world.people["member_p"], action)
    assert not access.can_view_action(world.people["lead_a"], action)
    assert not access.can_view_action(world.people["referrer_c"], action)
    client.force_login(world.people["lead_b"])
    assert client.get(f"/actions/{action.pk}/").status_code == 200
