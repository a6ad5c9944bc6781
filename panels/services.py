"""Every write about panels and meetings. Each entry point asks the policy first, locks the
meeting row (so one meeting's changes are applied, and numbered, one at a time), writes the
change with its MeetingEvent and, where a child's record is touched, its audit row, all in one
transaction; the doorbell goes out only after commit (panels.events)."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

import access
from agencies import audit, grants, sockets
from agencies.models import Agency, AuditAction, AuditEvent, Membership
from agencies.state_machine import StateMachine, Transition
from intelligence.services import subject_taken_to_panel
from notifications import services as notification_services
from notifications.models import NotificationKind
from panels import events, selectors
from panels.models import (
    INCOMPLETE_ACTION_STATUSES,
    LISTED_ITEM_KINDS,
    STANDARD_ITEM_KINDS,
    Action,
    ActionStatus,
    AgencyUpdate,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingEvent,
    MeetingInvitation,
    MeetingPresence,
    MeetingStatus,
    Panel,
    PanelKind,
    PanelMembership,
    PanelRole,
    RiskLevel,
)
from referrals.models import ContributionSensitivity

STANDARD_ITEM_MINUTES = 5


class MeetingError(Exception):
    """A change refused for a reason the person can act on; the message says what to do."""


class StaleEdit(MeetingError):
    """An edit made from an older version of a text than the one saved: nothing is changed,
    and the person is shown the text that won."""

    def __init__(self, *, field: str, item_id: int, text: str, version: int, by, agency_id=None):
        name = (by.get_full_name() or by.get_username()) if by else "Someone"
        super().__init__(
            f"{name} saved a newer version first. Your change was not saved: "
            "their text is shown now; copy yours back in if it is still needed."
        )
        self.field = field
        self.item_id = item_id
        self.text = text
        self.version = version
        self.by = events.person_label(by)
        self.agency_id = agency_id

    def as_payload(self) -> dict:
        return {
            "field": self.field,
            "item": self.item_id,
            "agency": self.agency_id,
            "text": self.text,
            "version": self.version,
            "by": self.by,
        }


# --- Helpers (inside the caller's transaction) -------------------------------------------


MEETING_STATES = StateMachine(
    noun="meeting",
    states=MeetingStatus,
    transitions=[
        Transition(
            "start",
            frozenset({MeetingStatus.SCHEDULED}),
            MeetingStatus.IN_PROGRESS,
            "Start the meeting",
            needs_reason=False,
            refused="You cannot start the meeting: the meeting is {state}.",
        ),
        Transition(
            "close",
            frozenset({MeetingStatus.IN_PROGRESS}),
            MeetingStatus.CLOSED,
            "Close the meeting",
            needs_reason=False,
            refused="You cannot close the meeting: the meeting is {state}.",
        ),
    ],
    refusal=MeetingError,
)


def _locked(meeting: Meeting) -> Meeting:
    """The meeting row, fresh and locked until commit."""
    return Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)


def _require_status(meeting: Meeting, *allowed: str, doing: str) -> None:
    if meeting.status not in allowed:
        raise MeetingError(f"You cannot {doing}: the meeting is {meeting.get_status_display()}.")


def _item_of(meeting: Meeting, item_id) -> AgendaItem:
    item = (
        AgendaItem.objects.select_related("referral__child")
        .filter(meeting=meeting, pk=item_id, withdrawn_at__isnull=True)
        .first()
    )
    if item is None:
        raise MeetingError("That item is not on this meeting's agenda.")
    return item


def _audit_case_change(*, actor, item: AgendaItem, detail: str) -> None:
    if item.referral_id:
        audit.record(
            actor=actor,
            action=audit.Action.CHANGED,
            obj=item,
            referral=item.referral,
            detail=f"Panel meeting {item.meeting_id}: {detail}",
        )


def _leave_current_item(meeting: Meeting, now) -> dict | None:
    """Add the time since the current item began to it; returns what changed."""
    if not meeting.current_item_id or not meeting.current_item_started_at:
        return None
    spent = max(0, int((now - meeting.current_item_started_at).total_seconds()))
    AgendaItem.objects.filter(pk=meeting.current_item_id).update(
        seconds_spent=F("seconds_spent") + spent
    )
    total = AgendaItem.objects.values_list("seconds_spent", flat=True).get(
        pk=meeting.current_item_id
    )
    return {"item": meeting.current_item_id, "seconds_spent": total}


def _set_current_item(meeting: Meeting, item: AgendaItem | None, now) -> None:
    meeting.current_item = item
    meeting.current_item_started_at = now if item else None
    meeting.save(update_fields=["current_item", "current_item_started_at"])


def _next_position(meeting: Meeting) -> int:
    return (meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0) + 1


def _action_payload(action: Action) -> dict:
    return {
        "id": action.pk,
        "item": action.agenda_item_id,
        "text": action.text,
        "owner_agency": {"id": action.owner_agency_id, "name": action.owner_agency.name},
        "owner_person": events.person_label(action.owner_person),
        "due_date": action.due_date.isoformat(),
        "due_label": f"{action.due_date:%-d %B %Y}",
        "status": action.status,
        "status_label": action.get_status_display(),
        "carried_from": action.carried_from_id,
    }


def _attendance_payload(row: Attendance, meeting: Meeting) -> dict:
    return {
        "person": events.person_label(row.user),
        "agency": {"id": row.agency_id, "name": row.agency.name},
        "status": row.status,
        "status_label": row.get_status_display(),
        "deputy_for": events.person_label(row.deputy_for),
        "arrived_at": row.arrived_at.isoformat() if row.arrived_at else None,
        "quorum": selectors.meeting_quorum(meeting=meeting).as_payload(),
    }


def _seat_agency(meeting: Meeting, user_id: int) -> Agency | None:
    agency_id = selectors.seat_agency_ids(meeting=meeting).get(user_id)
    return Agency.objects.filter(pk=agency_id).first() if agency_id else None


# --- Panels: schedule, seats --------------------------------------------------------------


@transaction.atomic(durable=True)
def panel_schedule_meetings(
    *, actor: AbstractBaseUser, panel: Panel, count: int = 3, today: date | None = None
) -> list[Meeting]:
    """Schedule the panel's next `count` meetings from its cycle, each with its agenda's
    standard items and its invitations; a day that already has a meeting is skipped."""
    if not access.can_run_panel(actor, panel):
        raise access.ForbiddenForUser(action="schedule", object_type="panel", object_id=panel.pk)
    if not panel.cycle_weeks or not panel.cycle_first_date:
        raise MeetingError("Set the panel's meeting cycle before scheduling from it.")
    today = today or timezone.localdate()
    latest = panel.meetings.aggregate(last=Max("starts_at"))["last"]
    after = max(today, timezone.localdate(latest)) if latest else today
    created = []
    for day in panel.cycle_dates(after=after, count=count):
        meeting = Meeting.objects.create(
            panel=panel,
            starts_at=panel.cycle_start(day),
            place=panel.default_place,
            video_link=panel.default_video_link,
        )
        invitations = _invite_panel(actor=actor, meeting=meeting)
        _build_agenda(actor=actor, meeting=meeting)
        _tell_invited(
            meeting,
            get_user_model().objects.filter(pk__in=[i.user_id for i in invitations]),
        )
        created.append(meeting)
    return created


def _locked_seat(seat: PanelMembership) -> PanelMembership:
    return (
        PanelMembership.objects.select_for_update(of=("self",))
        .select_related("user", "agency", "panel", "requested_by")
        .get(pk=seat.pk)
    )


@transaction.atomic(durable=True)
def panel_membership_grant(
    *,
    actor: AbstractBaseUser,
    person: AbstractBaseUser,
    panel: Panel,
    agency: Agency,
    role: str,
    reason: str,
    address: str | None = None,
) -> PanelMembership:
    """Ask for a person to sit on a panel for an agency. A seat opens the cases listed at the
    panel, so it takes effect only when a second person approves it; never for oneself."""
    access.require_can_change_access_of(actor, person)
    if role not in PanelRole.values:
        raise grants.AccessChangeError("Select the seat's role")
    if not panel.is_active:
        raise grants.AccessChangeError(f"{panel.name} is closed: no seat can be granted on it")
    if not agency.is_active:
        raise grants.AccessChangeError(f"{agency.name} is deactivated")
    if not person.is_active:
        raise grants.AccessChangeError(f"{grants.name_of(person)}'s account is deactivated")
    if role in access.SITTING_ROLES and not panel.member_agencies.filter(pk=agency.pk).exists():
        raise grants.AccessChangeError(
            f"{agency.name} is not one of {panel.name}'s member agencies: a member or deputy "
            "sits for a member agency"
        )
    same = PanelMembership.objects.filter(user=person, panel=panel, agency=agency, role=role)
    if same.pending().exists():
        raise grants.AccessChangeError("This seat is already waiting for approval")
    if same.active().exists():
        raise grants.AccessChangeError(f"{grants.name_of(person)} already holds this seat")
    seat = PanelMembership(panel=panel, user=person, agency=agency, role=role)
    return grants.ask_for(
        grant=seat, actor=actor, reason=reason, needs_approval=True, address=address
    )


@transaction.atomic(durable=True)
def panel_membership_approve(
    *,
    actor: AbstractBaseUser,
    membership: PanelMembership,
    reason: str = "",
    address: str | None = None,
) -> PanelMembership:
    """The second person approves a waiting seat: it starts now."""
    seat = _locked_seat(membership)
    access.require_can_decide_seat(actor, seat)
    return grants.decide(grant=seat, actor=actor, approve=True, reason=reason, address=address)


@transaction.atomic(durable=True)
def panel_membership_refuse(
    *,
    actor: AbstractBaseUser,
    membership: PanelMembership,
    reason: str,
    address: str | None = None,
) -> PanelMembership:
    """The second person refuses a waiting seat, with a reason: it never gives anything."""
    seat = _locked_seat(membership)
    access.require_can_decide_seat(actor, seat)
    return grants.decide(grant=seat, actor=actor, approve=False, reason=reason, address=address)


@transaction.atomic(durable=True)
def panel_membership_end(
    *,
    actor: AbstractBaseUser,
    membership: PanelMembership,
    reason: str,
    address: str | None = None,
) -> PanelMembership:
    """End a seat on a panel now; the person's sockets in its open meetings close at once."""
    seat = _locked_seat(membership)
    if seat.ended_at is not None:
        return seat
    access.require_can_end_seat(actor, seat)
    grants.end(grant=seat, actor=actor, reason=reason, address=address)  # closes sockets
    return seat


