"""The documents' view-models built from what a meeting recorded (ORM in, `panels.pdf.model`
out). Reads only: who may receive which document is the policy's question, asked by the
caller.

    doc = meeting_doc_for(meeting=meeting)  # a draft of the minutes, from the record
    log = action_log_doc_for(panel=panel)  # every open action of the panel's meetings
    agencies_with_actions(doc=doc)  # one agency extract for each of these

Each builder runs a fixed number of queries, however many items, updates and actions the
meeting has.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from panels.models import (
    INCOMPLETE_ACTION_STATUSES,
    PRESENT_STATUSES,
    Action,
    ActionStatus,
    AgencyUpdate,
    AgendaItemKind,
    Attendance,
    Meeting,
    MeetingInvitation,
    Panel,
    PanelMembership,
    PanelRole,
)
from panels.models import AttendanceStatus as RecordedAttendance
from panels.pdf import model as doc_model
from panels.selectors import agenda, meeting_quorum
from referrals.clocks import working_days_between
from referrals.models import HouseholdMember

CONFIDENTIALITY_STATEMENT = (
    "The information shared at this meeting and recorded in these minutes is confidential. "
    "It is shared between the agencies of the panel for the purpose of safeguarding and "
    "promoting the welfare of children, and for no other purpose. It must not be disclosed "
    "to anyone outside the panel's agencies, including the child and their family, without "
    "the agreement of the agency that shared it, unless the law requires it or a person is "
    "at immediate risk of harm. These minutes are OFFICIAL-SENSITIVE: keep, send and "
    "dispose of them securely, in line with your agency's information-sharing agreement and "
    "data protection law (UK GDPR and the Data Protection Act 2018)."
)

NOT_AGREED = "Not agreed"

_ACTION_RELATED = (
    "owner_agency",
    "owner_person",
    "meeting",
    "agenda_item__referral",
    "carried_from__meeting",
    "carried_from__agenda_item__referral",
)


def meeting_doc_for(
    *,
    meeting: Meeting,
    version: str = "Draft",
    approved_on: date | None = None,
    today: date | None = None,
) -> doc_model.MeetingDoc:
    """The minutes of a meeting as its record stands: attendance, quorum, each case listed
    and not withdrawn (in agenda order) with its agency updates and the actions agreed on it,
    and the actions carried into the meeting from the last one. Cancelled actions are left
    out. `today` (default: today) is the day actions' days overdue and RAG are counted on.
    """
    today = today or timezone.localdate()
    panel = meeting.panel
    meeting_day = timezone.localdate(meeting.starts_at)
    quorum = meeting_quorum(meeting=meeting)

    items = list(
        agenda(meeting=meeting)
        .filter(kind=AgendaItemKind.CASE)
        .select_related("referral__child")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=AgencyUpdate.objects.select_related("agency").order_by(
                    "agency__name", "pk"
                ),
            ),
            Prefetch(
                "referral__household_members",
                queryset=HouseholdMember.objects.filter(removed_at__isnull=True).order_by("pk"),
            ),
        )
    )
    agreed: dict[int, list[Action]] = {}
    carried: list[Action] = []
    others: list[Action] = []  # agreed on a standard item: about no child
    for action in (
        Action.objects.filter(meeting=meeting)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related(*_ACTION_RELATED)
        .order_by("created_at", "pk")
    ):
        if action.carried_from_id:
            carried.append(action)
        elif action.agenda_item.kind != AgendaItemKind.CASE:
            others.append(action)
        else:
            agreed.setdefault(action.agenda_item_id, []).append(action)
    carried.sort(key=lambda a: (a.due_date, a.pk))

    return doc_model.MeetingDoc(
        panel_name=panel.name,
        meeting_date=meeting_day,
        place=meeting.place or ("Video call" if meeting.video_link else ""),
        chair=_chair_name(panel),
        version=version,
        approved_on=approved_on,
        confidentiality_statement=CONFIDENTIALITY_STATEMENT,
        attendance=tuple(_attendance(meeting)),
        quorum_met=quorum.met,
        quorum_missing=tuple(quorum.missing),
        items=tuple(_case_item(item, agreed.get(item.pk, []), today=today) for item in items),
        carried_forward=tuple(_action_doc(action, today=today) for action in carried),
        other_actions=tuple(_action_doc(action, today=today) for action in others),
        themes=tuple(
            doc_model.ThemeItem(title=item.title, discussion=item.notes, decision=item.decision)
            for item in meeting.agenda_items.filter(
                kind=AgendaItemKind.THEME, withdrawn_at__isnull=True
            )
            .select_related("subject")
            .order_by("position", "pk")
        ),
        next_meeting=_next_meeting_day(meeting, meeting_day),
    )


def action_log_doc_for(*, panel: Panel, today: date | None = None) -> doc_model.ActionLogDoc:
    """Every incomplete action (open or in progress) of every meeting of the panel, with its
    working days overdue and RAG on `today` (default: today)."""
    today = today or timezone.localdate()
    actions = (
        Action.objects.filter(meeting__panel=panel, status__in=INCOMPLETE_ACTION_STATUSES)
        .select_related(*_ACTION_RELATED)
        .order_by("due_date", "pk")
    )
    return doc_model.ActionLogDoc(
        panel_name=panel.name,
        generated_on=today,
        actions=tuple(_action_doc(action, today=today) for action in actions),
    )


def agencies_with_actions(*, doc: doc_model.MeetingDoc) -> list[Agency]:
    """The agencies owning an action the minutes list (agreed on a case or a standard item,
    or carried forward), by name: one agency extract each. Read from the document, so an
    approved version's extracts follow what was approved, not the record as it is now."""
    names = {
        action.owner_agency
        for actions in (doc.carried_forward, doc.other_actions, *(i.actions for i in doc.items))
        for action in actions
    }
    return list(Agency.objects.filter(name__in=names).order_by("name"))


