"""Demo meetings in the fictional borough of Fenmarsh: the child exploitation and missing
panel's closed last meeting (attendance, updates, decisions, actions, some of them overdue)
and its next meeting, invited and with its agenda ready to run.

Runs after agencies.demo and referrals.demo (which create the panel, its seats and the next
meeting with two cases listed). Running it again changes nothing.
"""

from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyType
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
    Panel,
    RiskLevel,
)
from referrals.models import Referral

PANEL = "Fenmarsh Child Exploitation and Missing Panel"
PLACE = "Fenmarsh Civic Centre, Room 2, and video link"

# username -> attendance at the last meeting (deputy_for: username)
LAST_ATTENDANCE = [
    ("alan.brightwater", AttendanceStatus.PRESENT, None),
    ("maya.lindqvist", AttendanceStatus.PRESENT, None),
    ("sam.whitlock", AttendanceStatus.PRESENT, None),
    ("grace.adebayo", AttendanceStatus.ARRIVED_LATE, None),
    ("helen.marsh", AttendanceStatus.PRESENT, None),
    ("ruth.kellaway", AttendanceStatus.APOLOGIES, None),
    ("lewis.tran", AttendanceStatus.PRESENT, None),
]

# reference, risk, decision, notes, {agency name: update}
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

# reference, text, owner agency, owner username, due (days from the last meeting), status
# fmt: off
LAST_ACTIONS = [
    ("FEN-2026-0001", "Return home interview after each missing episode", "Fenmarsh Council Children's Social Care", "ruth.kellaway", 3, ActionStatus.OPEN),
    ("FEN-2026-0001", "Share the vehicle intelligence with the disruption team", "Fenmarsh Constabulary", "sam.whitlock", 5, ActionStatus.IN_PROGRESS),
    ("FEN-2026-0001", "Book a health assessment", "Fenmarsh Community Health NHS Trust", "grace.adebayo", 7, ActionStatus.DONE),
    ("FEN-2026-0002", "Weekly attendance figures to the coordinator", "Willowmere Academy", "helen.marsh", 21, ActionStatus.OPEN),
    ("FEN-2026-0002", "Check the boyfriend's age and address", "Fenmarsh Constabulary", None, 4, ActionStatus.OPEN),
]
# fmt: on


@transaction.atomic
def seed_meetings() -> dict:
    panel = Panel.objects.filter(name=PANEL).first()
    next_meeting = (
        panel
        and panel.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at").first()
    )
    if next_meeting is None:
        return {}
    people = {user.username: user for user in get_user_model().objects.all()}
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    referrals = {r.reference: r for r in Referral.objects.filter(reference__startswith="FEN-")}
    maya = people["maya.lindqvist"]

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

    last = _last_meeting(panel, next_day - timedelta(weeks=2), people, agencies, referrals)
    services._invite_panel(actor=maya, meeting=next_meeting)
    services._build_agenda(actor=maya, meeting=next_meeting)
    return {"last_meeting": last, "next_meeting": next_meeting}


def _last_meeting(panel, day: date, people, agencies, referrals) -> Meeting:
    existing = panel.meetings.filter(status=MeetingStatus.CLOSED).first()
    if existing is not None:
        return existing
    starts = panel.cycle_start(day)
    alan, maya = people["alan.brightwater"], people["maya.lindqvist"]
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
    for position, (reference, risk, decision, notes, updates) in enumerate(LAST_CASES, 4):
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
    for username, status, deputy_for in LAST_ATTENDANCE:
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
    for reference, text, agency_name, username, due_in, status in LAST_ACTIONS:
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
