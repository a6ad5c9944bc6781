"""Who may see, join and run a panel meeting.

A seat is live when the panel membership is active and the person acts, now, for the
agency they sit for (an active agency membership of any role) and that agency is active.
Members and deputies also need their agency to be one of the panel's member agencies; the
chair and the coordinator run the panel whichever agency they come from. Everything is read
fresh on every request and socket command (the person's roles once in each), so ending a
seat, an agency membership or an invitation ends what it gave at once.

Running a panel or a meeting (and drafting or approving its minutes) is a change, so it also
needs the person to act for the seat's agency in a role that may change things
(`WRITING_ROLES`): a quality auditor, board member or data protection officer given a seat
may follow, never run.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from access.errors import ForbiddenForUser, NotFoundForUser
from access.referrals import visible_referrals
from access.roles import WRITING_ROLES, kept_with_roles, roles_of, signed_in
from agencies.models import Membership
from panels.models import (
    AgendaItem,
    Meeting,
    MeetingInvitation,
    MeetingStatus,
    Panel,
    PanelMembership,
    PanelRole,
)
from referrals.models import Referral, ReferralState

RUNNING_ROLES = (PanelRole.CHAIR, PanelRole.COORDINATOR)
SITTING_ROLES = (PanelRole.MEMBER, PanelRole.DEPUTY)


def live_seats(now=None, *, writing: bool = False) -> QuerySet[PanelMembership]:
    """Panel memberships that give something now (see the module docstring); `writing`:
    only those whose holder acts for the seat's agency in a role that may change things."""
    now = now or timezone.now()
    acts_for_agency = Membership.objects.active(now).filter(
        user=OuterRef("user_id"), agency=OuterRef("agency_id")
    )
    if writing:
        acts_for_agency = acts_for_agency.filter(role__in=WRITING_ROLES)
    agency_on_panel = Panel.member_agencies.through.objects.filter(
        panel_id=OuterRef("panel_id"), agency_id=OuterRef("agency_id")
    )
    return PanelMembership.objects.active(now).filter(
        Exists(acts_for_agency),
        Q(role__in=RUNNING_ROLES) | (Q(role__in=SITTING_ROLES) & Exists(agency_on_panel)),
        agency__is_active=True,
        user__is_active=True,
    )


def seats_of(user, *, writing: bool = False) -> list[tuple[int, str]]:
    """(panel id, role) of the person's live seats: the same rule as live_seats, asked for
    one person in one small query after their roles (the meeting room asks it on every
    command, and building live_seats' subqueries costs more than running them), read once
    per scope with the person's roles."""
    seats = kept_with_roles(user, "seats", lambda: _read_seats(user))
    if writing:
        writing_agencies = roles_of(user).writing_agencies
        seats = [seat for seat in seats if seat[1] in writing_agencies]
    return [(panel, role) for panel, _, role in seats]


def _read_seats(user) -> list[tuple[int, int, str]]:
    """(panel id, agency id, role) of the live seats, for any of the person's agencies."""
    acting = roles_of(user).all_agencies
    if not acting:
        return []
    # Whether a sitting seat's agency is on its panel, in the same query (one read per scope).
    agency_on_panel = Panel.member_agencies.through.objects.filter(
        panel_id=OuterRef("panel_id"), agency_id=OuterRef("agency_id")
    )
    seats = (
        PanelMembership.objects.active()
        .filter(user=user, user__is_active=True, agency_id__in=acting)
        .annotate(on_panel=Exists(agency_on_panel))
        .values_list("panel_id", "agency_id", "role", "on_panel")
    )
    return [
        (panel, agency, role)
        for panel, agency, role, on_panel in seats
        if role in RUNNING_ROLES or (role in SITTING_ROLES and on_panel)
    ]


def _running_panel_ids(user) -> list[int]:
    """Running is a change: only seats held in a role that may change things."""
    return [panel for panel, role in seats_of(user, writing=True) if role in RUNNING_ROLES]


# --- Panels ---------------------------------------------------------------------------------


def panels_visible_to(user) -> QuerySet[Panel]:
    """The panels on which the person holds a live seat, in any role."""
    if not signed_in(user):
        return Panel.objects.none()
    return Panel.objects.filter(pk__in={panel for panel, _ in seats_of(user)})


def can_view_panel(user, panel: Panel) -> bool:
    """A person sees a panel exactly when it is in panels_visible_to(user)."""
    return panels_visible_to(user).filter(pk=panel.pk).exists()


def get_panel_for(user, pk) -> Panel:
    """The panel, or the same 404 whether it is missing or hidden from this person."""
    try:
        return panels_visible_to(user).get(pk=pk)
    except (Panel.DoesNotExist, ValueError, TypeError):
        raise NotFoundForUser(object_type="panel", object_id=pk) from None


def panels_run_by(user) -> QuerySet[Panel]:
    """The panels the person chairs or coordinates through a live seat."""
    if not signed_in(user):
        return Panel.objects.none()
    return Panel.objects.filter(pk__in=_running_panel_ids(user))


