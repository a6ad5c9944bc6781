"""Writes about panels and meetings: scheduling from the cycle, the agenda and carried-forward
actions, numbered events published only after commit, attendance and quorum, the audit."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

import access
from agencies.models import AuditAction, AuditEvent
from panels import services
from panels.events import meeting_group
from panels.models import (
    Action,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    AttendanceStatus,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)

pytestmark = pytest.mark.django_db


def close_with_actions(room, *specs):
    """Run and close the room's meeting, adding (item, text, status) actions."""
    chair = room.people["chair"]
    services.meeting_start(actor=chair, meeting=room.meeting)
    actions = []
    for item, text, status in specs:
        action = services.action_add(
            actor=chair,
            meeting=room.meeting,
            item_id=item.pk,
            text=text,
            owner_agency=room.agencies["police"],
            due_date=timezone.localdate() + timedelta(days=7),
        )
        Action.objects.filter(pk=action.pk).update(status=status)
        actions.append(action)
    services.meeting_close(actor=chair, meeting=room.meeting)
    return actions


# --- The cycle ---------------------------------------------------------------------------


def test_the_next_meetings_are_scheduled_every_other_tuesday_from_the_cycle(room):
    tuesday = date(2026, 12, 1)
    room.panel.cycle_first_date = tuesday
    room.panel.save(update_fields=["cycle_first_date"])
    Meeting.objects.filter(pk=room.meeting.pk).update(
        starts_at=room.panel.cycle_start(tuesday), status=MeetingStatus.CLOSED
    )

    meetings = services.panel_schedule_meetings(
        actor=room.people["coordinator"], panel=room.panel, count=3, today=date(2026, 11, 20)
    )

    assert [timezone.localdate(m.starts_at) for m in meetings] == [
        date(2026, 12, 15),
        date(2026, 12, 29),
        date(2027, 1, 12),
    ]
    assert {timezone.localtime(m.starts_at).strftime("%A %H:%M") for m in meetings} == {
        "Tuesday 10:00"
    }
    first = meetings[0]
    assert list(first.agenda_items.values_list("kind", flat=True)) == [
        AgendaItemKind.WELCOME,
        AgendaItemKind.APOLOGIES,
        AgendaItemKind.PREVIOUS_MINUTES,
    ]
    # Everyone with a seat is invited; whether they may join is still the policy's answer.
    assert set(first.invitations.values_list("user_id", flat=True)) == {
        p.pk for key, p in room.people.items() if key != "stranger"
    }
    assert access.meeting_participant_ids(first) == {
        room.people[k].pk
        for k in ("chair", "coordinator", "police", "health", "school", "uninvited")
    }


def test_everyone_invited_to_a_scheduled_meeting_is_told_without_case_detail(room):
    from notifications.models import Notification, NotificationKind

    (meeting,) = services.panel_schedule_meetings(
        actor=room.people["coordinator"], panel=room.panel, count=1
    )

    told = Notification.objects.filter(kind=NotificationKind.MEETING_INVITATION)
    assert set(told.values_list("recipient_id", flat=True)) == set(
        meeting.invitations.values_list("user_id", flat=True)
    )
    assert {n.link for n in told} == {f"/meetings/{meeting.pk}/"}
    assert all("Roomtest" not in n.message and "ROOM-" not in n.message for n in told)


def test_only_the_chair_or_coordinator_schedules_meetings(room):
    with pytest.raises(access.ForbiddenForUser):
        services.panel_schedule_meetings(actor=room.people["police"], panel=room.panel)


def test_a_panel_without_a_cycle_cannot_be_scheduled_from_it(room):
    room.panel.cycle_weeks = None
    room.panel.save(update_fields=["cycle_weeks"])

    with pytest.raises(services.MeetingError, match="cycle"):
        services.panel_schedule_meetings(actor=room.people["chair"], panel=room.panel)


# --- The agenda and carried-forward actions ----------------------------------------------


