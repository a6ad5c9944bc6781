"""The documents' view-models built from a meeting's record (panels/documents.py): what the
minutes say of attendance, each case and its actions, and that the board copy rendered from
them names no child."""

import io
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import Role
from panels import services
from panels.documents import (
    CONFIDENTIALITY_STATEMENT,
    action_log_doc_for,
    action_rag,
    agencies_with_actions,
    meeting_doc_for,
)
from panels.models import (
    Action,
    ActionStatus,
    AgencyUpdate,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    RiskLevel,
)
from panels.pdf import board_copy, render_agency_extract, render_board_copy, render_minutes
from panels.pdf.model import AttendanceStatus as DocAttendance
from panels.pdf.model import Rag, Sensitivity
from referrals.models import Child, HouseholdMember, Referral, ReferralState
from tests.factories import person
from tests.panels.pdf.conftest import page_texts, squashed

pytestmark = pytest.mark.django_db

PANEL_ONLY = "PANELONLY5521 intelligence about a vehicle"
NOT_FOR_FAMILY = "NOTFORFAMILY8830 concern about the stepfather"
# The first child's identity, as the record holds it: none of it may reach the board copy.
IDENTIFYING = (
    "Oriel",
    "Thackerby",
    "Zizzy",
    "Brindlecombe",
    "ZZ3 7QT",
    "Hollowmere",
    "Cressida",
    "Lorcan",
    "Vayle",
    "14/05/2012",
    "14 May 2012",
    "2012-05-14",
)


@dataclass
class Record:
    room: object
    meeting: Meeting
    today: date
    first: AgendaItem
    second: AgendaItem
    withdrawn: AgendaItem
    actions: dict[str, Action]


def referral_for(room, first, last, n, **child_fields):
    child = Child.objects.create(first_name=first, last_name=last, **child_fields)
    return Referral.objects.create(
        reference=f"DOC-{n:04d}",
        child=child,
        agency=room.agencies["police"],
        referrer=room.people["stranger"],
        state=ReferralState.LISTED_FOR_PANEL,
        concern=f"Concern about {first}.",
        submitted_at=timezone.now(),
    )


def add_action(item, text, agency, *, due, by, status=ActionStatus.OPEN, owner=None):
    return Action.objects.create(
        meeting=item.meeting,
        agenda_item=item,
        text=text,
        owner_agency=agency,
        owner_person=owner,
        due_date=due,
        status=status,
        created_by=by,
    )


def attend(room, who, agency, status, *, deputy_for=None, arrived_at=None):
    return Attendance.objects.create(
        meeting=room.meeting,
        user=who,
        agency=agency,
        status=status,
        deputy_for=deputy_for,
        arrived_at=arrived_at,
        recorded_by=room.people["coordinator"],
    )