def can_run_panel(user, panel: Panel) -> bool:
    """The panel's chair or coordinator schedules its meetings: exactly panels_run_by(user)."""
    return panels_run_by(user).filter(pk=panel.pk).exists()


# --- Meetings -------------------------------------------------------------------------------


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """The meetings a person may see and join: every meeting of a panel they chair or
    coordinate, and a meeting they are invited to while they hold a live seat on its panel."""
    if not signed_in(user):
        return Meeting.objects.none()
    seats = seats_of(user)
    running = [panel for panel, role in seats if role in RUNNING_ROLES]
    sitting = [panel for panel, role in seats if role in SITTING_ROLES]
    invited = MeetingInvitation.objects.live().filter(meeting=OuterRef("pk"), user=user)
    return Meeting.objects.filter(
        Q(panel_id__in=running) | (Q(panel_id__in=sitting) & Exists(invited))
    )


def can_join_meeting(user, meeting: Meeting) -> bool:
    """A person may open a meeting's room exactly when it is in meetings_visible_to(user)."""
    return meetings_visible_to(user).filter(pk=meeting.pk).exists()


def get_meeting_for(user, pk) -> Meeting:
    """The meeting, or the same 404 whether it is missing or hidden from this person."""
    try:
        return meetings_visible_to(user).select_related("panel").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFoundForUser(object_type="meeting", object_id=pk) from None


def meetings_run_by(user) -> QuerySet[Meeting]:
    """The meetings of the panels the person chairs or coordinates through a live seat."""
    if not signed_in(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(panel_id__in=_running_panel_ids(user))


def can_run_meeting(user, meeting: Meeting) -> bool:
    """Only the chair or coordinator of the meeting's panel changes the meeting: exactly
    meetings_run_by(user), answered from the person's seats (read once per scope)."""
    return signed_in(user) and meeting.panel_id in _running_panel_ids(user)


def get_meeting_to_run(user, pk) -> Meeting:
    """The meeting for a person who may run it; 403 for a participant who may only follow it,
    and the same 404 as get_meeting_for for anyone else. One query for the chair."""
    try:
        meeting = meetings_run_by(user).select_related("panel").filter(pk=pk).first()
    except (ValueError, TypeError):
        meeting = None
    if meeting is not None:
        return meeting
    meeting = get_meeting_for(user, pk)
    raise ForbiddenForUser(action="change", object_type="meeting", object_id=meeting.pk)


def require_can_run_meeting(user, meeting: Meeting) -> None:
    """403 for a participant who may follow the meeting but not change it."""
    if not can_run_meeting(user, meeting):
        raise ForbiddenForUser(action="change", object_type="meeting", object_id=meeting.pk)


def meeting_runner_ids(meeting: Meeting) -> set[int]:
    """The people who may run the meeting: its panel's chair and coordinator (acting for
    the seat's agency in a role that may change things)."""
    return set(
        live_seats(writing=True)
        .filter(panel_id=meeting.panel_id, role__in=RUNNING_ROLES)
        .values_list("user_id", flat=True)
    )


def meeting_participant_ids(meeting: Meeting) -> set[int]:
    """The people who may join the meeting: u in it exactly when can_join_meeting(u, meeting)."""
    return set(meeting_participants(meeting).values_list("pk", flat=True))


def meeting_participants(meeting: Meeting) -> QuerySet:
    """meeting_participant_ids as a queryset of the people, not yet read: a page can read them
    with the rest of what it shows."""
    invited = MeetingInvitation.objects.live().filter(meeting=meeting).values("user_id")
    # Any running seat lets its holder follow every meeting, read-only role or not.
    seats = live_seats().filter(
        Q(role__in=RUNNING_ROLES) | Q(role__in=SITTING_ROLES, user_id__in=invited),
        panel_id=meeting.panel_id,
    )
    return get_user_model().objects.filter(pk__in=seats.values("user_id"))


# --- What may be listed on an agenda -------------------------------------------------------


def cases_listable_on(user, meeting: Meeting) -> QuerySet[Referral]:
    """The referrals a person may list on a meeting's agenda: none unless they run it and it
    is still scheduled; then the referrals they may read that were listed for panel (or
    escalated) and are not on this agenda already."""
    if meeting.status != MeetingStatus.SCHEDULED or not can_run_meeting(user, meeting):
        return Referral.objects.none()
    on_agenda = AgendaItem.objects.filter(meeting=meeting, withdrawn_at__isnull=True)
    return (
        visible_referrals(user)
        .filter(state__in=[ReferralState.LISTED_FOR_PANEL, ReferralState.ESCALATED])
        .exclude(pk__in=on_agenda.filter(referral__isnull=False).values("referral_id"))
    )


def can_list_case(user, meeting: Meeting, referral) -> bool:
    """Exactly when the referral is in cases_listable_on(user, meeting)."""
    return cases_listable_on(user, meeting).filter(pk=referral.pk).exists()