def test_incomplete_actions_are_carried_forward_onto_the_next_agenda(room):
    case, other_case = room.cases
    open_action, in_progress, done = close_with_actions(
        room,
        (case, "Return home interview", ActionStatus.OPEN),
        (other_case, "School to check attendance", ActionStatus.IN_PROGRESS),
        (room.item(AgendaItemKind.APOLOGIES), "Already finished", ActionStatus.DONE),
    )
    next_meeting = Meeting.objects.create(
        panel=room.panel, starts_at=room.meeting.starts_at + timedelta(days=14)
    )
    relisted = AgendaItem.objects.create(
        meeting=next_meeting, referral=room.referrals[0], position=1
    )

    carried = services.agenda_build(actor=room.people["coordinator"], meeting=next_meeting)
    again = services.agenda_build(actor=room.people["coordinator"], meeting=next_meeting)

    assert again == []
    assert [(a.text, a.status, a.carried_from_id) for a in carried] == [
        ("Return home interview", ActionStatus.OPEN, open_action.pk),
        ("School to check attendance", ActionStatus.IN_PROGRESS, in_progress.pk),
    ]
    # To the case's item when it is listed again, otherwise to "actions of the last meeting".
    review = next_meeting.agenda_items.get(kind=AgendaItemKind.PREVIOUS_MINUTES)
    assert [a.agenda_item for a in carried] == [relisted, review]
    statuses = dict(Action.objects.filter(meeting=room.meeting).values_list("text", "status"))
    assert statuses == {
        "Return home interview": ActionStatus.CARRIED_FORWARD,
        "School to check attendance": ActionStatus.CARRIED_FORWARD,
        "Already finished": ActionStatus.DONE,
    }
    assert done.pk not in {a.carried_from_id for a in carried}
    # The standard items come first; the relisted case moves behind them.
    assert list(next_meeting.agenda_items.order_by("position").values_list("kind", flat=True)) == [
        AgendaItemKind.WELCOME,
        AgendaItemKind.APOLOGIES,
        AgendaItemKind.PREVIOUS_MINUTES,
        AgendaItemKind.CASE,
    ]


def test_days_overdue_count_working_days_only(room):
    (action,) = close_with_actions(room, (room.cases[0], "Visit", ActionStatus.OPEN))
    action.refresh_from_db()
    action.due_date = date(2026, 11, 20)  # a Friday

    assert action.days_overdue(today=date(2026, 11, 22)) == 0  # the Sunday after
    assert action.days_overdue(today=date(2026, 11, 23)) == 1  # Monday
    assert action.days_overdue(today=date(2026, 12, 29)) == 25  # past Christmas bank holidays
    action.status = ActionStatus.DONE
    assert action.days_overdue(today=date(2026, 12, 29)) == 0


def test_a_case_cannot_be_listed_twice_on_one_agenda(room):
    with pytest.raises(services.MeetingError, match="already on this agenda"):
        services.agenda_item_add_case(
            actor=room.people["coordinator"], meeting=room.meeting, referral=room.referrals[0]
        )


# --- Events: numbered by the database, published after commit ---------------------------


def test_each_change_is_numbered_in_sequence_per_meeting(room):
    other = Meeting.objects.create(panel=room.panel, starts_at=room.meeting.starts_at)
    chair = room.people["chair"]

    services.meeting_start(actor=chair, meeting=room.meeting)
    services.meeting_start(actor=chair, meeting=other)
    services.meeting_next_item(actor=chair, meeting=room.meeting)

    assert list(MeetingEvent.objects.filter(meeting=room.meeting).values_list("seq", "type")) == [
        (1, "meeting.started"),
        (2, "meeting.item_changed"),
    ]
    assert list(MeetingEvent.objects.filter(meeting=other).values_list("seq", flat=True)) == [1]
    room.meeting.refresh_from_db()
    assert room.meeting.last_seq == 2


