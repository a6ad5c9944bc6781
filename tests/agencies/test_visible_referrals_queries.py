import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Role
from referrals import selectors
from referrals.models import Child, Referral, ReferralState
from tests.factories import AgencyFactory, person


def make_referrals(agency, referrer, count):
    child = Child.objects.create(first_name="Query", last_name="Count")
    start = Referral.objects.count()
    Referral.objects.bulk_create(
        Referral(
            reference=f"Q-{start + n:06d}",
            child=child,
            agency=agency,
            referrer=referrer,
            state=ReferralState.SUBMITTED,
            submitted_at=timezone.now(),
        )
        for n in range(count)
    )


def queries_for_first_page(user):
    with CaptureQueriesContext(connection) as captured:
        page = selectors.referral_list_for(user=user)
        for referral in page:
            str(referral.agency), str(referral.child)
    return len(captured.captured_queries), len(page)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.PANEL_COORDINATOR, Role.QUALITY_AUDITOR])
def test_listing_referrals_takes_the_same_number_of_queries_at_10_and_500(role):
    agency = AgencyFactory()
    referrer = person(Role.REFERRER, agency)
    viewer = person(role, agency)

    make_referrals(agency, referrer, 10)
    at_10, rows_at_10 = queries_for_first_page(viewer)
    make_referrals(agency, referrer, 490)
    at_500, rows_at_500 = queries_for_first_page(viewer)

    assert (rows_at_10, rows_at_500) == (10, 50)
    assert at_10 == at_500 == 2  # the person's roles, then the page