# --- Invitations --------------------------------------------------------------------------


def _tell_invited(meeting: Meeting, people) -> None:
    """A notification (no case detail: the panel, the day and the link) for each person."""
    day = timezone.localtime(meeting.starts_at)
    notification_services.notify(
        recipients=people,
        kind=NotificationKind.MEETING_INVITATION,
        message=f"You are invited to the {meeting.panel.name} meeting on {day:%A %-d %B %Y}.",
        link=f"/meetings/{meeting.pk}/",
    )


def _invite_panel(*, actor, meeting: Meeting) -> list[MeetingInvitation]:
    """Invite everyone who holds a live seat on the meeting's panel and is not yet invited."""
    already = set(meeting.invitations.live().values_list("user_id", flat=True))
    invitations = []
    for user_id, agency_id in selectors.seat_agency_ids(meeting=meeting).items():
        if user_id not in already:
            invitations.append(
                MeetingInvitation(
                    meeting=meeting, user_id=user_id, agency_id=agency_id, invited_by=actor
                )
            )
    return MeetingInvitation.objects.bulk_create(invitations)


@transaction.atomic(durable=True)
def meeting_invite(*, actor: AbstractBaseUser, meeting: Meeting, person) -> MeetingInvitation:
    """Invite one person who holds a seat on the meeting's panel."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(
        meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS, doing="invite people"
    )
    agency = _seat_agency(meeting, person.pk)
    if agency is None:
        raise MeetingError(f"{person.get_full_name()} does not sit on this panel.")
    if meeting.invitations.live().filter(user=person).exists():
        raise MeetingError(f"{person.get_full_name()} is already invited.")
    invitation = MeetingInvitation.objects.create(
        meeting=meeting, user=person, agency=agency, invited_by=actor
    )
    _tell_invited(meeting, [person])
    events.append(
        meeting=meeting,
        type="invitation.added",
        payload={
            "person": events.person_label(person),
            "agency": {"id": agency.pk, "name": agency.name},
        },
        actor=actor,
    )
    return invitation


@transaction.atomic(durable=True)
def meeting_invitation_withdraw(
    *, actor: AbstractBaseUser, meeting: Meeting, person
) -> MeetingInvitation:
    """Withdraw a person's invitation; if they have the room open, it closes at once."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(
        meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS, doing="withdraw invitations"
    )
    invitation = meeting.invitations.live().filter(user=person).first()
    if invitation is None:
        raise MeetingError(f"{person.get_full_name()} is not invited.")
    invitation.withdrawn_at = timezone.now()
    invitation.withdrawn_by = actor
    invitation.save(update_fields=["withdrawn_at", "withdrawn_by"])
    events.append(
        meeting=meeting,
        type="invitation.withdrawn",
        payload={"person": events.person_label(person)},
        actor=actor,
    )
    # Every open socket of the person, on any process, checks its access after commit.
    sockets.recheck_sockets_on_commit(user_ids=[person.pk])
    return invitation