def record_meeting(room) -> Record:
    """The room's meeting as recorded: identities, updates of every sensitivity, actions
    agreed, cancelled and carried in, a withdrawn case, attendance of every kind."""
    coordinator = room.people["coordinator"]
    police, school = room.agencies["police"], room.agencies["school"]
    meeting = room.meeting
    today = timezone.localdate(meeting.starts_at)

    first_referral, second_referral = room.referrals
    child = first_referral.child
    child.first_name, child.last_name = "Oriel", "Thackerby"
    child.date_of_birth = date(2012, 5, 14)
    child.address = "7 Brindlecombe Terrace\nFenmarsh"
    child.postcode = "ZZ3 7QT"
    child.school = "Hollowmere Academy"
    child.aliases = ["Zizzy"]
    child.save()
    first_referral.concern = (
        "Oriel (DOB 14/05/2012) has been missing three times from 7 Brindlecombe Terrace. "
        "Her mother Cressida Thackerby says Lorcan Vayle collects her from Hollowmere Academy."
    )
    first_referral.save(update_fields=["concern"])
    HouseholdMember.objects.create(
        child=child, referral=first_referral, full_name="Cressida Thackerby", relationship="Mother"
    )
    HouseholdMember.objects.create(
        child=child, referral=first_referral, full_name="Lorcan Vayle", relationship="Stepfather"
    )
    HouseholdMember.objects.create(
        child=child,
        referral=first_referral,
        full_name="Removed Person",
        relationship="Entered in error",
        removed_at=timezone.now(),
    )

    first, second = room.cases
    first.risk_level = RiskLevel.HIGH
    first.decision = "Strategy discussion for Oriel within two working days."
    first.notes = "Zizzy was seen with Lorcan near Brindlecombe Terrace."
    first.save()
    for agency, text, sensitivity in [
        (police, "Oriel was found in Fenmarsh town centre at 2am.", Sensitivity.NORMAL),
        (room.agencies["health"], PANEL_ONLY, Sensitivity.PANEL_ONLY),
        (room.agencies["csc"], NOT_FOR_FAMILY, Sensitivity.NOT_FOR_FAMILY),
    ]:
        AgencyUpdate.objects.create(
            item=first, agency=agency, text=text, sensitivity=sensitivity, recorded_by=coordinator
        )

    # A case listed and withdrawn, with an action: neither appears.
    withdrawn_referral = referral_for(room, "Wilhelmina", "Gone", 9)
    withdrawn = AgendaItem.objects.create(
        meeting=meeting, referral=withdrawn_referral, position=99, withdrawn_at=timezone.now()
    )
    add_action(withdrawn, "WITHDRAWN-ACTION", room.agencies["housing"], due=today, by=coordinator)

    # The last meeting, closed with actions left to do: carried into this one.
    last = Meeting.objects.create(
        panel=room.panel, starts_at=meeting.starts_at - timedelta(days=14), place="Room 1"
    )
    last_first = AgendaItem.objects.create(meeting=last, referral=first_referral, position=1)
    elsewhere = referral_for(room, "Jasper", "Elsewhere", 8)
    last_elsewhere = AgendaItem.objects.create(meeting=last, referral=elsewhere, position=2)
    add_action(
        last_first,
        "CARRIED-OVERDUE check school attendance",
        school,
        due=today - timedelta(days=10),
        by=coordinator,
    )
    add_action(
        last_elsewhere,
        "CARRIED-ELSEWHERE return home interview",
        police,
        due=today + timedelta(days=30),
        status=ActionStatus.IN_PROGRESS,
        by=coordinator,
    )
    add_action(
        last_first, "DONE-BEFORE", police, due=today, status=ActionStatus.DONE, by=coordinator
    )
    Meeting.objects.filter(pk=last.pk).update(status=MeetingStatus.CLOSED)
    services._build_agenda(actor=coordinator, meeting=meeting)
    carried = {a.text.split()[0]: a for a in Action.objects.filter(meeting=meeting)}

    actions = {
        "soon": add_action(
            first,
            "AGREED-SOON share the chronology",
            police,
            due=today,
            owner=room.people["police"],
            by=coordinator,
        ),
        "later": add_action(
            first,
            "AGREED-LATER refer to the youth service",
            school,
            due=today + timedelta(30),
            by=coordinator,
        ),
        "cancelled": add_action(
            first,
            "CANCELLED-ACTION visit",
            room.agencies["housing"],
            due=today,
            status=ActionStatus.CANCELLED,
            by=coordinator,
        ),
        "standard": add_action(
            room.item("welcome"),
            "STANDARD-ITEM-ACTION",
            room.agencies["housing"],
            due=today,
            by=coordinator,
        ),
        **carried,
    }

    deputy = person(
        Role.PANEL_MEMBER,
        school,
        username="doc_school_deputy",
        first_name="Dana",
        last_name="Deputy",
    )
    chair, police_person = room.people["chair"], room.people["police"]
    attend(room, chair, room.agencies["csc"], AttendanceStatus.PRESENT)
    arrived = timezone.make_aware(datetime.combine(today, time(10, 40)))
    attend(room, police_person, police, AttendanceStatus.ARRIVED_LATE, arrived_at=arrived)
    attend(room, room.people["health"], room.agencies["health"], AttendanceStatus.APOLOGIES)
    attend(room, deputy, school, AttendanceStatus.PRESENT, deputy_for=room.people["school"])
    attend(room, room.people["housing"], room.agencies["housing"], AttendanceStatus.PRESENT)
    return Record(
        room=room,
        meeting=meeting,
        today=today,
        first=first,
        second=second,
        withdrawn=withdrawn,
        actions=actions,
    )


