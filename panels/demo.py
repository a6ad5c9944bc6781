"""Demo meetings in the fictional borough of Fenmarsh: the child exploitation and missing
panel's two closed meetings (attendance, updates, decisions, actions, some of them overdue),
its next meeting, invited and with its agenda ready to run, and the minutes of the two
closed meetings.

Runs after agencies.demo and referrals.demo (which create the panel, its seats and the next
meeting with two cases listed). Running it again changes nothing. Once missing.demo has
recorded the intelligence, the next meeting's agenda also takes a thematic item (seed_themes).

The minutes. Minutes are drafted only from a closed meeting, and the demo's next meeting
stays scheduled, so the panel has two closed meetings a fortnight apart on its cycle:

- the earlier meeting (four weeks before the next one, Kai's first discussion): its minutes
  went through the whole cycle (drafted, edited, submitted, returned by the chair with a
  comment, edited, submitted again, approved as version 1, corrected, approved as version
  2), so the board and the participants have approved PDFs;
- the last meeting (a fortnight before the next one): its minutes are drafted, edited once
  and submitted, waiting for the chair's approval: "the next meeting's draft".

A second closed meeting was added rather than closing the next one: the demo keeps a
meeting ready to run, and the two closed meetings sit on the panel's fortnightly cycle
(the earlier one's actions are all done, so the next meeting's carried actions are still
only the last meeting's). Every step goes through panels.minutes (the real PDFs, hashes,
history and notifications) as the panel's coordinator and chair, outside any transaction
(the services are durable); what the chair and the coordinator answered is marked read, so
only what still waits for them is unread. The board members of agencies.demo oversee the
panel and receive its board copies.

Inboxes. Each demo login some real event reaches has an unread notification true for them:
the next meeting's invitations, the last meeting's actions told to their owners (two of them
the referrers of the cases), the minutes' notifications, a request for information to the
primary school's lead, and the clock and action reminders seed_demo runs. No event reaches
the referrers whose referrals are on no panel, the MASH chair (that panel has no meetings),
the quality auditors, the data protection officers or the system administrator: they have
none.
"""

from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

import access
from agencies.demo import PEOPLE
from agencies.models import Agency, AgencyType, Role
from intelligence.models import Subject
from notifications import services as notification_services
from notifications.models import Notification, NotificationKind
from panels import minutes as minutes_services
from panels import services
from panels.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgencyUpdate,
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingInvitation,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Panel,
    PanelOversight,
    RiskLevel,
)
from referrals import intake
from referrals.models import ContributionRequest, Referral

PANEL = "Fenmarsh Child Exploitation and Missing Panel"
PLACE = "Fenmarsh Civic Centre, Room 2, and video link"
COORDINATOR, CHAIR = "maya.lindqvist", "alan.brightwater"

# --- The earlier meeting: Kai's first discussion ----------------------------------------------

# username -> attendance (deputy_for: username)
EARLIER_ATTENDANCE = [
    ("alan.brightwater", AttendanceStatus.PRESENT, None),
    ("maya.lindqvist", AttendanceStatus.PRESENT, None),
    ("sam.whitlock", AttendanceStatus.PRESENT, None),
    ("grace.adebayo", AttendanceStatus.PRESENT, None),
    ("helen.marsh", AttendanceStatus.PRESENT, None),
    ("ruth.kellaway", AttendanceStatus.PRESENT, None),
    ("lewis.tran", AttendanceStatus.APOLOGIES, None),
]

# reference, risk, decision as typed in the room, notes, {agency name: update}
EARLIER_CASES = [
    (
        "FEN-2026-0001",
        RiskLevel.HIGH,
        "NRM referral. Strategy discussion. Vehicle checks. Health to check A&E.",
        "First discussion of Kai at the panel. Missing twice since September and found both "
        "times in the same car with two adult males outside the town. His mother is worried "
        "and is working with children's social care.",
        {
            "Fenmarsh Constabulary": "Two missing-person reports; found both times in the same vehicle with two adult males.",
            "Fenmarsh Council Children's Social Care": "Assessment started; mother engaging and asking for help.",
            "Willowmere Academy": "Off school for several days after each missing episode; a new phone and clothes noticed.",
        },
    ),
]