# --- The agenda ---------------------------------------------------------------------------


def _build_agenda(*, actor, meeting: Meeting) -> list[Action]:
    """Put the standard items first, and carry forward, onto this agenda, the incomplete
    actions of the panel's earlier closed meetings. Running it again adds nothing twice."""
    have = set(meeting.agenda_items.values_list("kind", flat=True))
    missing = [kind for kind in STANDARD_ITEM_KINDS if kind not in have]
    if missing:
        # Standard items take positions 1 to 3; cases move down behind them, in their order.
        AgendaItem.objects.filter(meeting=meeting, kind__in=LISTED_ITEM_KINDS).update(
            position=F("position") + len(STANDARD_ITEM_KINDS)
        )
        AgendaItem.objects.bulk_create(
            [
                AgendaItem(
                    meeting=meeting,
                    kind=kind,
                    position=STANDARD_ITEM_KINDS.index(kind) + 1,
                    target_minutes=STANDARD_ITEM_MINUTES,
                )
                for kind in missing
            ]
        )
    review_item = meeting.agenda_items.get(kind=AgendaItemKind.PREVIOUS_MINUTES)
    case_items = {
        item.referral_id: item
        for item in meeting.agenda_items.filter(kind=AgendaItemKind.CASE, withdrawn_at__isnull=True)
    }
    earlier = (
        Action.objects.filter(
            meeting__panel_id=meeting.panel_id,
            meeting__status=MeetingStatus.CLOSED,
            meeting__starts_at__lt=meeting.starts_at,
            status__in=INCOMPLETE_ACTION_STATUSES,
        )
        .select_related("agenda_item__referral__child")
        .order_by("due_date", "pk")
    )
    carried = []
    for action in earlier:
        referral = action.agenda_item.referral
        target = case_items.get(referral.pk if referral else None, review_item)
        carried.append(
            Action.objects.create(
                meeting=meeting,
                agenda_item=target,
                text=action.text,
                owner_agency_id=action.owner_agency_id,
                owner_person_id=action.owner_person_id,
                due_date=action.due_date,
                status=action.status,
                carried_from=action,
                created_by=actor,
            )
        )
        action.status = ActionStatus.CARRIED_FORWARD
        action.save(update_fields=["status"])
        if referral is not None:
            audit.record(
                actor=actor,
                action=audit.Action.CHANGED,
                obj=action,
                referral=referral,
                detail=f"Action carried forward to panel meeting {meeting.pk}",
            )
    return carried