@pytest.fixture
def record(room) -> Record:
    return record_meeting(room)


def full_name(user) -> str:
    return user.get_full_name()


# --- The meeting ------------------------------------------------------------------------------


def test_the_meeting_details_come_from_the_record(record):
    room = record.room

    doc = meeting_doc_for(meeting=record.meeting, today=record.today)

    assert doc.panel_name == "Room Exploitation Panel"
    assert doc.meeting_date == timezone.localdate(record.meeting.starts_at)
    assert doc.place == "Room 2"
    assert doc.chair == full_name(room.people["chair"])
    assert (doc.version, doc.approved_on, doc.is_approved) == ("Draft", None, False)
    assert doc.confidentiality_statement == CONFIDENTIALITY_STATEMENT
    assert "OFFICIAL-SENSITIVE" in CONFIDENTIALITY_STATEMENT
    assert doc.is_board_copy is False


def test_version_and_approval_are_the_callers(record):
    doc = meeting_doc_for(meeting=record.meeting, version="2", approved_on=date(2025, 3, 19))
    assert (doc.version, doc.approved_on) == ("2", date(2025, 3, 19))


def test_place_is_a_video_call_when_there_is_only_a_link_and_blank_with_neither(record):
    meeting = record.meeting
    meeting.place, meeting.video_link = "", "https://video.example.test/panel"
    assert meeting_doc_for(meeting=meeting).place == "Video call"
    meeting.video_link = ""
    assert meeting_doc_for(meeting=meeting).place == ""


def test_no_live_chair_seat_leaves_the_chair_blank(record):
    record.room.panel.memberships.filter(role="chair").update(ended_at=timezone.now())
    assert meeting_doc_for(meeting=record.meeting).chair == ""


def test_attendance_lists_everyone_recorded_and_invited_people_with_no_record(record):
    people = record.room.people

    doc = meeting_doc_for(meeting=record.meeting)

    by_person = {a.person: a for a in doc.attendance}
    assert by_person[full_name(people["chair"])].status is DocAttendance.PRESENT
    late = by_person[full_name(people["police"])]
    assert (late.status, late.note) == (DocAttendance.ARRIVED_LATE, "arrived 10:40")
    assert late.status_label == "Arrived late (arrived 10:40)"
    assert by_person[full_name(people["health"])].status is DocAttendance.APOLOGIES
    deputy = by_person["Dana Deputy"]
    assert (deputy.status, deputy.deputy_for) == (
        DocAttendance.DEPUTY,
        full_name(people["school"]),
    )
    assert deputy.agency == "Room School"
    # Invited, nothing recorded: absent; or apologies when someone deputised for them.
    assert by_person[full_name(people["coordinator"])].status is DocAttendance.ABSENT
    assert by_person[full_name(people["school"])].status is DocAttendance.APOLOGIES
    assert full_name(people["uninvited"]) not in by_person
    assert len(doc.attendance) == 7
    assert [a.agency for a in doc.attendance] == sorted(a.agency for a in doc.attendance)


def test_quorum_names_the_agency_types_missing(record):
    doc = meeting_doc_for(meeting=record.meeting)
    assert (doc.quorum_met, doc.quorum_missing) == (False, ("Health",))

    Attendance.objects.filter(user=record.room.people["health"]).update(
        status=AttendanceStatus.PRESENT
    )
    doc = meeting_doc_for(meeting=record.meeting)
    assert (doc.quorum_met, doc.quorum_missing) == (True, ())