# reference, text, owner agency, owner username, due (days from the meeting), status
# fmt: off
EARLIER_ACTIONS = [
    ("FEN-2026-0001", "Refer Kai to the National Referral Mechanism", "Fenmarsh Council Children's Social Care", "ruth.kellaway", 5, ActionStatus.DONE),
    ("FEN-2026-0001", "Run the vehicle's registration through police intelligence", "Fenmarsh Constabulary", "sam.whitlock", 3, ActionStatus.DONE),
    ("FEN-2026-0001", "Check A&E and GP records for injuries since the summer", "Fenmarsh Community Health NHS Trust", "grace.adebayo", 7, ActionStatus.DONE),
    ("FEN-2026-0001", "Send Kai's attendance since September to the coordinator", "Willowmere Academy", "helen.marsh", 7, ActionStatus.DONE),
]
# fmt: on

# --- The last meeting -------------------------------------------------------------------------

LAST_ATTENDANCE = [
    ("alan.brightwater", AttendanceStatus.PRESENT, None),
    ("maya.lindqvist", AttendanceStatus.PRESENT, None),
    ("sam.whitlock", AttendanceStatus.PRESENT, None),
    ("grace.adebayo", AttendanceStatus.ARRIVED_LATE, None),
    ("helen.marsh", AttendanceStatus.PRESENT, None),
    ("ruth.kellaway", AttendanceStatus.APOLOGIES, None),
    ("lewis.tran", AttendanceStatus.PRESENT, None),
]

LAST_CASES = [
    (
        "FEN-2026-0001",
        RiskLevel.HIGH,
        "Strategy discussion to be held; disruption plan for the vehicle; return home interviews after every missing episode.",
        "Kai was missing three times this month, each time found out of area. Police intelligence was read to the panel and is not to be shared with the family.",
        {
            "Fenmarsh Constabulary": "Vehicle linked to a county lines group under investigation.",
            "Fenmarsh Community Health NHS Trust": "Two A&E attendances with minor injuries; explanations inconsistent.",
            "Fenmarsh Youth Justice Service": "Not known to youth justice.",
        },
    ),
    (
        "FEN-2026-0002",
        RiskLevel.MEDIUM,
        "Keep on the panel's list; school and health to share weekly; review at the next meeting.",
        "Ellie-Mae has asked that her mother is not told yet; the panel agreed the lawful basis for sharing without consent.",
        {
            "Willowmere Academy": "Attendance 60%; new phone and clothes; older boyfriend seen at the gates.",
            "Fenmarsh Constabulary": "No police record of the boyfriend yet.",
        },
    ),
]

# fmt: off
LAST_ACTIONS = [
    ("FEN-2026-0001", "Return home interview after each missing episode", "Fenmarsh Council Children's Social Care", "ruth.kellaway", 3, ActionStatus.OPEN),
    ("FEN-2026-0001", "Share the vehicle intelligence with the disruption team", "Fenmarsh Constabulary", "sam.whitlock", 5, ActionStatus.IN_PROGRESS),
    ("FEN-2026-0001", "Book a health assessment", "Fenmarsh Community Health NHS Trust", "grace.adebayo", 7, ActionStatus.DONE),
    ("FEN-2026-0001", "Flag Kai's home address so that any missing report is graded high risk", "Fenmarsh Constabulary", "dana.harlow", 10, ActionStatus.OPEN),
    ("FEN-2026-0002", "Weekly attendance figures to the coordinator", "Willowmere Academy", "helen.marsh", 21, ActionStatus.OPEN),
    ("FEN-2026-0002", "Name a trusted adult in school for Ellie-Mae and agree a daily check-in", "Willowmere Academy", "priya.okafor", 14, ActionStatus.OPEN),
    ("FEN-2026-0002", "Check the boyfriend's age and address", "Fenmarsh Constabulary", None, 4, ActionStatus.OPEN),
]
# fmt: on


def _next_meeting() -> Meeting | None:
    panel = Panel.objects.filter(name=PANEL).first()
    return (
        panel
        and panel.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at").first()
    )


# The closed meetings, by how many weeks before the next meeting they were held.
WEEKS_BEFORE = {"earlier_meeting": 4, "last_meeting": 2}