def action_rag(action: Action, *, today: date) -> doc_model.Rag:
    """Red when overdue by a working day or more; amber when due within
    settings.ACTION_DUE_SOON_WORKING_DAYS working days (or due and not yet a working day
    late); green otherwise, and for an action that is done, carried or cancelled."""
    if not action.is_incomplete:
        return doc_model.Rag.GREEN
    if action.days_overdue(today) > 0:
        return doc_model.Rag.RED
    if working_days_between(today, action.due_date) <= settings.ACTION_DUE_SOON_WORKING_DAYS:
        return doc_model.Rag.AMBER
    return doc_model.Rag.GREEN


# --- Parts ------------------------------------------------------------------------------------


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _chair_name(panel: Panel) -> str:
    seat = (
        PanelMembership.objects.active()
        .filter(panel=panel, role=PanelRole.CHAIR)
        .select_related("user")
        .order_by("started_at", "pk")
        .first()
    )
    return _name(seat.user) if seat else ""


def _attendance(meeting: Meeting) -> list[doc_model.Attendee]:
    """Who came and who did not: the attendance recorded, then each person invited with no
    attendance recorded: absent, or giving apologies when someone deputised for them."""
    rows = list(
        Attendance.objects.filter(meeting=meeting).select_related("user", "agency", "deputy_for")
    )
    recorded = {row.user_id for row in rows}
    deputised = {
        row.deputy_for_id for row in rows if row.deputy_for_id and row.status in PRESENT_STATUSES
    }
    people = [_attendee(row) for row in rows]
    invited = (
        MeetingInvitation.objects.live()
        .filter(meeting=meeting)
        .exclude(user_id__in=recorded)
        .select_related("user", "agency")
    )
    for invitation in invited:
        status = (
            doc_model.AttendanceStatus.APOLOGIES
            if invitation.user_id in deputised
            else doc_model.AttendanceStatus.ABSENT
        )
        people.append(doc_model.Attendee(_name(invitation.user), invitation.agency.name, status))
    people.sort(key=lambda a: (a.agency.casefold(), a.person.casefold()))
    return people


def _attendee(row: Attendance) -> doc_model.Attendee:
    came = row.status in PRESENT_STATUSES
    note = ""
    if row.status == RecordedAttendance.ARRIVED_LATE and row.arrived_at:
        note = f"arrived {timezone.localtime(row.arrived_at):%H:%M}"
    if came and row.deputy_for_id:
        return doc_model.Attendee(
            _name(row.user),
            row.agency.name,
            doc_model.AttendanceStatus.DEPUTY,
            deputy_for=_name(row.deputy_for),
            note=note,
        )
    return doc_model.Attendee(
        _name(row.user), row.agency.name, doc_model.AttendanceStatus(row.status), note=note
    )


