"""The demo borough's panel meetings: two closed meetings and a next one ready to run."""

from django.utils import timezone

import access
from panels import demo
from panels.models import (
    Action,
    ActionStatus,
    AgendaItemKind,
    Meeting,
    MeetingEvent,
    MeetingInvitation,
    MeetingStatus,
)


def test_the_demo_has_a_closed_last_meeting_and_a_next_meeting_ready_to_run(demo_referrals):
    seeded = demo.seed_meetings()
    earlier, last, upcoming = (
        seeded["earlier_meeting"],
        seeded["last_meeting"],
        seeded["next_meeting"],
    )

    assert earlier.status == last.status == MeetingStatus.CLOSED
    assert earlier.starts_at < last.starts_at < timezone.now() < upcoming.starts_at
    days = [timezone.localdate(m.starts_at) for m in (earlier, last, upcoming)]
    assert days[1] - days[0] == days[2] - days[1]  # a fortnight apart, on the panel's cycle
    assert not Action.objects.filter(meeting=earlier).exclude(status=ActionStatus.DONE).exists()
    assert last.agenda_items.filter(kind=AgendaItemKind.CASE).exclude(decision="").count() == 2
    assert last.attendance.count() == 7
    assert upcoming.status == MeetingStatus.SCHEDULED
    assert list(upcoming.agenda_items.order_by("position").values_list("kind", flat=True)) == [
        AgendaItemKind.WELCOME,
        AgendaItemKind.APOLOGIES,
        AgendaItemKind.PREVIOUS_MINUTES,
        AgendaItemKind.CASE,
        AgendaItemKind.CASE,
    ]
    carried = Action.objects.filter(meeting=upcoming)
    assert carried.count() == 6  # the incomplete ones; the done one stays behind
    assert all(action.carried_from.status == ActionStatus.CARRIED_FORWARD for action in carried)
    assert sum(1 for action in carried if action.days_overdue()) >= 2
    people = demo_referrals["people"]
    assert access.can_join_meeting(people["lewis.tran"], upcoming)
    assert access.can_run_meeting(people["alan.brightwater"], upcoming)
    assert not access.can_join_meeting(people["owen.price"], upcoming)
    assert not MeetingEvent.objects.exists()  # nothing has happened in a room yet


def test_seeding_the_meetings_again_changes_nothing(demo_referrals):
    demo.seed_meetings()
    counts = (Meeting.objects.count(), Action.objects.count(), MeetingInvitation.objects.count())

    demo.seed_meetings()

    assert (
        Meeting.objects.count(),
        Action.objects.count(),
        MeetingInvitation.objects.count(),
    ) == counts