@transaction.atomic
def seed_meetings() -> dict:
    next_meeting = _next_meeting()
    if next_meeting is None:
        return {}
    panel = next_meeting.panel
    people = {user.username: user for user in get_user_model().objects.all()}
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    referrals = {r.reference: r for r in Referral.objects.filter(reference__startswith="FEN-")}
    maya = people[COORDINATOR]

    # Every other Tuesday at 10:00, counted from the next meeting's day.
    next_day = timezone.localdate(next_meeting.starts_at)
    if not panel.cycle_first_date:
        panel.quorum_agency_types = [
            AgencyType.POLICE,
            AgencyType.HEALTH,
            AgencyType.EDUCATION,
            AgencyType.CHILDRENS_SOCIAL_CARE,
        ]
        panel.cycle_weeks = 2
        panel.cycle_first_date = next_day
        panel.cycle_time = time(10, 0)
        panel.default_place = PLACE
        panel.save()

    seeded = {"people": people, "agencies": agencies, "referrals": referrals}
    earlier = _closed_meeting(
        panel,
        next_day - timedelta(weeks=WEEKS_BEFORE["earlier_meeting"]),
        attendance=EARLIER_ATTENDANCE,
        cases=EARLIER_CASES,
        actions=EARLIER_ACTIONS,
        **seeded,
    )
    last = _closed_meeting(
        panel,
        next_day - timedelta(weeks=WEEKS_BEFORE["last_meeting"]),
        attendance=LAST_ATTENDANCE,
        cases=LAST_CASES,
        actions=LAST_ACTIONS,
        tell_owners=True,
        **seeded,
    )
    services._invite_panel(actor=maya, meeting=next_meeting)
    # As scheduling a meeting does, each person invited is told (once).
    told = Notification.objects.filter(
        kind=NotificationKind.MEETING_INVITATION, link=f"/meetings/{next_meeting.pk}/"
    ).values("recipient_id")
    services._tell_invited(
        next_meeting,
        get_user_model().objects.filter(
            pk__in=next_meeting.invitations.live().exclude(user_id__in=told).values("user_id")
        ),
    )
    services._build_agenda(actor=maya, meeting=next_meeting)
    _oversee(panel)
    return {"earlier_meeting": earlier, "last_meeting": last, "next_meeting": next_meeting}


def _oversee(panel: Panel) -> None:
    """Each demo board member oversees the panel: they receive its approved board copies."""
    board = [
        person.username
        for person in PEOPLE
        if any(role == Role.BOARD_MEMBER for _key, role, _title in person.roles)
    ]
    for user in get_user_model().objects.filter(username__in=board):
        if not PanelOversight.objects.active().filter(panel=panel, user=user).exists():
            PanelOversight.objects.create(panel=panel, user=user)


def _closed_meeting(
    panel,
    day: date,
    *,
    people,
    agencies,
    referrals,
    attendance,
    cases,
    actions,
    tell_owners: bool = False,
) -> Meeting:
    """The panel's closed meeting on `day` as the room recorded it (made once). With
    `tell_owners`, each action's owner is told of it, as adding it in the room does."""
    starts = panel.cycle_start(day)
    existing = panel.meetings.filter(status=MeetingStatus.CLOSED, starts_at=starts).first()
    if existing is not None:
        return existing
    alan, maya = people[CHAIR], people[COORDINATOR]
    meeting = Meeting.objects.create(
        panel=panel,
        starts_at=starts,
        place=PLACE,
        status=MeetingStatus.CLOSED,
        started_at=starts + timedelta(minutes=2),
        closed_at=starts + timedelta(minutes=80),
        confidentiality_read_at=starts + timedelta(minutes=3),
        confidentiality_read_by=alan,
    )
    services._invite_panel(actor=maya, meeting=meeting)
    for invitation in MeetingInvitation.objects.filter(meeting=meeting):
        invitation.invited_at = starts - timedelta(days=7)
        invitation.save(update_fields=["invited_at"])
    for position, kind in enumerate(
        [AgendaItemKind.WELCOME, AgendaItemKind.APOLOGIES, AgendaItemKind.PREVIOUS_MINUTES], 1
    ):
        AgendaItem.objects.create(
            meeting=meeting, kind=kind, position=position, target_minutes=5, seconds_spent=240
        )
    items = {}
    for position, (reference, risk, decision, notes, updates) in enumerate(cases, 4):
        item = AgendaItem.objects.create(
            meeting=meeting,
            referral=referrals[reference],
            position=position,
            listed_at=starts - timedelta(days=5),
            seconds_spent=17 * 60 if position == 4 else 13 * 60,
            notes=notes,
            notes_version=1,
            notes_saved_by=maya,
            risk_level=risk,
            decision=decision,
            decision_version=1,
            decision_by=alan,
        )
        for agency_name, text in updates.items():
            AgencyUpdate.objects.create(
                item=item,
                agency=agencies[agency_name],
                text=text,
                recorded_by=maya,
                recorded_at=starts + timedelta(minutes=20),
            )
        items[reference] = item
    for username, status, deputy_for in attendance:
        invitation = MeetingInvitation.objects.get(meeting=meeting, user=people[username])
        Attendance.objects.create(
            meeting=meeting,
            user=people[username],
            agency=invitation.agency,
            status=status,
            deputy_for=people.get(deputy_for) if deputy_for else None,
            arrived_at=starts + timedelta(minutes=25)
            if status == AttendanceStatus.ARRIVED_LATE
            else None,
            recorded_by=maya,
            recorded_at=starts,
        )
    for reference, text, agency_name, username, due_in, status in actions:
        action = Action.objects.create(
            meeting=meeting,
            agenda_item=items[reference],
            text=text,
            owner_agency=agencies[agency_name],
            owner_person=people[username] if username else None,
            due_date=day + timedelta(days=due_in),
            status=status,
            created_by=maya,
            created_at=starts + timedelta(minutes=30),
        )
        if tell_owners:
            services.tell_action_owners(action)
        if status != ActionStatus.OPEN:
            # The action log shows who moved each action on, and when.
            ActionUpdate.objects.create(
                action=action,
                from_status=ActionStatus.OPEN,
                to_status=status,
                note="Recorded by the owner after the meeting.",
                by=people[username] if username else maya,
                at=starts + timedelta(days=3),
            )
    return meeting