@transaction.atomic(durable=True)
def agenda_build(*, actor: AbstractBaseUser, meeting: Meeting) -> list[Action]:
    """The coordinator readies the agenda: standard items, then carried-forward actions."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="rebuild the agenda")
    carried = _build_agenda(actor=actor, meeting=meeting)
    if carried:
        events.append(
            meeting=meeting,
            type="agenda.changed",
            payload={"carried_actions": [action.pk for action in carried]},
            actor=actor,
        )
    return carried


@transaction.atomic(durable=True)
def agenda_item_add_case(*, actor: AbstractBaseUser, meeting: Meeting, referral) -> AgendaItem:
    """List a referral (listed for panel or escalated, one the runner may read) on a
    scheduled meeting's agenda, after the items already there."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="list a case")
    if meeting.agenda_items.filter(referral=referral, withdrawn_at__isnull=True).exists():
        raise MeetingError(f"{referral.reference} is already on this agenda.")
    if not access.can_list_case(actor, meeting, referral):
        raise MeetingError(
            f"{referral.reference} cannot be listed: only a referral listed for panel or "
            "escalated, and one you may read, goes on an agenda."
        )
    item = AgendaItem.objects.create(
        meeting=meeting,
        referral=referral,
        kind=AgendaItemKind.CASE,
        position=_next_position(meeting),
        target_minutes=meeting.panel.item_target_minutes,
    )
    _audit_case_change(actor=actor, item=item, detail="listed on the agenda")
    events.append(meeting=meeting, type="agenda.changed", payload={"added": item.pk}, actor=actor)
    return item


