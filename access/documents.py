"""Who drafts, approves and receives a meeting's minutes, and who downloads which PDF.

- The panel's coordinator drafts and edits the minutes and starts a correction; the panel's
  chair approves them or returns them with comments. Both see drafts.
- Full minutes of an approved version: the people who may join the meeting (its panel's
  chair and coordinator, and those invited while they hold a live seat on the panel).
- An agency's action extract: the chair and coordinator, and participants of the meeting
  who act for that agency now.
- The board copy: the chair and coordinator, and the board members overseeing the panel
  (a live oversight, and a live board member role in an active agency).
- The action log of a panel: anyone with a live seat on the panel.

Everything else is the same 404 as a missing document; each rule is read fresh on every request.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from access.errors import NotFoundForUser
from access.meetings import (
    can_join_meeting,
    can_run_meeting,
    can_view_panel,
    live_seats,
    meeting_participant_ids,
    meetings_run_by,
    meetings_visible_to,
    seats_of,
)
from access.roles import roles_of, signed_in
from agencies.models import Membership, Role
from panels.models import (
    DocumentKind,
    Meeting,
    MinutesDocument,
    Panel,
    PanelOversight,
    PanelRole,
)


def _holds_seat(user, panel_id: int, role: str) -> bool:
    """Drafting and approving are changes: only a seat held in a role that may change things."""
    return signed_in(user) and (panel_id, role) in seats_of(user, writing=True)


def _seat_holders(panel_id: int, role: str) -> QuerySet:
    ids = live_seats(writing=True).filter(panel_id=panel_id, role=role).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True)


# --- Drafting and approval ------------------------------------------------------------------


def can_edit_minutes(user, meeting: Meeting) -> bool:
    """The panel's coordinator drafts, edits and submits the minutes and starts corrections."""
    return _holds_seat(user, meeting.panel_id, PanelRole.COORDINATOR)


def can_approve_minutes(user, meeting: Meeting) -> bool:
    """The panel's chair approves the minutes or returns them with comments."""
    return _holds_seat(user, meeting.panel_id, PanelRole.CHAIR)


def can_view_minutes_draft(user, meeting: Meeting) -> bool:
    """The chair and coordinator read the draft and preview its PDFs."""
    return can_run_meeting(user, meeting)


def can_view_minutes(user, meeting: Meeting) -> bool:
    """The minutes page: whoever may join the meeting (drafts only as above)."""
    return can_join_meeting(user, meeting)


def users_to_tell_of_minutes_for_approval(meeting: Meeting) -> QuerySet:
    """Submitted minutes wait for the panel's chair."""
    return _seat_holders(meeting.panel_id, PanelRole.CHAIR)


def users_to_tell_of_minutes_returned(meeting: Meeting) -> QuerySet:
    """Returned minutes go back to the panel's coordinator."""
    return _seat_holders(meeting.panel_id, PanelRole.COORDINATOR)


def users_to_receive_full_minutes(meeting: Meeting) -> QuerySet:
    """Approved full minutes are for the people who may join the meeting."""
    return get_user_model().objects.filter(pk__in=meeting_participant_ids(meeting))


# --- The board --------------------------------------------------------------------------------


def _live_oversights():
    board_role = Membership.objects.active().filter(
        user=OuterRef("user_id"), role=Role.BOARD_MEMBER, agency__is_active=True
    )
    return PanelOversight.objects.active().filter(Exists(board_role), user__is_active=True)


def _overseen_panel_ids(user) -> list[int]:
    if not signed_in(user):
        return []
    return list(_live_oversights().filter(user=user).values_list("panel_id", flat=True))


def oversees_any_panel(user) -> bool:
    """A board member with a live oversight sees the board papers page."""
    return bool(_overseen_panel_ids(user))


def can_receive_board_copy(user, panel: Panel) -> bool:
    """A board member overseeing the panel receives its approved board copies."""
    return panel.pk in _overseen_panel_ids(user)


def users_to_receive_board_copy(panel: Panel) -> QuerySet:
    """u in it exactly when can_receive_board_copy(u, panel)."""
    ids = _live_oversights().filter(panel=panel).values("user_id")
    return get_user_model().objects.filter(pk__in=ids)