# --- Minutes ----------------------------------------------------------------------------------

KAI, ELLIE = "FEN-2026-0001", "FEN-2026-0002"

# Each step makes one row of the minutes' history, so a run stopped half way carries on
# from where it stopped. ("edit", reference, the case's new decision)
EARLIER_MINUTES = [
    ("draft",),
    (
        "edit",
        KAI,
        "Refer Kai to the National Referral Mechanism. Hold a strategy discussion within five "
        "working days. Police to check the vehicle Kai was found in; health to check his A&E "
        "attendances.",
    ),
    ("submit",),
    (
        "return",
        "Please say who convenes the strategy discussion: the board copy should show who "
        "leads each part of the plan.",
    ),
    (
        "edit",
        KAI,
        "Refer Kai to the National Referral Mechanism. Children's social care to convene a "
        "strategy discussion within five working days. Police to check the vehicle Kai was "
        "found in; health to check his A&E attendances.",
    ),
    ("submit",),
    ("approve",),
    (
        "correct",
        "Due date misrecorded: the panel agreed the strategy discussion within three working "
        "days, not five (the chair's and the coordinator's notes agree).",
    ),
    (
        "edit",
        KAI,
        "Refer Kai to the National Referral Mechanism. Children's social care to convene a "
        "strategy discussion within three working days. Police to check the vehicle Kai was "
        "found in; health to check his A&E attendances.",
    ),
    ("submit",),
    ("approve",),
]

LAST_MINUTES = [
    ("draft",),
    (
        "edit",
        ELLIE,
        "Keep Ellie-Mae on the panel's list. Willowmere Academy and the health trust to share "
        "what they know with the coordinator weekly; review at the next meeting.",
    ),
    ("submit",),
]


def seed_minutes() -> dict:
    """The earlier meeting's minutes approved (version 1, then a corrected version 2); the
    last meeting's submitted to the chair. Call outside any transaction."""
    seeded = {}
    for key, script in (("earlier_meeting", EARLIER_MINUTES), ("last_meeting", LAST_MINUTES)):
        meeting = _closed_meeting_of(key)
        if meeting is not None:
            seeded[key] = _play(meeting, script)
    return seeded


def _closed_meeting_of(key: str) -> Meeting | None:
    next_meeting = _next_meeting()
    if next_meeting is None:
        return None
    panel = next_meeting.panel
    day = timezone.localdate(next_meeting.starts_at) - timedelta(weeks=WEEKS_BEFORE[key])
    return panel.meetings.filter(
        status=MeetingStatus.CLOSED, starts_at=panel.cycle_start(day)
    ).first()