def test_next_meeting_is_the_next_meeting_row_else_the_next_day_of_the_cycle(record):
    meeting, panel = record.meeting, record.room.panel
    day = timezone.localdate(meeting.starts_at)

    assert meeting_doc_for(meeting=meeting).next_meeting == panel.cycle_dates(after=day, count=1)[0]

    Meeting.objects.create(panel=panel, starts_at=meeting.starts_at + timedelta(days=9))
    assert meeting_doc_for(meeting=meeting).next_meeting == day + timedelta(days=9)

    panel.cycle_weeks = None
    panel.save(update_fields=["cycle_weeks"])
    Meeting.objects.filter(starts_at__gt=meeting.starts_at).delete()
    assert meeting_doc_for(meeting=Meeting.objects.get(pk=meeting.pk)).next_meeting is None


# --- The cases --------------------------------------------------------------------------------


def test_each_live_case_in_agenda_order_with_the_childs_identity(record):
    doc = meeting_doc_for(meeting=record.meeting)

    assert [item.reference for item in doc.items] == ["ROOM-0001", "ROOM-0002"]
    first = doc.items[0]
    assert first.initials == "O.T."
    assert first.child_name == "Oriel Thackerby"
    assert first.date_of_birth == date(2012, 5, 14)
    assert first.address == "7 Brindlecombe Terrace, Fenmarsh, ZZ3 7QT"
    assert first.school == "Hollowmere Academy"
    assert first.household == ("Cressida Thackerby", "Lorcan Vayle")
    assert first.aliases == ("Zizzy",)
    assert first.summary.startswith("Oriel (DOB 14/05/2012)")
    assert first.risk_level == "High"
    assert first.decision == "Strategy discussion for Oriel within two working days."
    assert first.discussion == "Zizzy was seen with Lorcan near Brindlecombe Terrace."
    second = doc.items[1]
    assert (second.risk_level, second.date_of_birth, second.household) == ("Not agreed", None, ())
    assert (second.initials, second.address, second.school) == ("B.R.", "", "")


def test_agenda_order_follows_positions(record):
    AgendaItem.objects.filter(pk=record.first.pk).update(position=50)
    doc = meeting_doc_for(meeting=record.meeting)
    assert [item.reference for item in doc.items] == ["ROOM-0002", "ROOM-0001"]


def test_agency_updates_keep_their_sensitivity(record):
    updates = meeting_doc_for(meeting=record.meeting).items[0].agency_updates

    assert [(u.agency, u.sensitivity) for u in updates] == [
        ("Room CSC", Sensitivity.NOT_FOR_FAMILY),
        ("Room Health", Sensitivity.PANEL_ONLY),
        ("Room Police", Sensitivity.NORMAL),
    ]
    assert all(type(u.sensitivity) is Sensitivity for u in updates)


def test_actions_agreed_on_a_case_without_cancelled_or_withdrawn_ones(record):
    doc = meeting_doc_for(meeting=record.meeting, today=record.today)

    texts = [a.text for item in doc.items for a in item.actions]
    assert texts == ["AGREED-SOON share the chronology", "AGREED-LATER refer to the youth service"]
    soon, later = doc.items[0].actions
    assert soon.owner_agency == "Room Police"
    assert soon.owner == full_name(record.room.people["police"])
    assert (soon.due, soon.status, soon.days_overdue, soon.rag) == (
        record.today,
        "Open",
        0,
        Rag.AMBER,
    )
    assert (later.owner, later.rag, later.case_reference) == ("", Rag.GREEN, "ROOM-0001")
    assert soon.raised_on == record.today
    everything = texts + [a.text for a in doc.carried_forward]
    assert not any("CANCELLED" in t or "WITHDRAWN" in t for t in everything)


def test_actions_carried_in_from_the_last_meeting(record):
    doc = meeting_doc_for(meeting=record.meeting, today=record.today)

    overdue, elsewhere = doc.carried_forward
    assert overdue.text == "CARRIED-OVERDUE check school attendance"
    assert (overdue.case_reference, overdue.rag, overdue.status) == ("ROOM-0001", Rag.RED, "Open")
    assert overdue.days_overdue > 0
    assert overdue.raised_on == record.today - timedelta(days=14)
    # Its case is not on this agenda: the case is named from the action it was carried from.
    assert (elsewhere.case_reference, elsewhere.status) == ("DOC-0008", "In progress")
    assert elsewhere.rag is Rag.GREEN
    assert "DONE-BEFORE" not in [a.text for a in doc.carried_forward]


