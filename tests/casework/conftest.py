"""A small borough for casework: children's social care with two teams, their managers and
workers, quality auditors (one of whom sits in team North), and live cases."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import AgencyType, Membership, Role, Team
from referrals.models import Child, Rag, Referral, ReferralState
from tests.factories import AgencyFactory, MembershipFactory, UserFactory


@dataclass
class Borough:
    csc: object
    police: object
    north: Team
    south: Team
    people: dict
    cases: list


def _role(role, agency, username, team=None):
    user = UserFactory(username=username, first_name=username.title(), last_name="Test")
    MembershipFactory(user=user, agency=agency, role=role, team=team)
    return user


def make_case(n: int, agency, referrer, *, state=ReferralState.LISTED_FOR_PANEL, days_ago=3):
    child = Child.objects.create(first_name=f"Child{n}", last_name="Casework")
    moment = timezone.now() - timedelta(days=days_ago)
    return Referral.objects.create(
        reference=f"CW-{n:04d}",
        child=child,
        agency=agency,
        referrer=referrer,
        state=state,
        rag=Rag.RED if n % 2 else Rag.AMBER,
        submitted_at=moment,
        decided_at=moment,
    )


@pytest.fixture
def borough(db) -> Borough:
    csc = AgencyFactory(
        name="Fenmarsh Children's Services", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE
    )
    police = AgencyFactory(name="Fenmarsh Police", agency_type=AgencyType.POLICE)
    north = Team.objects.create(agency=csc, name="Team North")
    south = Team.objects.create(agency=csc, name="Team South")
    people = {
        "manager_north": _role(Role.AGENCY_LEAD, csc, "manager_north", north),
        "manager_south": _role(Role.AGENCY_LEAD, csc, "manager_south", south),
        "worker_n1": _role(Role.REFERRER, csc, "worker_n1", north),
        "worker_n2": _role(Role.REFERRER, csc, "worker_n2", north),
        "worker_s1": _role(Role.REFERRER, csc, "worker_s1", south),
        "auditor": _role(Role.QUALITY_AUDITOR, csc, "auditor"),
        "auditor_north": _role(Role.QUALITY_AUDITOR, csc, "auditor_north", north),
        "police_referrer": _role(Role.REFERRER, police, "police_referrer"),
        "board": _role(Role.BOARD_MEMBER, csc, "board"),
    }
    cases = [make_case(n, csc, people["worker_n1"]) for n in range(1, 6)]
    return Borough(csc, police, north, south, people, cases)


@pytest.fixture
def allocate(borough, django_capture_on_commit_callbacks):
    from casework import services

    def _allocate(case, worker, *, manager="manager_north", team=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.allocation_allocate(
                actor=borough.people[manager],
                referral=case,
                team=team or borough.north,
                worker=borough.people[worker],
                reason="Capacity in the team.",
            )

    return _allocate


def workers_of(team):
    return Membership.objects.filter(team=team).values_list("user__username", flat=True)
