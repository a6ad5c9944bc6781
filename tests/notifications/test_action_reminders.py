"""Action reminders: due soon and overdue to the owner, long overdue escalated to the
owning agency's leads and the panel coordinator; once each; never to someone who may not
read the case."""

from datetime import date

import pytest

from agencies.models import Role
from notifications import reminders
from notifications.models import Notification, NotificationKind
from panels.models import Action, AgendaItem, PanelMembership, PanelRole
from tests.factories import person

MONDAY = date(2026, 11, 23)


@pytest.fixture
def action_for(world):
    item = AgendaItem.objects.filter(referral=world.referral).first()

    def make(*, due, owner=None, agency=None):
        return Action.objects.create(
            meeting=item.meeting,
            agenda_item=item,
            text="Return home interview",
            owner_agency=agency or world.agencies["b"],
            owner_person=owner,
            due_date=due,
            created_by=world.people["chair"],
        )

    return make


def told(kind):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


def test_an_action_due_within_two_working_days_reminds_its_owner_once(world, action_for):
    action_for(due=date(2026, 11, 25), owner=world.people["lead_b"])

    reminders.action_reminders(today=MONDAY)
    reminders.action_reminders(today=MONDAY)

    assert told(NotificationKind.ACTION_DUE_SOON) == ["lead_b"]


def test_an_action_without_an_owner_reminds_the_owning_agencys_leads(world, action_for):
    action_for(due=date(2026, 11, 20))  # the Friday before: overdue by one working day

    reminders.action_reminders(today=MONDAY)

    assert told(NotificationKind.ACTION_OVERDUE) == ["lead_b"]


def test_an_action_long_overdue_is_escalated_to_leads_and_the_panel_coordinator(world, action_for):
    PanelMembership.objects.create(
        panel=AgendaItem.objects.filter(referral=world.referral).first().meeting.panel,
        user=world.people["coordinator"],
        agency=world.agencies["csc"],
        role=PanelRole.COORDINATOR,
    )
    action_for(due=date(2026, 11, 9), owner=world.people["lead_b"])  # 10 working days

    reminders.action_reminders(today=MONDAY)

    assert told(NotificationKind.ACTION_ESCALATED) == ["coordinator", "lead_b"]


def test_nobody_is_told_of_an_action_on_a_case_they_may_not_read(world, action_for):
    outsider = person(Role.AGENCY_LEAD, world.agencies["c"], username="outsider")
    action_for(due=date(2026, 11, 20), agency=world.agencies["c"], owner=outsider)

    reminders.action_reminders(today=MONDAY)

    assert told(NotificationKind.ACTION_OVERDUE) == []


def test_a_done_action_is_never_reminded(world, action_for):
    action = action_for(due=date(2026, 11, 20), owner=world.people["lead_b"])
    action.status = "done"
    action.save(update_fields=["status"])

    assert reminders.action_reminders(today=MONDAY) == 0