def board_copies_visible_to(user) -> QuerySet[MinutesDocument]:
    """The approved board copies of the panels the person oversees, newest meeting first."""
    return (
        MinutesDocument.objects.filter(
            kind=DocumentKind.BOARD_COPY,
            version__minutes__meeting__panel_id__in=_overseen_panel_ids(user),
        )
        .select_related("version__minutes__meeting__panel")
        .defer("pdf")
        .order_by("-version__minutes__meeting__starts_at", "-version__number")
    )


# --- Downloads --------------------------------------------------------------------------------


def can_download_document(user, document: MinutesDocument) -> bool:
    """One approved PDF: full minutes to those who may join the meeting; an agency extract
    to the chair and coordinator and to participants acting for that agency; the board copy
    to the chair and coordinator and the panel's board members."""
    if not signed_in(user):
        return False
    meeting = document.version.minutes.meeting
    if document.kind == DocumentKind.MINUTES:
        return can_join_meeting(user, meeting)
    if document.kind == DocumentKind.AGENCY_EXTRACT:
        if can_run_meeting(user, meeting):
            return True
        acts_for = document.agency_id in roles_of(user).all_agencies
        return acts_for and can_join_meeting(user, meeting)
    if document.kind == DocumentKind.BOARD_COPY:
        return can_run_meeting(user, meeting) or can_receive_board_copy(user, meeting.panel)
    return False


def documents_visible_to(user) -> QuerySet[MinutesDocument]:
    """The approved PDFs the person may download: d in it exactly when
    can_download_document(user, d)."""
    if not signed_in(user):
        return MinutesDocument.objects.none()
    meeting = "version__minutes__meeting"
    joined = Q(**{f"{meeting}__in": meetings_visible_to(user)})
    running = Q(**{f"{meeting}__in": meetings_run_by(user)})
    acting = roles_of(user).all_agencies
    return MinutesDocument.objects.filter(
        (Q(kind=DocumentKind.MINUTES) & joined)
        | (Q(kind=DocumentKind.AGENCY_EXTRACT) & (running | (joined & Q(agency_id__in=acting))))
        | (
            Q(kind=DocumentKind.BOARD_COPY)
            & (running | Q(**{f"{meeting}__panel_id__in": _overseen_panel_ids(user)}))
        )
    )


def get_document_for(user, *, version_pk, kind: str, agency_pk=None) -> MinutesDocument:
    """The approved PDF, or the same 404 whether it is missing or not for this person."""
    document = (
        MinutesDocument.objects.select_related("version__minutes__meeting__panel", "agency")
        .filter(version_id=version_pk, kind=kind, agency_id=agency_pk)
        .first()
        if str(version_pk).isdigit()
        else None
    )
    if document is None or not can_download_document(user, document):
        raise NotFoundForUser(object_type="minutes document", object_id=version_pk)
    return document


def get_document_by_number_for(
    user, *, meeting_pk, number, kind: str, agency_pk=None
) -> MinutesDocument:
    """The approved document of a meeting's version `number` (as its web page is addressed,
    printed on the PDF before the version row exists), or the same 404 as `get_document_for`."""
    document = (
        MinutesDocument.objects.select_related("version__minutes__meeting__panel", "agency")
        .filter(
            version__minutes__meeting_id=meeting_pk,
            version__number=number,
            kind=kind,
            agency_id=agency_pk,
        )
        .first()
        if str(meeting_pk).isdigit() and str(number).isdigit()
        else None
    )
    if document is None or not can_download_document(user, document):
        raise NotFoundForUser(object_type="minutes document", object_id=meeting_pk)
    return document


def can_download_action_log(user, panel: Panel) -> bool:
    """Anyone with a live seat on the panel downloads its action log."""
    return can_view_panel(user, panel)


def get_panel_for_action_log(user, pk) -> Panel:
    """The panel, or the same 404 whether it is missing or hidden from this person."""
    panel = Panel.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if panel is None or not can_download_action_log(user, panel):
        raise NotFoundForUser(object_type="panel", object_id=pk)
    return panel
