"""A small world with one person in every position the access rules distinguish."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from agencies.models import AgencyType, Role
from panels.models import (
    AgendaItem,
    Meeting,
    MeetingInvitation,
    Panel,
    PanelKind,
    PanelMembership,
)
from referrals import services as referral_services
from referrals.models import Child, Contribution, ContributionSensitivity, Referral, ReferralState
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, person


@dataclass
class World:
    people: dict
    referral: Referral  # submitted by referrer_a of agency A, shared with B, listed on panel P
    draft: Referral  # referrer_a's draft
    panel_only: Contribution  # police intelligence from A, panel only
    normal: Contribution  # health's ordinary contribution from B
    agencies: dict
    meeting: Meeting | None = None  # panel P's next meeting; chair and member_p are invited


POSITIONS = [
    "anonymous",
    "referrer_a",
    "referrer_a2",
    "referrer_c",
    "lead_a",
    "lead_b",
    "lead_c",
    "coordinator",
    "chair",
    "member_p",
    "member_q",
    "board",
    "auditor",
    "dpo",
    "sysadmin",
]


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    a = AgencyFactory(name="Agency A Police", agency_type=AgencyType.POLICE)
    b = AgencyFactory(name="Agency B Health", agency_type=AgencyType.HEALTH)
    c = AgencyFactory(name="Agency C School", agency_type=AgencyType.EDUCATION)
    csc = AgencyFactory(name="Agency CSC", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)

    people = {
        "anonymous": AnonymousUser(),
        "referrer_a": person(Role.REFERRER, a, username="referrer_a"),
        "referrer_a2": person(Role.REFERRER, a, username="referrer_a2"),
        "referrer_c": person(Role.REFERRER, c, username="referrer_c"),
        "lead_a": person(Role.AGENCY_LEAD, a, username="lead_a"),
        "lead_b": person(Role.AGENCY_LEAD, b, username="lead_b"),
        "lead_c": person(Role.AGENCY_LEAD, c, username="lead_c"),
        "coordinator": person(Role.PANEL_COORDINATOR, csc, username="coordinator"),
        "chair": person(Role.PANEL_CHAIR, csc, username="chair"),
        "member_p": person(Role.PANEL_MEMBER, b, username="member_p"),
        "member_q": person(Role.PANEL_MEMBER, c, username="member_q"),
        "board": person(Role.BOARD_MEMBER, csc, username="board"),
        "auditor": person(Role.QUALITY_AUDITOR, csc, username="auditor"),
        "dpo": person(Role.DATA_PROTECTION_OFFICER, csc, username="dpo"),
        "sysadmin": person(Role.SYSTEM_ADMINISTRATOR, csc, username="sysadmin", is_staff=True),
    }
    people["sysadmin"].groups.add(Group.objects.get_or_create(name="System administrators")[0])

    child = Child.objects.create(first_name="Testchild", last_name="Example")
    referral = Referral.objects.create(
        reference="T-0001",
        child=child,
        agency=a,
        referrer=people["referrer_a"],
        state=ReferralState.LISTED_FOR_PANEL,
        concern="Seen with older males.",
        submitted_at=timezone.now(),
    )
    draft = Referral.objects.create(
        reference="T-0002", child=child, agency=a, referrer=people["referrer_a"]
    )
    panel_p = Panel.objects.create(name="Panel P", kind=PanelKind.EXPLOITATION)
    panel_q = Panel.objects.create(name="Panel Q", kind=PanelKind.MARAC)
    PanelMembership.objects.create(panel=panel_p, user=people["chair"], agency=csc, role="chair")
    PanelMembership.objects.create(panel=panel_p, user=people["member_p"], agency=b)
    PanelMembership.objects.create(panel=panel_q, user=people["member_q"], agency=c)
    meeting = Meeting.objects.create(panel=panel_p, starts_at=timezone.now() + timedelta(days=3))
    AgendaItem.objects.create(meeting=meeting, referral=referral, position=1)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_share(
            actor=people["lead_a"], referral=referral, agency=b, reason="Health history needed."
        )
    panel_only = Contribution.objects.create(
        referral=referral,
        agency=a,
        author=people["lead_a"],
        text="Intelligence: vehicle linked to an investigation.",
        sensitivity=ContributionSensitivity.PANEL_ONLY,
    )
    normal = Contribution.objects.create(
        referral=referral, agency=b, author=people["lead_b"], text="Two A&E attendances."
    )
    panel_p.member_agencies.add(b, csc)
    for invited, agency in (("chair", csc), ("member_p", b)):
        MeetingInvitation.objects.create(meeting=meeting, user=people[invited], agency=agency)
    return World(
        people=people,
        referral=referral,
        draft=draft,
        panel_only=panel_only,
        normal=normal,
        agencies={"a": a, "b": b, "c": c, "csc": csc},
        meeting=meeting,
    )


@pytest.fixture
def membership_factory():
    return MembershipFactory


@pytest.fixture
def user_factory():
    return UserFactory
