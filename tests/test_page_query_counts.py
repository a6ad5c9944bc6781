"""The pages people open most run a small number of queries, and the same number however much
data there is (issue 13).

Each page is opened by the people who open it most, first in a world with few referrals
(children's referrals, contributions, decisions, agenda items, actions, notifications), then
in a fresh world with ten times as many; the count of queries must be the same at both sizes
and at most the page's ceiling. A count, never a time: timings belong in benchmarks/.

These tests live at the top of tests/ rather than under an app's folder because the pages
belong to three apps (agencies' home, referrals, panels) and each request also runs the
shared middleware and header context processors; tests/access/ is for the policy itself.
`benchmarks/page_queries.py` prints the same counts beside the issue's target.
"""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyType, Role
from notifications.models import Notification, NotificationKind
from panels.models import (
    Action,
    AgencyUpdate,
    AgendaItem,
    Meeting,
    MeetingInvitation,
    Panel,
    PanelKind,
    PanelMembership,
)
from referrals.models import (
    Child,
    Contribution,
    ContributionRequest,
    HouseholdMember,
    Referral,
    ReferralShare,
    ReferralState,
    ReferralTransition,
)
from tests.factories import AgencyFactory, person

SMALL, LARGE = 3, 30
TARGET = 12  # issue 13's target for the pages it names (TARGETED); the others keep a ceiling
# And one read more on every page: django-otp's OTPMiddleware reads the device that verified the
# session (a reset or a removed device must end that at once), docs/sign-in.md.
SECOND_FACTOR_READ = 1

# The most a page may run, as measured (benchmarks/README.md has the figures before and after);
# every ceiling is at most the target, which the test asserts as well.
# Every page pays for four reads, each a separate concern: the session, the user, the person's
# roles (once per request, `access.scope()`) and the header's unread notification count; and
# the header's memberships, read once per request and shared with the page and its audit row.
# What each page adds is noted beside its ceiling. A page that opens a case writes its audit
# row: a transaction (BEGIN, COMMIT) around one INSERT.
CEILINGS = {
    # + what needs the person now (workspace/selectors.py), one aggregate per kind of work
    # whatever the numbers: their referrals, actions and waiting contribution requests, the
    # meetings they run, suggested matches, grants to decide; and panel seats (two) when the
    # section needs them. The coordinator's is the largest.
    "home": 10,
    # + one query for the whole first page of referrals, one for their count (the heading and
    # the pages), two for the agencies the filter offers (those among the visible referrals:
    # the form counts its choices, then reads them).
    "referral list": 9,
    # + the referral (with child, agency, referrer, hub and its clocks), the audit row (3),
    # and one query for every list on the page, however long (selectors.referral_page:
    # contribution requests, household, contributions, attachments, history, shares, the
    # agencies the person may contribute for, and for a screener the suggested matches and
    # the agencies still to ask, each a JSON column).
    "referral page": 10,
    # + the child, its audit row, one query each for the child's referrals, their
    # contributions and their decisions (child_chronology), and for a lead one more question;
    # + two for the child's missing episodes and the trigger's decisions (missing/selectors.py).
    "child's chronology": 13,
    # + one query for the queue, one for the suggested matches of the whole queue.
    "screening queue": 7,
    # + seats (one query, with whether a sitting member's agency is on the panel), the meeting,
    # one query for the whole room (selectors.room_state: agenda, updates, the cases shown,
    # actions, attendance, seats, invitations, participants, presence, whether the room was
    # read within the audit window, and for the chair and coordinator the member agencies and
    # the people to invite, each a JSON column) and, on a first opening, the audit rows (3).
    "meeting room": 11,
    # + one query for the page of actions with their count (a window count beside each row),
    # one for the agencies and panels the filters offer (those among the visible actions), and
    # on the "of panels I run" view the panel seats.
    "action log": 8,
}

_worlds = itertools.count()


@dataclass
class World:
    people: dict
    referral: Referral
    child: Child
    meeting: Meeting