def _case_item(item, actions: list[Action], *, today: date) -> doc_model.CaseItem:
    referral = item.referral
    child = referral.child
    return doc_model.CaseItem(
        reference=referral.reference,
        initials=_dotted(child.initials),
        child_name=" ".join(f"{child.first_name} {child.last_name}".split()),
        date_of_birth=child.date_of_birth,
        address=_address(child.address, child.postcode),
        school=child.school,
        summary=referral.concern,
        risk_level=item.get_risk_level_display() if item.risk_level else NOT_AGREED,
        decision=item.decision,
        household=tuple(
            member.full_name
            for member in referral.household_members.all()
            if member.full_name.strip()
        ),
        aliases=tuple(str(alias) for alias in (child.aliases or []) if str(alias).strip()),
        agency_updates=tuple(
            doc_model.AgencyUpdate(
                agency=update.agency.name,
                text=update.text,
                sensitivity=doc_model.Sensitivity(update.sensitivity),
            )
            for update in item.updates.all()
        ),
        discussion=item.notes,
        actions=tuple(_action_doc(action, today=today) for action in actions),
    )


def _action_doc(action: Action, *, today: date) -> doc_model.ActionDoc:
    """An action as the documents show it. One carried forward names the case and meeting of
    the action it was carried from when its own item is not the case's (the case is not on
    this agenda)."""
    referral = action.agenda_item.referral
    raised = action.meeting
    if action.carried_from_id:
        earlier = action.carried_from
        referral = referral or earlier.agenda_item.referral
        raised = earlier.meeting
    return doc_model.ActionDoc(
        text=action.text,
        owner_agency=action.owner_agency.name,
        owner=_name(action.owner_person),
        due=action.due_date,
        status=ActionStatus(action.status).label,
        days_overdue=action.days_overdue(today),
        rag=action_rag(action, today=today),
        case_reference=referral.reference if referral else "",
        raised_on=timezone.localdate(raised.starts_at),
    )


def _next_meeting_day(meeting: Meeting, meeting_day: date) -> date | None:
    later = (
        Meeting.objects.filter(panel_id=meeting.panel_id, starts_at__gt=meeting.starts_at)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if later is not None:
        return timezone.localdate(later)
    cycle = meeting.panel.cycle_dates(after=meeting_day, count=1)
    return cycle[0] if cycle else None


def _address(address: str, postcode: str) -> str:
    lines = [" ".join(line.split()) for line in address.replace(",", "\n").splitlines()]
    parts = [line for line in lines if line]
    postcode = " ".join(postcode.split())
    if postcode and postcode.casefold() not in (part.casefold() for part in parts):
        parts.append(postcode)
    return ", ".join(parts)


def _dotted(initials: str) -> str:
    """Initials as the documents write them: ZQ becomes Z.Q."""
    return "".join(f"{letter}." for letter in initials if letter.strip())


# --- Where each document's web page is -------------------------------------------------------


def twin_url(path: str) -> str:
    """The full address printed on a PDF for its web page (`settings.SITE_URL`)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def approved_twin_path(*, meeting_id: int, number: int, kind: str, agency_id=None) -> str:
    """The web page of an approved document, addressed by the meeting and version number,
    which are known when the PDF is rendered (the version's row is not yet)."""
    if agency_id is not None:
        return reverse("documents:twin-extract", args=[meeting_id, number, agency_id])
    return reverse("documents:twin", args=[meeting_id, number, kind])


def approved_documents_address(*, meeting_id: int, number: int) -> str:
    """`MeetingDoc.document_address` of an approved version: its pages' folder, in full."""
    page = reverse("documents:twin", args=[meeting_id, number, "minutes"])
    return twin_url(page.rsplit("/", 1)[0] + "/")


def preview_documents_address(*, meeting_id: int) -> str:
    """`MeetingDoc.document_address` of a draft: the preview pages' folder, in full."""
    page = reverse("documents:twin-preview", args=[meeting_id, "minutes"])
    return twin_url(page.rsplit("/", 1)[0] + "/")


def preview_twin_path(*, meeting_id: int, kind: str) -> str:
    return reverse("documents:twin-preview", args=[meeting_id, kind])


def action_log_twin_path(*, panel_id: int) -> str:
    return reverse("documents:twin-action-log", args=[panel_id])
