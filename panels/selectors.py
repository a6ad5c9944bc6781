"""Reads about panels and meetings that are more than a .get(). Callers pass what the policy
allows; what a person may see of a child is asked of the policy here, per person."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

import access
from agencies.models import Agency, AgencyType
from panels.events import encode
from panels.models import (
    PRESENT_STATUSES,
    Action,
    AgencyUpdate,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingEvent,
    MeetingInvitation,
    MeetingPresence,
    MeetingStatus,
    PanelMembership,
)

# A presence row not refreshed for this long belongs to a socket whose process died.
PRESENCE_STALE_AFTER = timedelta(minutes=3)


@dataclass(frozen=True)
class Quorum:
    required: list[str]  # labels of the agency types that must be present
    missing: list[str]

    @property
    def met(self) -> bool:
        return not self.missing

    def as_payload(self) -> dict:
        return {"met": self.met, "required": self.required, "missing": self.missing}


def meeting_quorum(*, meeting: Meeting, attendance: list[Attendance] | None = None) -> Quorum:
    """Which of the panel's quorum agency types have someone present (or arrived late).
    `attendance`: the meeting's attendance rows with their agencies, when already read."""
    required = list(meeting.panel.quorum_agency_types)
    if attendance is not None:
        present = {row.agency.agency_type for row in attendance if row.status in PRESENT_STATUSES}
    else:
        present = set(
            Attendance.objects.filter(meeting=meeting, status__in=PRESENT_STATUSES).values_list(
                "agency__agency_type", flat=True
            )
        )
    return Quorum(
        required=[AgencyType(value).label for value in required],
        missing=[AgencyType(value).label for value in required if value not in present],
    )


def agenda(*, meeting: Meeting) -> QuerySet[AgendaItem]:
    """The live items of the agenda in order (withdrawn items are kept but not shown)."""
    return meeting.agenda_items.filter(withdrawn_at__isnull=True).order_by("position", "pk")


def events_after(*, meeting_id: int, after: int, limit: int) -> list[tuple[int, str]]:
    """(seq, encoded event) for the events after `after`, oldest first, at most `limit`."""
    rows = (
        MeetingEvent.objects.filter(meeting_id=meeting_id, seq__gt=after)
        .select_related("actor")
        .order_by("seq")[:limit]
    )
    return [(event.seq, encode(event)) for event in rows]


def meeting_last_seq(*, meeting_id: int) -> int:
    return Meeting.objects.values_list("last_seq", flat=True).get(pk=meeting_id)


def meetings_for(*, user) -> dict[str, list[Meeting]]:
    """The meetings the person may join: coming up (soonest first) and past (newest first)."""
    meetings = access.meetings_visible_to(user).select_related("panel")
    return {
        "upcoming": list(meetings.exclude(status=MeetingStatus.CLOSED).order_by("starts_at")),
        "past": list(meetings.filter(status=MeetingStatus.CLOSED).order_by("-starts_at")[:20]),
    }


def connected_people(*, meeting_id: int) -> list[dict]:
    """Who has the room open now, one entry per person however many sockets they hold."""
    since = timezone.now() - PRESENCE_STALE_AFTER
    rows = (
        MeetingPresence.objects.filter(meeting_id=meeting_id, seen_at__gte=since)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    people: dict[int, dict] = {}
    for row in rows:
        people.setdefault(
            row.user_id,
            {"id": row.user_id, "name": row.user.get_full_name() or row.user.get_username()},
        )
    return list(people.values())


def seat_agency_ids(*, meeting: Meeting) -> dict[int, int]:
    """person id -> the agency they sit for on the meeting's panel (their live seat)."""
    seats = (
        PanelMembership.objects.active()
        .filter(panel_id=meeting.panel_id)
        .order_by("started_at", "pk")
        .values_list("user_id", "agency_id")
    )
    agency_of: dict[int, int] = {}
    for user_id, agency_id in seats:
        agency_of.setdefault(user_id, agency_id)
    return agency_of


def participants(*, meeting: Meeting, agency_of: dict[int, int] | None = None) -> list:
    """The people who may join the meeting, with their seat's agency, by name (`agency_of`:
    seat_agency_ids of the meeting, when the caller has read it already)."""
    ids = access.meeting_participant_ids(meeting)
    if agency_of is None:
        agency_of = seat_agency_ids(meeting=meeting)
    invited_agency = dict(
        MeetingInvitation.objects.live().filter(meeting=meeting).values_list("user_id", "agency_id")
    )
    people = list(get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name"))
    agencies = Agency.objects.in_bulk(set(agency_of.values()) | set(invited_agency.values()))
    for person in people:
        person.seat_agency = agencies.get(invited_agency.get(person.pk) or agency_of.get(person.pk))
    return people


@dataclass
class RoomState:
    """Everything the meeting room page shows one person."""

    meeting: Meeting
    items: list[AgendaItem]
    visible_referral_ids: set[int]
    attendance: list[Attendance]
    quorum: Quorum
    participants: list
    presence: list[dict]
    can_run: bool
    actions_by_item: dict[int, list[Action]] = field(default_factory=dict)
    seat_agencies: dict[int, int] = field(default_factory=dict)  # seat_agency_ids


def room_state(*, user, meeting: Meeting) -> RoomState:
    """The meeting as the person may see it: a listed case's child is named only when the
    referral policy lets this person read that referral."""
    items = list(
        agenda(meeting=meeting)
        .select_related("referral__child", "referral__agency", "notes_saved_by", "decision_by")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=AgencyUpdate.objects.select_related("agency", "recorded_by"),
            )
        )
    )
    referral_ids = [item.referral_id for item in items if item.referral_id]
    visible = set(
        access.visible_referrals(user).filter(pk__in=referral_ids).values_list("pk", flat=True)
    )
    actions = list(
        Action.objects.filter(meeting=meeting)
        .select_related("owner_agency", "owner_person", "carried_from__meeting")
        .order_by("created_at", "pk")
    )
    actions_by_item: dict[int, list[Action]] = {}
    for action in actions:
        actions_by_item.setdefault(action.agenda_item_id, []).append(action)
    now = timezone.now()
    for item in items:
        item.meeting_actions = actions_by_item.get(item.pk, [])
        item.child_visible = item.referral_id in visible
        item.is_current = item.pk == meeting.current_item_id
        item.live_seconds = item.seconds_spent
        if item.is_current and meeting.current_item_started_at:
            item.live_seconds += max(
                0, int((now - meeting.current_item_started_at).total_seconds())
            )
        item.minutes_spent = item.live_seconds // 60
        item.over_time = item.live_seconds > item.target_minutes * 60
    attendance = list(
        Attendance.objects.filter(meeting=meeting).select_related("user", "agency", "deputy_for")
    )
    attendance_of = {row.user_id: row for row in attendance}
    seat_agencies = seat_agency_ids(meeting=meeting)
    people = participants(meeting=meeting, agency_of=seat_agencies)
    for person in people:
        person.attendance = attendance_of.get(person.pk)
    return RoomState(
        meeting=meeting,
        items=items,
        visible_referral_ids=visible,
        attendance=attendance,
        quorum=meeting_quorum(meeting=meeting, attendance=attendance),
        participants=people,
        presence=connected_people(meeting_id=meeting.pk),
        can_run=access.can_run_meeting(user, meeting),
        actions_by_item=actions_by_item,
        seat_agencies=seat_agencies,
    )
