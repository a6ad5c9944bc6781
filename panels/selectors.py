"""Reads about panels and meetings that are more than a .get(). Callers pass what the policy
allows; what a person may see of a child is asked of the policy here, per person."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, QuerySet
from django.utils import timezone

import access
from agencies.models import Agency, AgencyType, AuditAction, AuditEvent
from config.json_rows import JSONRows, prefetched
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


def _live_presence(*, meeting_id: int) -> QuerySet[MeetingPresence]:
    since = timezone.now() - PRESENCE_STALE_AFTER
    return MeetingPresence.objects.filter(meeting_id=meeting_id, seen_at__gte=since).order_by(
        "user__last_name", "user__first_name", "user_id"
    )


def connected_people(*, meeting_id: int) -> list[dict]:
    """Who has the room open now, one entry per person however many sockets they hold."""
    return _people_of(_live_presence(meeting_id=meeting_id).select_related("user"))


def _people_of(rows) -> list[dict]:
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


def cases_shown_in_room(*, user, meeting: Meeting) -> QuerySet:
    """The referrals listed (and not withdrawn) on the meeting's agenda whose child the person
    is shown: those the referral policy lets them read."""
    listed = AgendaItem.objects.filter(meeting=meeting, withdrawn_at__isnull=True)
    return access.visible_referrals(user).filter(pk__in=listed.values("referral_id"))


def recent_room_views(*, actor, meeting: Meeting, within: timedelta) -> QuerySet:
    """The person's readings of this room in the trail within `within`."""
    return AuditEvent.objects.filter(
        actor=actor,
        action=AuditAction.VIEWED,
        object_type="panels.meeting",
        object_id=str(meeting.pk),
        at__gte=timezone.now() - within,
    )


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
    # (referral id, child id) of the cases whose child the person is shown, for the audit row.
    shown: list[tuple[int, int]] = field(default_factory=list)
    # Whether the person's reading of the room is in the trail within the window asked.
    viewed_recently: bool = False
    # For whoever runs the meeting: the panel's active member agencies (the update forms)
    # and the seat holders not yet invited.
    member_agencies: list[Agency] = field(default_factory=list)
    invitable: list = field(default_factory=list)


def room_state(*, user, meeting: Meeting, viewed_within: timedelta | None = None) -> RoomState:
    """The meeting as the person may see it: a listed case's child is named only when the
    referral policy lets this person read that referral.

    One query however long the agenda, the actions and the attendance are: every list is the
    queryset it would have been on its own, read back as one JSON column
    (config/json_rows.py); with `viewed_within`, whether the person read the room within it."""
    User = get_user_model()
    can_run = access.can_run_meeting(user, meeting)
    seats = (
        PanelMembership.objects.active()
        .filter(panel_id=meeting.panel_id)
        .order_by("started_at", "pk")
    )
    people = access.meeting_participants(meeting)
    live_items = agenda(meeting=meeting)
    lists = {
        "items": JSONRows(
            live_items,
            related=["referral__child", "referral__agency", "notes_saved_by", "decision_by"],
        ),
        "updates": JSONRows(
            AgencyUpdate.objects.filter(item__in=live_items.values("pk")),
            related=["agency", "recorded_by"],
        ),
        "shown": JSONRows(cases_shown_in_room(user=user, meeting=meeting)),
        "actions": JSONRows(
            Action.objects.filter(meeting=meeting).order_by("created_at", "pk"),
            related=["owner_agency", "owner_person", "carried_from__meeting"],
        ),
        "attendance": JSONRows(
            Attendance.objects.filter(meeting=meeting),
            related=["user", "agency", "deputy_for"],
        ),
        "seats": JSONRows(seats, related=["agency"]),
        "invitations": JSONRows(
            MeetingInvitation.objects.live().filter(meeting=meeting), related=["agency"]
        ),
        "participants": JSONRows(people.order_by("last_name", "first_name")),
        "presence": JSONRows(_live_presence(meeting_id=meeting.pk), related=["user"]),
    }
    if meeting.confidentiality_read_by_id:
        lists["reader"] = JSONRows(User.objects.filter(pk=meeting.confidentiality_read_by_id))
    if can_run:
        lists["member_agencies"] = JSONRows(
            meeting.panel.member_agencies.filter(is_active=True).order_by("name")
        )
        lists["invitable"] = JSONRows(
            User.objects.filter(pk__in=seats.values("user_id"), is_active=True)
            .exclude(pk__in=people.values("pk"))
            .order_by("last_name", "first_name")
        )
    columns = {f"room_{name}": rows for name, rows in lists.items()}
    if viewed_within is not None:
        columns["room_viewed"] = Exists(
            recent_room_views(actor=user, meeting=meeting, within=viewed_within)
        )
    row = Meeting.objects.filter(pk=meeting.pk).annotate(**columns).values(*columns).get()
    read = {name: rows.decode(row[f"room_{name}"]) for name, rows in lists.items()}
    if read.get("reader"):
        meeting.confidentiality_read_by = read["reader"][0]

    updates_of: dict[int, list[AgencyUpdate]] = {}
    for update in read["updates"]:
        updates_of.setdefault(update.item_id, []).append(update)
    actions_by_item: dict[int, list[Action]] = {}
    for action in read["actions"]:
        actions_by_item.setdefault(action.agenda_item_id, []).append(action)
    visible = {referral.pk for referral in read["shown"]}
    items = read["items"]
    now = timezone.now()
    for item in items:
        prefetched(item, "updates", updates_of.get(item.pk, []))
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

    attendance = read["attendance"]
    attendance_of = {row.user_id: row for row in attendance}
    seat_agencies: dict[int, int] = {}
    agencies: dict[int, Agency] = {}
    for seat in read["seats"]:
        seat_agencies.setdefault(seat.user_id, seat.agency_id)
        agencies[seat.agency_id] = seat.agency
    invited_agency = {}
    for invitation in read["invitations"]:
        invited_agency[invitation.user_id] = invitation.agency_id
        agencies[invitation.agency_id] = invitation.agency
    participants = read["participants"]
    for person in participants:
        person.seat_agency = agencies.get(
            invited_agency.get(person.pk) or seat_agencies.get(person.pk)
        )
        person.attendance = attendance_of.get(person.pk)
    return RoomState(
        meeting=meeting,
        items=items,
        visible_referral_ids=visible,
        attendance=attendance,
        quorum=meeting_quorum(meeting=meeting, attendance=attendance),
        participants=participants,
        presence=_people_of(read["presence"]),
        can_run=can_run,
        actions_by_item=actions_by_item,
        seat_agencies=seat_agencies,
        shown=[(referral.pk, referral.child_id) for referral in read["shown"]],
        viewed_recently=bool(row.get("room_viewed")),
        member_agencies=read.get("member_agencies", []),
        invitable=read.get("invitable", []),
    )