def test_the_event_is_published_only_after_commit_and_carries_its_number(
    room, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    monkeypatch.setattr(
        "notifications.realtime.publish_now",
        lambda *, groups, message: published.append((groups, message)),
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.meeting_start(actor=room.people["chair"], meeting=room.meeting)
        assert published == []

    for callback in callbacks:
        callback()
    assert published[0][0] == [meeting_group(room.meeting.pk)]
    assert published[0][1]["type"] == "meeting.event"
    assert published[0][1]["seq"] == 1


def test_a_refused_change_writes_no_event_and_rings_nothing(
    room, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(access.ForbiddenForUser):
            services.meeting_start(actor=room.people["police"], meeting=room.meeting)
        with pytest.raises(services.MeetingError):
            services.meeting_close(actor=room.people["chair"], meeting=room.meeting)

    assert callbacks == []
    assert MeetingEvent.objects.count() == 0


def test_a_closed_meeting_takes_no_more_changes(room):
    close_with_actions(room)

    with pytest.raises(services.MeetingError, match="Closed"):
        services.item_save_notes(
            actor=room.people["chair"],
            meeting=room.meeting,
            item_id=room.cases[0].pk,
            text="Late",
            version=0,
        )


def test_moving_on_adds_the_time_spent_to_the_item_left(room):
    chair = room.people["chair"]
    services.meeting_start(actor=chair, meeting=room.meeting)
    Meeting.objects.filter(pk=room.meeting.pk).update(
        current_item_started_at=timezone.now() - timedelta(minutes=4)
    )

    services.meeting_next_item(actor=chair, meeting=room.meeting)

    welcome = room.item(AgendaItemKind.WELCOME)
    assert 240 <= welcome.seconds_spent < 250
    assert room.cases[0].target_minutes == 15


def test_the_last_item_has_no_next(room):
    chair = room.people["chair"]
    services.meeting_start(actor=chair, meeting=room.meeting)
    services.meeting_go_to_item(actor=chair, meeting=room.meeting, item_id=room.cases[-1].pk)

    with pytest.raises(services.MeetingError, match="last item"):
        services.meeting_next_item(actor=chair, meeting=room.meeting)


# --- Attendance and quorum ---------------------------------------------------------------


def test_quorum_needs_someone_present_from_each_required_agency_type(room):
    chair = room.people["chair"]
    for key in ("police", "health", "chair"):
        services.attendance_set(
            actor=chair, meeting=room.meeting, person=room.people[key], status="present"
        )
    services.attendance_set(
        actor=chair, meeting=room.meeting, person=room.people["school"], status="apologies"
    )
    short = MeetingEvent.objects.order_by("-seq").first().payload["quorum"]
    services.meeting_start(actor=chair, meeting=room.meeting)
    services.attendance_set(
        actor=chair,
        meeting=room.meeting,
        person=room.people["school"],
        status=AttendanceStatus.ARRIVED_LATE,
    )
    met = MeetingEvent.objects.order_by("-seq").first().payload

    assert short == {
        "met": False,
        "required": ["Police", "Health", "Education", "Children's social care"],
        "missing": ["Education"],
    }
    assert met["quorum"]["met"] is True
    assert met["status"] == "arrived_late"
    assert met["arrived_at"] is not None


def test_a_deputy_stands_in_for_another_invited_person(room):
    row = services.attendance_set(
        actor=room.people["coordinator"],
        meeting=room.meeting,
        person=room.people["police"],
        status="present",
        deputy_for=room.people["health"],
    )

    assert row.deputy_for == room.people["health"]
    with pytest.raises(services.MeetingError, match="not invited"):
        services.attendance_set(
            actor=room.people["coordinator"],
            meeting=room.meeting,
            person=room.people["stranger"],
            status="present",
        )


# --- The audit trail ---------------------------------------------------------------------


def test_recording_on_a_case_is_audited_as_a_change_to_the_childs_record(started_room):
    room = started_room
    services.item_set_risk(
        actor=room.people["chair"],
        meeting=room.meeting,
        item_id=room.cases[0].pk,
        risk_level="high",
    )

    change = AuditEvent.objects.get(action=AuditAction.CHANGED, referral=room.referrals[0])
    assert change.actor == room.people["chair"]
    assert change.child == room.referrals[0].child
    assert "risk level high" in change.detail


def test_opening_the_room_records_one_view_per_listed_case_in_one_statement(
    room, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        count = services.meeting_view_record(actor=room.people["health"], meeting=room.meeting)

    assert count == 2
    assert AuditEvent.objects.filter(action=AuditAction.VIEWED).count() == 2


def test_ending_a_seat_is_audited_and_refused_to_a_member(room):
    seat = room.panel.memberships.get(user=room.people["health"])

    with pytest.raises(access.ForbiddenForUser):
        services.panel_membership_end(actor=room.people["police"], membership=seat, reason="x")
    services.panel_membership_end(actor=room.people["coordinator"], membership=seat, reason="Left")

    seat.refresh_from_db()
    assert seat.ended_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_ENDED).count() == 1


def test_an_action_assigned_in_the_meeting_tells_its_owner(room):
    from notifications.models import Notification, NotificationKind

    chair = room.people["chair"]
    services.meeting_start(actor=chair, meeting=room.meeting)
    item = room.meeting.agenda_items.filter(referral__isnull=False).first()

    action = services.action_add(
        actor=chair,
        meeting=room.meeting,
        item_id=item.pk,
        text="Return home interview",
        owner_agency=room.agencies["police"],
        owner_person=room.people["police"],
        due_date=timezone.localdate() + timedelta(days=7),
    )

    told = Notification.objects.filter(kind=NotificationKind.ACTION_ASSIGNED)
    assert [n.recipient for n in told] == [room.people["police"]]
    assert f"Action {action.pk}" in told.first().message
    assert item.referral.child.last_name not in told.first().message


def test_an_action_on_a_standard_item_tells_its_owner_too(room):
    from notifications.models import Notification, NotificationKind

    chair = room.people["chair"]
    services.meeting_start(actor=chair, meeting=room.meeting)

    services.action_add(
        actor=chair,
        meeting=room.meeting,
        item_id=room.item(AgendaItemKind.APOLOGIES).pk,
        text="Chase apologies from housing",
        owner_agency=room.agencies["police"],
        owner_person=room.people["police"],
        due_date=timezone.localdate() + timedelta(days=7),
    )

    told = Notification.objects.filter(kind=NotificationKind.ACTION_ASSIGNED)
    assert [n.recipient for n in told] == [room.people["police"]]