def _play(meeting: Meeting, script: list[tuple]) -> Minutes | None:
    User = get_user_model()
    maya, alan = User.objects.get(username=COORDINATOR), User.objects.get(username=CHAIR)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    done = minutes.history.count() if minutes else 0
    for step, *args in script[done:]:
        if step == "draft":
            minutes = minutes_services.minutes_draft(actor=maya, meeting=meeting)
        elif step == "edit":
            reference, decision = args
            item = next(i for i in minutes.content["items"] if i["reference"] == reference)
            minutes = minutes_services.minutes_edit_item(
                actor=maya,
                minutes=minutes,
                reference=reference,
                revision=minutes.revision,
                summary=item["summary"],
                discussion=item["discussion"],
                decision=decision,
                risk_level="",  # unchanged
                updates={},
            )
        elif step == "submit":
            minutes = minutes_services.minutes_submit(actor=maya, minutes=minutes)
        elif step == "return":
            minutes = minutes_services.minutes_return(actor=alan, minutes=minutes, comments=args[0])
        elif step == "approve":
            minutes_services.minutes_approve(
                actor=alan,
                minutes=minutes,
                revision=minutes.revision,
                confirmed_flags=minutes_services.redaction_flag_keys(minutes),
            )
        elif step == "correct":
            minutes = minutes_services.minutes_start_correction(
                actor=maya, minutes=minutes, reason=args[0]
            )
        minutes = Minutes.objects.get(pk=minutes.pk)
    if minutes is not None:
        _read_what_was_acted_on(minutes, chair=alan, coordinator=maya)
    return minutes


def _read_what_was_acted_on(minutes: Minutes, *, chair, coordinator) -> None:
    """The chair read each request for approval they answered, and the coordinator the
    return they acted on: only what is still waiting for them stays unread."""
    unread = Notification.objects.filter(
        link=f"/meetings/{minutes.meeting_id}/minutes/", read_at__isnull=True
    ).order_by("-created_at", "-pk")
    answered = list(
        unread.filter(recipient=chair, kind=NotificationKind.MINUTES_FOR_APPROVAL).values_list(
            "pk", flat=True
        )
    )
    if minutes.status == MinutesStatus.SUBMITTED:
        answered = answered[1:]  # the newest still waits for the chair
    acted_on = (
        []
        if minutes.status == MinutesStatus.RETURNED
        else list(
            unread.filter(
                recipient=coordinator, kind=NotificationKind.MINUTES_RETURNED
            ).values_list("pk", flat=True)
        )
    )
    for person, ids in ((chair, answered), (coordinator, acted_on)):
        if ids:
            notification_services.notifications_mark_read(user=person, ids=ids)


# --- A thematic item ------------------------------------------------------------------------------

# The exploitation panel's thematic part: the place police took to the panel (missing.demo
# records it and links it to three children) goes on the next meeting's agenda.
THEME = (
    "The Gull's Rest Hotel",
    "Kai, Zara and Ellie-Mae have each been found at or near the hotel this term: the panel "
    "to agree a licensing visit and a plan to disrupt the adults who meet children there.",
)


def seed_themes() -> None:
    """List one person, place, vehicle or account of concern on the next meeting's agenda,
    as the coordinator does on the agenda page (access.can_list_theme, the audit row, and
    the panel's members may read it from then on). Runs after missing.demo has recorded the
    intelligence; outside any transaction (the service is durable). Made once."""
    name, reason = THEME
    meeting = _next_meeting()
    subject = Subject.objects.filter(name=name).first()
    if meeting is None or subject is None:
        return
    if meeting.agenda_items.filter(subject=subject, withdrawn_at__isnull=True).exists():
        return
    services.agenda_item_add_theme(
        actor=get_user_model().objects.get(username=COORDINATOR),
        meeting=meeting,
        subject=subject,
        reason=reason,
    )


# --- A request for information ------------------------------------------------------------------

# Lily-Rose attends Alderbrook Primary School: the coordinator who screened her referral asks
# the school what it knows, and its lead is told.
SCHOOL_REQUEST = ("FEN-2026-0059", "Alderbrook Primary School")


def seed_requests() -> None:
    """Ask the demo's primary school for its information on one of its pupils' referrals,
    through the real service. Call outside any transaction."""
    reference, agency_name = SCHOOL_REQUEST
    referral = Referral.objects.filter(reference=reference).select_related("child").first()
    agency = Agency.objects.filter(name=agency_name).first()
    if referral is None or agency is None or referral.child.school != agency_name:
        return
    if ContributionRequest.objects.filter(referral=referral, agency=agency).exists():
        return
    screener = referral.transitions.filter(name="screen").select_related("actor").first()
    actor = screener.actor if screener else get_user_model().objects.get(username=COORDINATOR)
    if access.can_request_contributions(actor, referral):
        intake.contributions_request(actor=actor, referral=referral, agencies=[agency])