def test_a_carried_action_cancelled_at_the_meeting_is_left_out(record):
    Action.objects.filter(pk=record.actions["CARRIED-OVERDUE"].pk).update(
        status=ActionStatus.CANCELLED
    )
    doc = meeting_doc_for(meeting=record.meeting)
    assert [a.text.split()[0] for a in doc.carried_forward] == ["CARRIED-ELSEWHERE"]


def test_the_queries_do_not_grow_with_the_agenda(record, django_assert_max_num_queries):
    meeting = record.meeting
    with CaptureQueriesContext(connection) as small:
        meeting_doc_for(meeting=Meeting.objects.get(pk=meeting.pk))
    for n in range(10, 16):
        referral = referral_for(record.room, f"Extra{n}", "Child", n, school="Fen School")
        HouseholdMember.objects.create(
            child=referral.child, referral=referral, full_name=f"Parent {n}", relationship="Mum"
        )
        item = AgendaItem.objects.create(meeting=meeting, referral=referral, position=n)
        AgencyUpdate.objects.create(
            item=item,
            agency=record.room.agencies["police"],
            text="Known.",
            recorded_by=record.room.people["coordinator"],
        )
        for k in range(3):
            add_action(
                item,
                f"Extra {n}.{k}",
                record.room.agencies["school"],
                due=record.today,
                owner=record.room.people["school"],
                by=record.room.people["coordinator"],
            )

    with django_assert_max_num_queries(12):
        doc = meeting_doc_for(meeting=Meeting.objects.get(pk=meeting.pk))
    with CaptureQueriesContext(connection) as large:
        meeting_doc_for(meeting=Meeting.objects.get(pk=meeting.pk))

    assert len(doc.items) == 8
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Rendering ----------------------------------------------------------------------------------


def test_the_built_minutes_render_with_every_case_and_the_panel_only_update(record):
    doc = meeting_doc_for(meeting=record.meeting)

    pdf = render_minutes(doc)

    text = " ".join(page_texts(pdf))
    assert PdfReader(io.BytesIO(pdf)).pages
    assert "Oriel Thackerby" in text
    assert PANEL_ONLY in text
    assert NOT_FOR_FAMILY in text
    assert "Panel only" in text
    assert "CARRIED-OVERDUE" in text
    assert "STANDARD-ITEM-ACTION" in text  # agreed on the welcome item: about no child
    assert "WITHDRAWN-ACTION" not in text and "Wilhelmina" not in text
    assert "CANCELLED-ACTION" not in text


def test_the_board_copy_of_the_built_minutes_names_no_child_or_family(record):
    doc = meeting_doc_for(meeting=record.meeting)

    pdf = render_board_copy(doc)

    text = " ".join(page_texts(pdf))
    folded = squashed(text)
    leaked = [s for s in IDENTIFYING if squashed(s) in folded]
    assert leaked == []
    assert PANEL_ONLY not in text
    assert NOT_FOR_FAMILY not in text
    assert "ROOM-0001 (O.T.)" in text
    assert "Strategy discussion for O.T." in text
    board, _flags = board_copy(doc)
    assert board.items[0].child_name == ""


def test_an_agency_extract_renders_from_the_built_minutes(record):
    doc = meeting_doc_for(meeting=record.meeting)
    text = " ".join(page_texts(render_agency_extract(doc, "Room School")))
    assert "AGREED-LATER" in text
    assert "CARRIED-OVERDUE" in text
    assert "AGREED-SOON" not in text


def test_agencies_with_actions_are_the_owners_of_listed_actions(record):
    agencies = record.room.agencies

    found = agencies_with_actions(doc=meeting_doc_for(meeting=record.meeting))

    # Housing owns a cancelled action and one on a withdrawn case (neither listed) and one
    # on a standard item (listed).
    assert found == [agencies["housing"], agencies["police"], agencies["school"]]


# --- RAG and the action log --------------------------------------------------------------------

