import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import AgencyType, Role
from panels.models import Panel, PanelKind
from referrals.models import Child, Referral, ReferralState
from tests.factories import AgencyFactory, person

_numbers = itertools.count(1)


@pytest.fixture
def borough(db):
    police = AgencyFactory(name="Police", agency_type=AgencyType.POLICE)
    school = AgencyFactory(name="School", agency_type=AgencyType.EDUCATION)
    council = AgencyFactory(name="Council", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    hub = Panel.objects.create(name="MASH", kind=PanelKind.MASH)
    return {
        "police": police,
        "school": school,
        "council": council,
        "hub": hub,
        "referrer": person(Role.REFERRER, police, username="referrer"),
        "other_referrer": person(Role.REFERRER, school, username="other_referrer"),
        "police_lead": person(Role.AGENCY_LEAD, police, username="police_lead"),
        "coordinator": person(Role.PANEL_COORDINATOR, council, username="coordinator"),
        "board": person(Role.BOARD_MEMBER, council, username="board"),
        "auditor": person(Role.QUALITY_AUDITOR, council, username="auditor"),
        "dpo": person(Role.DATA_PROTECTION_OFFICER, council, username="dpo"),
    }


@pytest.fixture
def make_referral(borough):
    """A referral row as the services leave it, without going through every step."""

    def make(*, referrer=None, agency=None, state=ReferralState.SUBMITTED, **fields):
        n = next(_numbers)
        now = timezone.now()
        child = Child.objects.create(
            first_name=fields.pop("first_name", "Ashlyn"),
            last_name=fields.pop("last_name", f"Brackenridge{n}"),
        )
        submitted = state != ReferralState.DRAFT
        return Referral.objects.create(
            reference=f"TST-2026-{n:04d}",
            child=child,
            agency=agency or borough["police"],
            referrer=referrer or borough["referrer"],
            hub=borough["hub"],
            state=state,
            concern="Missing overnight.",
            categories=fields.pop("categories", ["missing"]),
            submitted_at=now - timedelta(days=1) if submitted else None,
            screening_due_at=fields.pop("screening_due_at", now + timedelta(hours=4))
            if submitted
            else None,
            decision_due_at=now + timedelta(days=1) if submitted else None,
            **fields,
        )

    return make