@transaction.atomic(durable=True)
def agenda_item_add_theme(
    *,
    actor: AbstractBaseUser,
    meeting: Meeting,
    subject,
    reason: str,
    address: str | None = None,
) -> AgendaItem:
    """List a person, place, vehicle or account of concern as a thematic item on an
    exploitation panel's scheduled agenda (the panel's thematic part). It takes the subject
    to the panel, so the panel's members may read it; actions can be owned against it."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="list a theme")
    if meeting.panel.kind != PanelKind.EXPLOITATION:
        raise MeetingError("Thematic items go on an exploitation panel's agenda.")
    if meeting.agenda_items.filter(subject=subject, withdrawn_at__isnull=True).exists():
        raise MeetingError(f"{subject} is already on this agenda.")
    if not access.can_list_theme(actor, meeting, subject):
        raise MeetingError(
            f"{subject} cannot be listed: only a record your agency holds, or one already "
            "discussed at a panel you run, is taken to a panel."
        )
    reason = reason.strip()
    if not reason:
        raise MeetingError("Say why the panel should discuss it.")
    item = AgendaItem.objects.create(
        meeting=meeting,
        subject=subject,
        kind=AgendaItemKind.THEME,
        position=_next_position(meeting),
        target_minutes=meeting.panel.item_target_minutes,
    )
    subject_taken_to_panel(
        actor=actor, subject=subject, panel=meeting.panel, reason=reason, address=address
    )
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=item,
        reason=reason,
        detail=f"{subject} listed on the agenda of panel meeting {meeting.pk}",
    )
    events.append(meeting=meeting, type="agenda.changed", payload={"added": item.pk}, actor=actor)
    return item


@transaction.atomic(durable=True)
def agenda_item_move(
    *, actor: AbstractBaseUser, meeting: Meeting, item_id: int, direction: str
) -> list[int]:
    """Move a case or a theme up or down the agenda; the standard items stay first."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(
        meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS, doing="reorder the agenda"
    )
    item = _item_of(meeting, item_id)
    if item.kind not in LISTED_ITEM_KINDS:
        raise MeetingError("The standard items stay at the top of the agenda.")
    cases = list(selectors.agenda(meeting=meeting).filter(kind__in=LISTED_ITEM_KINDS))
    index = next(i for i, case in enumerate(cases) if case.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(cases):
        place = "first" if direction == "up" else "last"
        raise MeetingError(f"That item is already {place}.")
    cases[index], cases[other] = cases[other], cases[index]
    first = len(STANDARD_ITEM_KINDS) + 1
    for position, case in enumerate(cases, start=first):
        if case.position != position:
            case.position = position
            case.save(update_fields=["position"])
    order = list(selectors.agenda(meeting=meeting).values_list("pk", flat=True))
    events.append(meeting=meeting, type="agenda.reordered", payload={"order": order}, actor=actor)
    return order


# --- Running the meeting ------------------------------------------------------------------


@transaction.atomic(durable=True)
def meeting_start(*, actor: AbstractBaseUser, meeting: Meeting) -> MeetingEvent:
    """Open the meeting on the first item of its agenda."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    MEETING_STATES.move(meeting, "start")
    _build_agenda(actor=actor, meeting=meeting)
    first = selectors.agenda(meeting=meeting).first()
    now = timezone.now()
    meeting.started_at = now
    meeting.save(update_fields=["status", "started_at"])
    _set_current_item(meeting, first, now)
    return events.append(
        meeting=meeting,
        type="meeting.started",
        payload={
            "status": meeting.status,
            "started_at": now.isoformat(),
            "current_item": first.pk,
            "current_item_started_at": now.isoformat(),
        },
        actor=actor,
    )


@transaction.atomic(durable=True)
def meeting_record_confidentiality(*, actor: AbstractBaseUser, meeting: Meeting) -> MeetingEvent:
    """Record that the chair read the confidentiality statement."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.IN_PROGRESS, doing="record the statement")
    if meeting.confidentiality_read_at:
        raise MeetingError("The confidentiality statement has already been recorded as read.")
    meeting.confidentiality_read_at = timezone.now()
    meeting.confidentiality_read_by = actor
    meeting.save(update_fields=["confidentiality_read_at", "confidentiality_read_by"])
    return events.append(
        meeting=meeting,
        type="meeting.confidentiality_read",
        payload={"at": meeting.confidentiality_read_at.isoformat()},
        actor=actor,
    )


def _move_to(*, actor, meeting: Meeting, item: AgendaItem) -> MeetingEvent:
    now = timezone.now()
    left = _leave_current_item(meeting, now)
    _set_current_item(meeting, item, now)
    return events.append(
        meeting=meeting,
        type="meeting.item_changed",
        payload={
            "current_item": item.pk,
            "current_item_started_at": now.isoformat(),
            "seconds_spent": item.seconds_spent,
            "left": left,
        },
        actor=actor,
    )


@transaction.atomic(durable=True)
def meeting_next_item(*, actor: AbstractBaseUser, meeting: Meeting) -> MeetingEvent:
    """Move everyone on to the next item of the agenda."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.IN_PROGRESS, doing="move on")
    ids = list(selectors.agenda(meeting=meeting).values_list("pk", flat=True))
    index = ids.index(meeting.current_item_id) if meeting.current_item_id in ids else -1
    if index + 1 >= len(ids):
        raise MeetingError("This is the last item: close the meeting when it is done.")
    return _move_to(actor=actor, meeting=meeting, item=_item_of(meeting, ids[index + 1]))


@transaction.atomic(durable=True)
def meeting_go_to_item(*, actor: AbstractBaseUser, meeting: Meeting, item_id: int) -> MeetingEvent:
    """Move everyone to a given item (back to one, or ahead past another)."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.IN_PROGRESS, doing="move to an item")
    item = _item_of(meeting, item_id)
    if item.pk == meeting.current_item_id:
        raise MeetingError("That is already the current item.")
    return _move_to(actor=actor, meeting=meeting, item=item)


@transaction.atomic(durable=True)
def meeting_close(*, actor: AbstractBaseUser, meeting: Meeting) -> MeetingEvent:
    """Close the meeting: the room stays readable, nothing more can be recorded in it."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    MEETING_STATES.move(meeting, "close")
    now = timezone.now()
    left = _leave_current_item(meeting, now)
    _set_current_item(meeting, None, now)
    meeting.closed_at = now
    meeting.save(update_fields=["status", "closed_at"])
    return events.append(
        meeting=meeting,
        type="meeting.closed",
        payload={"status": meeting.status, "closed_at": now.isoformat(), "left": left},
        actor=actor,
    )


# --- Recording what is said and agreed ----------------------------------------------------


@transaction.atomic(durable=True)
def item_save_notes(
    *, actor: AbstractBaseUser, meeting: Meeting, item_id: int, text: str, version: int
) -> MeetingEvent:
    """The minute-taker saves an item's notes, made from version `version` of them."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.IN_PROGRESS, doing="save notes")
    item = _item_of(meeting, item_id)
    if version != item.notes_version:
        raise StaleEdit(
            field="notes",
            item_id=item.pk,
            text=item.notes,
            version=item.notes_version,
            by=item.notes_saved_by,
        )
    item.notes = text
    item.notes_version += 1
    item.notes_saved_by = actor
    item.save(update_fields=["notes", "notes_version", "notes_saved_by"])
    _audit_case_change(actor=actor, item=item, detail="notes saved")
    return events.append(
        meeting=meeting,
        type="item.notes_saved",
        payload={"item": item.pk, "text": item.notes, "version": item.notes_version},
        actor=actor,
    )


@transaction.atomic(durable=True)
def item_record_decision(
    *, actor: AbstractBaseUser, meeting: Meeting, item_id: int, text: str, version: int
) -> MeetingEvent:
    """Record the panel's decision on an item, made from version `version` of it."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.IN_PROGRESS, doing="record a decision")
    item = _item_of(meeting, item_id)
    if version != item.decision_version:
        raise StaleEdit(
            field="decision",
            item_id=item.pk,
            text=item.decision,
            version=item.decision_version,
            by=item.decision_by,
        )
    item.decision = text
    item.decision_version += 1
    item.decision_by = actor
    item.save(update_fields=["decision", "decision_version", "decision_by"])
    _audit_case_change(actor=actor, item=item, detail="decision recorded")
    return events.append(
        meeting=meeting,
        type="item.decision_recorded",
        payload={"item": item.pk, "text": item.decision, "version": item.decision_version},
        actor=actor,
    )


@transaction.atomic(durable=True)
def item_set_risk(
    *, actor: AbstractBaseUser, meeting: Meeting, item_id: int, risk_level: str
) -> MeetingEvent:
    """Record the risk level the panel agreed for a case."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.IN_PROGRESS, doing="record the risk level")
    item = _item_of(meeting, item_id)
    if not item.is_case:
        raise MeetingError("A risk level is agreed for a case, not a standard item.")
    item.risk_level = RiskLevel(risk_level)
    item.save(update_fields=["risk_level"])
    _audit_case_change(actor=actor, item=item, detail=f"risk level {item.risk_level}")
    return events.append(
        meeting=meeting,
        type="item.risk_set",
        payload={
            "item": item.pk,
            "risk_level": item.risk_level,
            "risk_label": item.get_risk_level_display(),
        },
        actor=actor,
    )


@transaction.atomic(durable=True)
def item_record_update(
    *,
    actor: AbstractBaseUser,
    meeting: Meeting,
    item_id: int,
    agency: Agency,
    text: str,
    version: int,
    sensitivity: str = ContributionSensitivity.NORMAL,
) -> MeetingEvent:
    """Record what one agency reported on a case; `version` 0 for its first update. A panel
    only or not-for-family update never reaches the board copy."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.IN_PROGRESS, doing="record an agency's update")
    item = _item_of(meeting, item_id)
    if not item.is_case:
        raise MeetingError("Agencies give updates on cases, not on standard items.")
    if not meeting.panel.member_agencies.filter(pk=agency.pk).exists():
        raise MeetingError(f"{agency.name} is not a member agency of this panel.")
    update = AgencyUpdate.objects.filter(item=item, agency=agency).first()
    current = update.version if update else 0
    if version != current:
        raise StaleEdit(
            field="update",
            item_id=item.pk,
            text=update.text if update else "",
            version=current,
            by=update.recorded_by if update else None,
            agency_id=agency.pk,
        )
    if update is None:
        update = AgencyUpdate.objects.create(
            item=item,
            agency=agency,
            text=text,
            sensitivity=sensitivity,
            version=1,
            recorded_by=actor,
        )
    else:
        update.text = text
        update.sensitivity = sensitivity
        update.version += 1
        update.recorded_by = actor
        update.recorded_at = timezone.now()
        update.save(update_fields=["text", "sensitivity", "version", "recorded_by", "recorded_at"])
    _audit_case_change(actor=actor, item=item, detail=f"update from {agency.name}")
    return events.append(
        meeting=meeting,
        type="item.update_recorded",
        payload={
            "item": item.pk,
            "agency": {"id": agency.pk, "name": agency.name},
            "text": update.text,
            "sensitivity": update.sensitivity,
            "version": update.version,
        },
        actor=actor,
    )


@transaction.atomic(durable=True)
def action_add(
    *,
    actor: AbstractBaseUser,
    meeting: Meeting,
    item_id: int,
    text: str,
    owner_agency: Agency,
    due_date: date,
    owner_person=None,
) -> Action:
    """Record an action the panel agreed: what, which agency, which person, by when."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(meeting, MeetingStatus.IN_PROGRESS, doing="add an action")
    item = _item_of(meeting, item_id)
    if not text.strip():
        raise MeetingError("Enter what is to be done.")
    if due_date < timezone.localdate(meeting.starts_at):
        raise MeetingError("The due date must be on or after the day of the meeting.")
    if (
        owner_person is not None
        and not Membership.objects.active().filter(user=owner_person, agency=owner_agency).exists()
    ):
        raise MeetingError(
            f"{owner_person.get_full_name()} does not act for {owner_agency.name}: "
            "choose someone from the owning agency, or leave the person blank."
        )
    action = Action.objects.create(
        meeting=meeting,
        agenda_item=item,
        text=text.strip(),
        owner_agency=owner_agency,
        owner_person=owner_person,
        due_date=due_date,
        created_by=actor,
    )
    _audit_case_change(actor=actor, item=item, detail=f"action {action.pk} for {owner_agency}")
    events.append(
        meeting=meeting, type="action.added", payload=_action_payload(action), actor=actor
    )
    tell_action_owners(action)
    return action


def tell_action_owners(action: Action) -> None:
    """The owner (or the owning agency's leads), if they may read the case; no case detail."""
    reference = action.referral.reference if action.referral else meeting_reference(action)
    owner = action.owner_person.get_full_name() if action.owner_person else action.owner_agency.name
    notification_services.notify(
        recipients=access.users_to_tell_of_action(action),
        kind=NotificationKind.ACTION_ASSIGNED,
        message=(
            f"Action {action.pk} on {reference} was assigned to "
            f"{owner}, due {action.due_date:%d %B %Y}."
        ),
        referral=action.referral,
        # The action's own page: its owner may not be on the panel, so not the meeting room.
        link=f"/actions/{action.pk}/",
    )


def meeting_reference(action: Action) -> str:
    return f"the {action.meeting.panel.name} meeting"


@transaction.atomic(durable=True)
def attendance_set(
    *,
    actor: AbstractBaseUser,
    meeting: Meeting,
    person,
    status: str,
    deputy_for=None,
) -> Attendance:
    """Record whether an invited person is present, arrived late, sent apologies or is absent
    (and, for a deputy, whom they stand in for); the quorum follows."""
    access.require_can_run_meeting(actor, meeting)
    meeting = _locked(meeting)
    _require_status(
        meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS, doing="record attendance"
    )
    participants = access.meeting_participant_ids(meeting)
    if person.pk not in participants:
        raise MeetingError(f"{person.get_full_name()} is not invited to this meeting.")
    if deputy_for is not None and (deputy_for.pk == person.pk or deputy_for.pk not in participants):
        raise MeetingError("A deputy stands in for another person invited to this meeting.")
    status = AttendanceStatus(status)
    if meeting.status == MeetingStatus.SCHEDULED and status == AttendanceStatus.ARRIVED_LATE:
        raise MeetingError("Nobody can arrive late to a meeting that has not started.")
    invitation = meeting.invitations.live().filter(user=person).first()
    agency = invitation.agency if invitation else _seat_agency(meeting, person.pk)
    now = timezone.now()
    row, _ = Attendance.objects.update_or_create(
        meeting=meeting,
        user=person,
        defaults={
            "agency": agency,
            "status": status,
            "deputy_for": deputy_for,
            "arrived_at": now if status == AttendanceStatus.ARRIVED_LATE else None,
            "recorded_by": actor,
            "recorded_at": now,
        },
    )
    events.append(
        meeting=meeting,
        type="attendance.set",
        payload=_attendance_payload(row, meeting),
        actor=actor,
    )
    return row


# --- Reading the room, and who is in it ---------------------------------------------------


@transaction.atomic(durable=True)
def meeting_view_record(
    *,
    actor: AbstractBaseUser,
    meeting: Meeting,
    request=None,
    address: str | None = None,
    shown: list[tuple[int, int]] | None = None,
) -> int:
    """Record that a person opened the meeting room: one VIEWED row per listed case whose
    child they were shown, written in one statement (one row for the meeting itself when
    they were shown no case). `shown`: (referral id, child id) of those cases, when the page
    has just read them with `selectors.cases_shown_in_room`. Returns how many rows."""
    if shown is None:
        shown = list(
            selectors.cases_shown_in_room(user=actor, meeting=meeting).values_list("pk", "child_id")
        )
    referrals = shown or [(None, None)]
    agency_id = audit.actor_agency_id(actor, request)
    now = timezone.now()
    address = address or audit.client_address(request)
    detail = f"Meeting room: {meeting.panel.name}, {timezone.localtime(meeting.starts_at):%d %B %Y}"
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=now,
                actor=actor,
                actor_agency_id=agency_id,
                action=AuditAction.VIEWED,
                referral_id=referral_id,
                child_id=child_id,
                object_type="panels.meeting",
                object_id=str(meeting.pk),
                ip_address=address,
                detail=detail[:500],
            )
            for referral_id, child_id in referrals
        ]
    )
    return len(referrals)