WEDNESDAY = date(2025, 3, 12)


@pytest.mark.parametrize(
    ("due", "status", "rag"),
    [
        (date(2025, 3, 11), ActionStatus.OPEN, Rag.RED),  # a working day late
        (date(2025, 3, 12), ActionStatus.IN_PROGRESS, Rag.AMBER),  # due today
        (date(2025, 3, 14), ActionStatus.OPEN, Rag.AMBER),  # two working days
        (date(2025, 3, 17), ActionStatus.OPEN, Rag.GREEN),  # three, over the weekend
        (date(2025, 1, 2), ActionStatus.DONE, Rag.GREEN),  # finished: never late
        (date(2025, 1, 2), ActionStatus.CARRIED_FORWARD, Rag.GREEN),
    ],
)
def test_rag_of_an_action(due, status, rag, settings):
    settings.ACTION_DUE_SOON_WORKING_DAYS = 2
    assert action_rag(Action(due_date=due, status=status), today=WEDNESDAY) is rag


def test_rag_follows_the_due_soon_setting(settings):
    action = Action(due_date=date(2025, 3, 17), status=ActionStatus.OPEN)
    settings.ACTION_DUE_SOON_WORKING_DAYS = 3
    assert action_rag(action, today=WEDNESDAY) is Rag.AMBER
    settings.ACTION_DUE_SOON_WORKING_DAYS = 0
    assert action_rag(Action(due_date=WEDNESDAY, status="open"), today=WEDNESDAY) is Rag.AMBER
    assert action_rag(Action(due_date=date(2025, 3, 13), status="open"), today=WEDNESDAY) is (
        Rag.GREEN
    )


def test_a_saturday_after_a_friday_deadline_is_not_yet_red():
    action = Action(due_date=date(2025, 3, 14), status=ActionStatus.OPEN)
    assert action_rag(action, today=date(2025, 3, 15)) is Rag.AMBER
    assert action_rag(action, today=date(2025, 3, 17)) is Rag.RED


def test_the_action_log_has_every_incomplete_action_of_the_panel(record):
    log = action_log_doc_for(panel=record.room.panel, today=record.today)

    assert log.panel_name == "Room Exploitation Panel"
    assert log.generated_on == record.today
    texts = sorted(a.text.split()[0] for a in log.actions)
    # Originals carried forward, done and cancelled ones are not incomplete.
    assert texts == [
        "AGREED-LATER",
        "AGREED-SOON",
        "CARRIED-ELSEWHERE",
        "CARRIED-OVERDUE",
        "STANDARD-ITEM-ACTION",
        "WITHDRAWN-ACTION",
    ]
    overdue = next(a for a in log.actions if a.text.startswith("CARRIED-OVERDUE"))
    assert (overdue.rag, overdue.case_reference) == (Rag.RED, "ROOM-0001")
    assert overdue.days_overdue > 0


def test_the_action_log_of_another_panel_is_empty_and_renders(record, django_assert_num_queries):
    from panels.models import Panel
    from panels.pdf import render_action_log

    other = Panel.objects.create(name="Other Panel", kind="marac")
    with django_assert_num_queries(1):
        log = action_log_doc_for(panel=other)
    assert log.actions == ()
    assert render_action_log(log).startswith(b"%PDF")
    assert render_action_log(action_log_doc_for(panel=record.room.panel)).startswith(b"%PDF")


def test_an_action_on_a_standard_item_is_in_its_agencys_extract_and_redacted_for_the_board(
    record,
):
    doc = meeting_doc_for(meeting=record.meeting)
    doc = replace(
        doc,
        other_actions=tuple(
            replace(action, text=f"{action.text} with Oriel Thackerby")
            for action in doc.other_actions
        ),
    )

    extract = " ".join(page_texts(render_agency_extract(doc, "Room Housing")))
    board = " ".join(page_texts(render_board_copy(doc)))

    assert "STANDARD-ITEM-ACTION" in extract and "No case" in extract
    assert "STANDARD-ITEM-ACTION" in board
    assert "Thackerby" not in board
