from datetime import date

import pytest

from agencies.models import AgencyType, Role
from panels.models import Panel, PanelKind
from referrals import intake
from tests.factories import AgencyFactory, person


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
        "school_lead": person(Role.AGENCY_LEAD, school, username="school_lead"),
        "coordinator": person(Role.PANEL_COORDINATOR, council, username="coordinator"),
    }


def child_details(**overrides) -> intake.ChildDetails:
    values = {
        "first_name": "Ashlyn",
        "last_name": "Brackenridge",
        "date_of_birth": date(2012, 6, 15),
        "gender": "female",
        "postcode": "ZZ1 1AA",
    }
    values.update(overrides)
    return intake.ChildDetails(**values)


def referral_details(**overrides) -> intake.ReferralDetails:
    values = {
        "concern": "Missing overnight twice this week; seen with older males.",
        "categories": ["missing", "cse"],
        "immediate_risk": False,
        "family_aware": "yes",
        "consent": "not_sought",
        "lawful_basis": "Children Act 1989 s47; UK GDPR Art 6(1)(e)",
        "reason_without_consent": "Telling the family may place the child at greater risk.",
    }
    values.update(overrides)
    return intake.ReferralDetails(**values)


@pytest.fixture
def make_draft(borough):
    def make(*, actor=None, agency=None, child=None, details=None):
        return intake.referral_draft_save(
            actor=actor or borough["referrer"],
            agency=agency or borough["police"],
            child=child or child_details(),
            details=details or referral_details(),
        )

    return make


@pytest.fixture
def make_submitted(borough, make_draft):
    def make(**kwargs):
        draft = make_draft(**kwargs)
        return intake.referral_submit(
            actor=kwargs.get("actor") or borough["referrer"], referral=draft
        )

    return make