def meeting_viewed_recently(*, actor, meeting: Meeting, within: timedelta) -> bool:
    """Whether the person's opening of this room is already in the trail (a socket that
    reconnects after a blip is not a new reading of the cases)."""
    return selectors.recent_room_views(actor=actor, meeting=meeting, within=within).exists()


@transaction.atomic
def presence_join(*, meeting_id: int, user, channel_name: str) -> bool:
    """Note an open socket; True when it is the person's first, so the room should hear."""
    since = timezone.now() - selectors.PRESENCE_STALE_AFTER
    first = not MeetingPresence.objects.filter(
        meeting_id=meeting_id, user=user, seen_at__gte=since
    ).exists()
    MeetingPresence.objects.update_or_create(
        channel_name=channel_name,
        defaults={"meeting_id": meeting_id, "user": user, "seen_at": timezone.now()},
    )
    return first


@transaction.atomic
def presence_leave_many(*, leavers: list[tuple[str, int, int]]) -> dict[int, list[dict]]:
    """Forget closed sockets (channel name, meeting id, user id), one transaction for all of
    them. Returns who is connected now in each meeting where a person's last socket went."""
    names = [name for name, _, _ in leavers]
    for start in range(0, len(names), 500):
        MeetingPresence.objects.filter(channel_name__in=names[start : start + 500]).delete()
    left = {(meeting_id, user_id) for _, meeting_id, user_id in leavers}
    since = timezone.now() - selectors.PRESENCE_STALE_AFTER
    still = set(
        MeetingPresence.objects.filter(
            meeting_id__in={m for m, _ in left},
            user_id__in={u for _, u in left},
            seen_at__gte=since,
        ).values_list("meeting_id", "user_id")
    )
    meeting_ids = sorted({meeting_id for meeting_id, user_id in left - still})
    return {pk: selectors.connected_people(meeting_id=pk) for pk in meeting_ids}


@transaction.atomic
def presence_beat(*, channel_names: list[str], stale_before) -> dict[int, list[dict]]:
    """One process's presence beat, one transaction: its open sockets (`channel_names`) are
    seen now, and every row no process has seen since `stale_before` (its process died) is
    deleted. Returns who is connected now in each meeting that lost a row."""
    now = timezone.now()
    for start in range(0, len(channel_names), 500):
        MeetingPresence.objects.filter(channel_name__in=channel_names[start : start + 500]).update(
            seen_at=now
        )
    stale = MeetingPresence.objects.filter(seen_at__lt=stale_before)
    meeting_ids = set(stale.values_list("meeting_id", flat=True))
    if not meeting_ids:
        return {}
    stale.delete()
    return {pk: selectors.connected_people(meeting_id=pk) for pk in sorted(meeting_ids)}