def build_world(size: int) -> World:
    """One borough of its own: a hub panel with a meeting, and `size` of everything that grows:
    referrals of one child, each with a decision, a contribution and an agenda item with an
    action and an update; and on the first referral, `size` contributions, requests, shares,
    household members and decisions."""
    n = next(_worlds)
    police = AgencyFactory(agency_type=AgencyType.POLICE)
    health = AgencyFactory(agency_type=AgencyType.HEALTH)
    csc = AgencyFactory(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    others = [AgencyFactory(agency_type=AgencyType.EDUCATION) for _ in range(size)]
    people = {
        "coordinator": person(Role.PANEL_COORDINATOR, csc),
        "chair": person(Role.PANEL_CHAIR, csc),
        "member": person(Role.PANEL_MEMBER, health),
        "agency lead": person(Role.AGENCY_LEAD, police),
        "referrer": person(Role.REFERRER, police),
    }
    panel = Panel.objects.create(
        name=f"Hub {n}",
        kind=PanelKind.MASH,
        quorum_agency_types=[AgencyType.POLICE, AgencyType.HEALTH],
    )
    panel.member_agencies.add(police, health, csc)
    for key, agency, role in (
        ("chair", csc, "chair"),
        ("coordinator", csc, "coordinator"),
        ("member", health, "member"),
    ):
        PanelMembership.objects.create(panel=panel, user=people[key], agency=agency, role=role)
    meeting = Meeting.objects.create(panel=panel, starts_at=timezone.now() + timedelta(hours=1))
    for key, agency in (("chair", csc), ("coordinator", csc), ("member", health)):
        MeetingInvitation.objects.create(meeting=meeting, user=people[key], agency=agency)

    child = Child.objects.create(first_name="Query", last_name=f"Count{n}")
    now = timezone.now()
    states = [ReferralState.SUBMITTED, ReferralState.SCREENED, ReferralState.LISTED_FOR_PANEL]
    referrals = [
        Referral.objects.create(
            reference=f"QC-{n}-{i:04d}",
            child=child,
            agency=police,
            referrer=people["referrer"],
            hub=panel,
            state=states[i % 3],
            concern="Missing overnight.",
            categories=["missing"],
            submitted_at=now - timedelta(days=i),
            screening_due_at=now + timedelta(hours=i),
            decision_due_at=now + timedelta(days=i),
        )
        for i in range(size)
    ]
    for i, referral in enumerate(referrals):
        ReferralTransition.objects.create(
            referral=referral,
            name="screen",
            from_state=ReferralState.SUBMITTED,
            to_state=ReferralState.SCREENED,
            actor=people["coordinator"],
            reason="Screened.",
        )
        Contribution.objects.create(
            referral=referral, agency=health, author=people["member"], text="Known to health."
        )
        item = AgendaItem.objects.create(meeting=meeting, referral=referral, position=i)
        AgencyUpdate.objects.create(
            item=item, agency=health, text="Update.", recorded_by=people["member"]
        )
        Action.objects.create(
            meeting=meeting,
            agenda_item=item,
            text="Visit the family.",
            owner_agency=police if i % 2 else health,
            owner_person=people["agency lead"] if i % 2 else people["member"],
            due_date=timezone.localdate() + timedelta(days=i),
            created_by=people["chair"],
        )
        for someone in people.values():
            Notification.objects.create(
                recipient=someone,
                kind=NotificationKind.choices[0][0],
                referral=referral,
                message="Something happened.",
            )
    first = referrals[0]
    for agency in others:
        ContributionRequest.objects.create(
            referral=first, agency=agency, requested_by=people["coordinator"]
        )
        Contribution.objects.create(
            referral=first, agency=agency, author=people["coordinator"], text="What we know."
        )
        ReferralShare.objects.create(
            referral=first, agency=agency, reason="Needs to know.", shared_by=people["referrer"]
        )
        HouseholdMember.objects.create(
            child=child, referral=first, full_name="Someone", relationship="Aunt"
        )
        ReferralTransition.objects.create(
            referral=first,
            name="decide",
            from_state=ReferralState.SCREENED,
            to_state=ReferralState.SCREENED,
            actor=people["coordinator"],
        )
    return World(people=people, referral=first, child=child, meeting=meeting)


PAGES = {
    "home": lambda world: reverse("home"),
    "referral list": lambda world: reverse("referrals:list"),
    "referral page": lambda world: reverse("referrals:detail", args=[world.referral.pk]),
    "child's chronology": lambda world: reverse("referrals:child", args=[world.child.pk]),
    "screening queue": lambda world: reverse("referrals:screening-queue"),
    "meeting room": lambda world: reverse("panels:meeting", args=[world.meeting.pk]),
    "action log": lambda world: reverse("actions:list"),
}

# Who opens each page most.
OPENED_BY = [
    ("home", "coordinator"),
    ("home", "agency lead"),
    ("home", "referrer"),
    ("home", "member"),
    ("referral list", "coordinator"),
    ("referral list", "agency lead"),
    ("referral list", "referrer"),
    ("referral page", "coordinator"),
    ("referral page", "agency lead"),
    ("referral page", "referrer"),
    ("referral page", "member"),
    ("child's chronology", "coordinator"),
    ("child's chronology", "agency lead"),
    ("screening queue", "coordinator"),
    ("meeting room", "chair"),
    ("meeting room", "coordinator"),
    ("meeting room", "member"),
    ("action log", "coordinator"),
    ("action log", "agency lead"),
    ("action log", "member"),
]


def queries_to_open(page: str, role: str, size: int) -> list[str]:
    """The SQL of one first opening of `page` by `role`, in a fresh world of `size`."""
    world = build_world(size)
    client = Client()
    client.force_login(world.people[role])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGES[page](world))
    assert response.status_code == 200, (page, role, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


# The pages people open most, which issue 13 holds to TARGET queries. The child's
# chronology (which now also reads missing episodes) keeps its own ceiling above.
TARGETED = {
    "home",
    "referral list",
    "referral page",
    "screening queue",
    "meeting room",
    "action log",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "role"), OPENED_BY)
def test_a_page_runs_the_same_few_queries_however_much_data_there_is(page, role):
    small = queries_to_open(page, role, SMALL)
    large = queries_to_open(page, role, LARGE)

    assert len(small) == len(large), "\n".join(large)
    assert len(large) <= CEILINGS[page] + SECOND_FACTOR_READ, "\n".join(large)
    if page in TARGETED:
        assert len(large) <= TARGET, "\n".join(large)
