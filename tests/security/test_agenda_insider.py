"""Insiders with a valid login try to list on a meeting's agenda (panels/agenda_urls.py) what
their seat does not allow, on every door: the page (what it offers), its POST, and the
services the page calls (panels.services.agenda_item_add_case and agenda_item_add_theme).
Each refusal writes nothing: no agenda item, no meeting event, no audit row of a listing and
no access grant (a case listed opens it to the panel's members; a theme listed takes its
subject to the panel). Each refusal is checked against the same door opened by the person
who has the right, so a door left open would fail the test.

The world is tests/panels' room (an exploitation panel whose scheduled meeting has ROOM-0001
and ROOM-0002 on its agenda; chair and coordinator from children's social care, members of
police, health and school) with, around it: a case waiting for panel (police's, which the
chair may not read and the coordinator may), a draft and a closed case; a MARAC the room's
coordinator also coordinates, with a coordinator of its own; a third panel where the room's
coordinator only sits; and records of concern held by the coordinator's agency and by
police."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

import access
from agencies.models import AuditAction, AuditEvent, Role
from intelligence.models import Link, Sensitivity, Subject, SubjectDiscussion, SubjectKind
from panels import services
from panels.models import AgendaItem, Meeting, MeetingEvent, MeetingStatus, Panel, PanelKind
from referrals.models import Child, Referral, ReferralState
from tests.factories import person
from tests.panels.conftest import Room, build_room, seat
from tests.security.test_two_factor_doors import password_only, sent_to_the_second_factor

pytestmark = pytest.mark.django_db

REFUSED_BY_THE_SERVICE = (services.MeetingError, access.ForbiddenForUser, access.NotFoundForUser)


@dataclass
class Ward:
    room: Room
    people: dict
    referrals: dict[str, Referral]
    subjects: dict[str, Subject]
    marac: Panel
    marac_meeting: Meeting
    sitting_panel: Panel


def _referral(room, reference, first, state, **more) -> Referral:
    return Referral.objects.create(
        reference=reference,
        child=Child.objects.create(first_name=first, last_name="Agendatest"),
        agency=more.pop("agency", room.agencies["police"]),
        referrer=more.pop("referrer", room.people["stranger"]),
        hub=room.panel,
        state=state,
        concern="Seen with older males at the station.",
        submitted_at=None if state == ReferralState.DRAFT else timezone.now(),
        **more,
    )


def _subject(kind, name, agency, by, **more) -> Subject:
    return Subject.objects.create(
        kind=kind, name=name, holding_agency=agency, created_by=by, **more
    )


@pytest.fixture
def ward(db) -> Ward:
    room = build_room()
    police, csc = room.agencies["police"], room.agencies["csc"]
    coordinator = room.people["coordinator"]
    referrals = {
        # Police's, listed for panel, on no agenda: the chair may not read it, the
        # coordinator (who reads every case that is not a draft) may.
        "waiting": _referral(room, "WARD-WAIT", "Wren", ReferralState.LISTED_FOR_PANEL),
        "draft": _referral(room, "WARD-DRAFT", "Dara", ReferralState.DRAFT),
        "own draft": _referral(
            room, "WARD-OWN", "Odin", ReferralState.DRAFT, agency=csc, referrer=coordinator
        ),
        "closed": _referral(
            room,
            "WARD-SHUT",
            "Cleo",
            ReferralState.CLOSED,
            closed_at=timezone.now() - timedelta(days=400),
        ),
    }
    officer = room.people["police"]
    subjects = {
        # The coordinator's agency holds it: theirs to take to a panel.
        "held": _subject(SubjectKind.PLACE, "Quayside Snooker Hall", csc, coordinator),
        # Police intelligence, discussed nowhere: the coordinator may not even read it.
        "police": _subject(SubjectKind.PERSON, "Jory Vantrell", police, officer),
        # Police's, shared with partners and linked to a child the coordinator may see: read,
        # never taken to a panel by them.
        "partners": _subject(
            SubjectKind.VEHICLE,
            "FN71 WQX",
            police,
            officer,
            sensitivity=Sensitivity.PARTNERS,
        ),
        # Police's, discussed at a panel where the coordinator only sits.
        "sat on": _subject(SubjectKind.ONLINE_ACCOUNT, "@harbour_lights_99", police, officer),
    }
    Link.objects.create(
        subject=subjects["partners"],
        child=referrals["waiting"].child,
        referral=referrals["waiting"],
        nature="seen in",
        source="police",
        recorded_by=officer,
    )
    marac = Panel.objects.create(name="Ward MARAC", kind=PanelKind.MARAC)
    marac.member_agencies.add(police, csc)
    sitting_panel = Panel.objects.create(name="Ward Other Panel", kind=PanelKind.EXPLOITATION)
    sitting_panel.member_agencies.add(police, csc)
    people = dict(room.people)
    people["marac_coordinator"] = person(Role.PANEL_COORDINATOR, csc, username="ward_marac_co")
    # A board member and a quality auditor given the room's chair: they may follow, never run.
    people["board_chair"] = person(Role.BOARD_MEMBER, csc, username="ward_board_chair")
    people["auditor_chair"] = person(Role.QUALITY_AUDITOR, csc, username="ward_auditor_chair")
    # A coordinator whose seat on the room's panel has ended, and one whose seat is still
    # open but who no longer acts for the council.
    people["former_coordinator"] = person(Role.PANEL_COORDINATOR, csc, username="ward_former")
    people["departed_coordinator"] = person(Role.PANEL_COORDINATOR, csc, username="ward_gone")
    seat(marac, coordinator, csc, "coordinator")
    seat(marac, people["marac_coordinator"], csc, "coordinator")
    seat(sitting_panel, coordinator, csc, "member")
    seat(sitting_panel, officer, police, "chair")
    seat(room.panel, people["board_chair"], csc, "chair")
    seat(room.panel, people["auditor_chair"], csc, "chair")
    ended = seat(room.panel, people["former_coordinator"], csc, "coordinator")
    ended.ended_at = timezone.now() - timedelta(days=1)
    ended.save(update_fields=["ended_at"])
    seat(room.panel, people["departed_coordinator"], csc, "coordinator")
    people["departed_coordinator"].memberships.update(ended_at=timezone.now() - timedelta(days=1))
    SubjectDiscussion.objects.create(
        subject=subjects["sat on"], panel=sitting_panel, listed_by=officer
    )
    marac_meeting = Meeting.objects.create(
        panel=marac, starts_at=timezone.now() + timedelta(days=2), place="Room 4"
    )
    return Ward(room, people, referrals, subjects, marac, marac_meeting, sitting_panel)


# --- Helpers ----------------------------------------------------------------------------------


def page_of(meeting) -> str:
    return f"/meetings/{meeting.pk if isinstance(meeting, Meeting) else meeting}/agenda/add/"


def written() -> dict:
    """What a listing writes, counted: agenda items, meeting events, subjects taken to a
    panel, and audit rows of a change (a refusal may leave its own row, of reading or of
    being refused; never one of these)."""
    return {
        "agenda items": AgendaItem.objects.count(),
        "meeting events": MeetingEvent.objects.count(),
        "subjects taken to a panel": SubjectDiscussion.objects.count(),
        "audit rows of a change": AuditEvent.objects.filter(
            action__in=[AuditAction.CHANGED, AuditAction.CREATED, AuditAction.SHARED]
        ).count(),
    }


def service_answer(call) -> str:
    """The name of the refusal a service call raised, or "listed"."""
    try:
        call()
    except REFUSED_BY_THE_SERVICE as refusal:
        return type(refusal).__name__
    return "listed"


def list_case(actor, meeting, referral) -> str:
    return service_answer(
        lambda: services.agenda_item_add_case(actor=actor, meeting=meeting, referral=referral)
    )


def list_theme(actor, meeting, subject) -> str:
    return service_answer(
        lambda: services.agenda_item_add_theme(
            actor=actor, meeting=meeting, subject=subject, reason="Seen with children."
        )
    )


def post_case(client, meeting, referral):
    return client.post(page_of(meeting), {"what": "case", "case-referral": referral.pk})


def post_theme(client, meeting, subject_pk):
    return client.post(
        page_of(meeting),
        {"what": "theme", "theme-subject": subject_pk, "theme-reason": "Seen with children."},
    )


# --- A case the runner may not list -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "case"),
    [
        ("chair", "waiting"),  # another agency's case, on none of the chair's agendas
        ("coordinator", "draft"),  # someone else's draft
        ("coordinator", "own draft"),  # their own draft: read, never listed
        ("coordinator", "closed"),
        ("chair", "closed"),
    ],
)
def test_a_runner_cannot_list_a_case_they_may_not_read_or_that_is_not_waiting_for_panel(
    client, ward, who, case
):
    actor, meeting, referral = ward.people[who], ward.room.meeting, ward.referrals[case]
    before = written()
    client.force_login(actor)

    shown = client.get(page_of(meeting))
    posted = post_case(client, meeting, referral)
    service = list_case(actor, meeting, referral)

    assert shown.status_code == 200
    assert referral.reference not in shown.content.decode()
    assert posted.status_code == 400
    assert "That case cannot be listed on this agenda" in posted.content.decode()
    assert referral.reference not in posted.content.decode()
    assert service == "MeetingError"
    assert not access.can_list_case(actor, meeting, referral)
    assert written() == before
    assert not AgendaItem.objects.filter(referral=referral).exists()


def test_the_coordinator_lists_the_case_the_chair_may_not_read(client, ward):
    """The door of the test above, opened by the person who may read the case."""
    client.force_login(ward.people["coordinator"])

    response = post_case(client, ward.room.meeting, ward.referrals["waiting"])

    assert response.status_code == 302
    assert AgendaItem.objects.filter(referral=ward.referrals["waiting"]).exists()


# --- A meeting they do not run, or cannot see -------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "marac_coordinator",
        "former_coordinator",
        "departed_coordinator",
        "uninvited",
        "housing",
        "stranger",
    ],
)
def test_someone_who_cannot_see_the_meeting_gets_the_404_of_a_missing_one_and_lists_nothing(
    client, ward, who
):
    """A coordinator of another panel (or one whose seat has ended) reads every case that is
    not a draft, and their agency holds the place: only the meeting's panel is not theirs. One
    who has left the council keeps a seat that gives nothing. A member not invited, one
    sitting for an agency not on the panel, and a referrer without a seat do not see the
    meeting either."""
    actor, meeting = ward.people[who], ward.room.meeting
    referral, subject = ward.referrals["waiting"], ward.subjects["held"]
    if who in ("marac_coordinator", "former_coordinator"):
        assert access.can_view_referral(actor, referral)
    before = written()
    client.force_login(actor)

    answers = {
        "page": client.get(page_of(meeting)).status_code,
        "missing page": client.get(page_of(meeting.pk + 999)).status_code,
        "case": post_case(client, meeting, referral).status_code,
        "theme": post_theme(client, meeting, subject.pk).status_code,
        "missing meeting": post_case(client, meeting.pk + 999, referral).status_code,
        "not a number": client.get("/meetings/abc/agenda/add/").status_code,
    }

    assert answers == dict.fromkeys(answers, 404)
    assert list_case(actor, meeting, referral) == "ForbiddenForUser"
    assert list_theme(actor, meeting, subject) == "ForbiddenForUser"
    assert not access.can_list_case(actor, meeting, referral)
    assert not access.can_list_theme(actor, meeting, subject)
    assert written() == before


@pytest.mark.parametrize("who", ["police", "health", "school", "board_chair", "auditor_chair"])
def test_a_panel_member_or_a_read_only_chair_is_refused_every_listing_door(client, ward, who):
    """A member follows the meeting; a board member or auditor given the chair follows it
    too: neither lists anything, whatever their agency holds."""
    actor, meeting = ward.people[who], ward.room.meeting
    referral, subject = ward.referrals["waiting"], ward.subjects["held"]
    before = written()
    client.force_login(actor)

    answers = {
        "page": client.get(page_of(meeting)).status_code,
        "case": post_case(client, meeting, referral).status_code,
        "theme": post_theme(client, meeting, subject.pk).status_code,
    }

    assert answers == dict.fromkeys(answers, 403)
    assert list_case(actor, meeting, referral) == "ForbiddenForUser"
    assert list_theme(actor, meeting, subject) == "ForbiddenForUser"
    assert not access.cases_listable_on(actor, meeting).exists()
    assert not access.themes_listable_on(actor, meeting).exists()
    assert written() == before


# --- Themes ----------------------------------------------------------------------------------


def test_a_theme_cannot_go_on_a_panel_that_is_not_an_exploitation_panel(client, ward):
    """The coordinator runs the MARAC too, and their agency holds the place."""
    actor, meeting, subject = ward.people["coordinator"], ward.marac_meeting, ward.subjects["held"]
    before = written()
    client.force_login(actor)

    shown = client.get(page_of(meeting)).content.decode()
    posted = post_theme(client, meeting, subject.pk)

    assert "List a theme" not in shown and subject.name not in shown
    assert posted.status_code == 400
    assert list_theme(actor, meeting, subject) == "MeetingError"
    assert not access.themes_listable_on(actor, meeting).exists()
    assert written() == before
    assert not SubjectDiscussion.objects.filter(panel=ward.marac).exists()
    # The same record, the same person, their exploitation panel's meeting: open.
    assert post_theme(client, ward.room.meeting, subject.pk).status_code == 302


@pytest.mark.parametrize("which", ["police", "partners", "sat on"])
def test_a_record_their_agency_does_not_hold_is_refused_on_every_door(client, ward, which):
    """Whether they may not read it, read it as a partner, or read it as a member of another
    panel: only a record their agency holds, or one discussed at a panel they run, is taken
    to a panel."""
    actor, meeting, subject = ward.people["coordinator"], ward.room.meeting, ward.subjects[which]
    before = written()
    client.force_login(actor)

    shown = client.get(page_of(meeting)).content.decode()
    posted = post_theme(client, meeting, subject.pk)

    assert subject.name not in shown
    assert posted.status_code == 400
    assert "That record cannot be listed on this agenda" in posted.content.decode()
    assert subject.name not in posted.content.decode()
    assert list_theme(actor, meeting, subject) == "MeetingError"
    assert not access.can_list_theme(actor, meeting, subject)
    assert written() == before
    assert not SubjectDiscussion.objects.filter(subject=subject, panel=ward.room.panel).exists()


def test_the_partners_record_is_read_by_the_coordinator_and_the_sat_on_one_by_the_panel(ward):
    """The refusals above are of taking the record to a panel, not of reading it."""
    coordinator = ward.people["coordinator"]

    assert access.can_view_subject(coordinator, ward.subjects["partners"])
    assert access.can_view_subject(coordinator, ward.subjects["sat on"])
    assert not access.can_view_subject(coordinator, ward.subjects["police"])


@pytest.mark.parametrize("subject_id", ["999999", "-1", "abc", "", "1 OR 1=1", "1.0"])
def test_a_subject_id_that_does_not_exist_lists_nothing(client, ward, subject_id):
    before = written()
    client.force_login(ward.people["coordinator"])

    response = post_theme(client, ward.room.meeting, subject_id)

    assert response.status_code == 400
    assert written() == before


# --- A tampered POST -------------------------------------------------------------------------


def _tampered(ward) -> dict[str, dict]:
    """POSTs the page never sends: each names a case the coordinator may list and a record
    their agency holds, so only the tampering refuses them."""
    case, subject = ward.referrals["waiting"].pk, ward.subjects["held"].pk
    # A case's id that is no record of concern the coordinator may list.
    listable = set(access.themes_listable_on(ward.people["coordinator"], ward.room.meeting))
    assert case not in {s.pk for s in listable}
    reason = "Seen with children."
    return {
        "theme with a case id": {"what": "theme", "theme-subject": case, "theme-reason": reason},
        "theme naming the case field": {"what": "theme", "case-referral": case},
        "case naming the theme fields": {
            "what": "case",
            "theme-subject": subject,
            "theme-reason": reason,
        },
        "case with a record's id in the case field": {"what": "case", "case-referral": 999999},
        "both forms' fields": {
            "what": "theme",
            "theme-subject": subject,
            "theme-reason": reason,
            "case-referral": case,
        },
        "both forms named": {
            "what": ["case", "theme"],
            "case-referral": case,
            "theme-subject": subject,
            "theme-reason": reason,
        },
        "neither form named": {
            "case-referral": case,
            "theme-subject": subject,
            "theme-reason": reason,
        },
        "an unknown form": {"what": "action", "case-referral": case},
        "nothing at all": {},
    }


@pytest.mark.parametrize(
    "tampering",
    [
        "theme with a case id",
        "theme naming the case field",
        "case naming the theme fields",
        "case with a record's id in the case field",
        "both forms' fields",
        "both forms named",
        "neither form named",
        "an unknown form",
        "nothing at all",
    ],
)
def test_a_tampered_post_is_refused_and_lists_nothing(client, ward, tampering):
    data = _tampered(ward)[tampering]
    before = written()
    client.force_login(ward.people["coordinator"])

    response = client.post(page_of(ward.room.meeting), data)

    assert response.status_code == 400
    assert written() == before


def test_the_untampered_posts_list_the_case_and_the_record(client, ward):
    """The same case and record as the tampered POSTs, each sent as the page sends it."""
    client.force_login(ward.people["coordinator"])

    case = post_case(client, ward.room.meeting, ward.referrals["waiting"])
    theme = post_theme(client, ward.room.meeting, ward.subjects["held"].pk)

    assert (case.status_code, theme.status_code) == (302, 302)


# --- A meeting that has started or closed ----------------------------------------------------


@pytest.mark.parametrize("status", [MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED])
@pytest.mark.parametrize("who", ["chair", "coordinator"])
def test_a_meeting_that_has_started_or_closed_takes_nothing_new(client, ward, status, who):
    actor, meeting = ward.people[who], ward.room.meeting
    Meeting.objects.filter(pk=meeting.pk).update(status=status)
    meeting.refresh_from_db()
    referral, subject = ward.referrals["waiting"], ward.subjects["held"]
    before = written()
    client.force_login(actor)

    shown = client.get(page_of(meeting)).content.decode()
    case = post_case(client, meeting, referral)
    theme = post_theme(client, meeting, subject.pk)

    assert "can no longer take new items" in shown
    assert (case.status_code, theme.status_code) == (400, 400)
    assert list_case(actor, meeting, referral) == "MeetingError"
    assert list_theme(actor, meeting, subject) == "MeetingError"
    assert written() == before


def test_a_stale_copy_of_a_meeting_that_has_since_closed_is_refused_by_the_service(ward):
    """The service reads the meeting afresh under its lock: a copy read while it was still
    scheduled does not let a listing through."""
    coordinator, stale = ward.people["coordinator"], ward.room.meeting
    Meeting.objects.filter(pk=stale.pk).update(status=MeetingStatus.CLOSED)
    before = written()

    assert list_case(coordinator, stale, ward.referrals["waiting"]) == "MeetingError"
    assert list_theme(coordinator, stale, ward.subjects["held"]) == "MeetingError"
    assert written() == before


# --- The password alone ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "chair"])
def test_with_the_password_alone_the_page_sends_to_the_second_factor_and_lists_nothing(ward, who):
    browser = password_only(ward.people[who], Client)
    path = page_of(ward.room.meeting)
    before = written()

    shown = browser.get(path)
    case = browser.post(path, {"what": "case", "case-referral": ward.referrals["waiting"].pk})
    theme = browser.post(
        path,
        {
            "what": "theme",
            "theme-subject": ward.subjects["held"].pk,
            "theme-reason": "Seen with children.",
        },
    )

    assert sent_to_the_second_factor(shown, path)
    assert case.status_code == theme.status_code == 302
    assert "/sign-in/second-factor/" in case["Location"]
    assert "/sign-in/second-factor/" in theme["Location"]
    assert b"WARD-WAIT" not in shown.content + case.content + theme.content
    assert written() == before
