"""Issue 12, finding 2: an agency created in the Django admin had no permission group, so
sharing a referral with it failed with a server error. An agency created on the management
page gets its group in the same transaction, and the data migration gave one to every agency
created before it."""

# ruff: noqa: F811 (test arguments named `world` are uses of the imported fixture)

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

import access
from agencies.models import Agency, AgencyType, Role
from referrals import services as referral_services
from referrals.models import Child, Referral, ReferralState
from tests.agencies.conftest import world  # noqa: F401 (the fixture, shared)
from tests.factories import AgencyFactory, person

BEFORE = [("agencies", "0004_anonymous_refusals")]
AFTER = [("agencies", "0005_membership_grants")]


def share_with(agency, *, lead, referral):
    return referral_services.referral_share(
        actor=lead, referral=referral, agency=agency, reason="They hold the placement."
    )


def test_an_agency_created_on_the_page_can_be_shared_with(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.people["sysadmin"])

    response = client.post(
        "/manage/agencies/new/",
        {"name": "Fenmarsh Fostering Service", "agency_type": AgencyType.OTHER},
    )

    assert response.status_code == 302
    agency = Agency.objects.get(name="Fenmarsh Fostering Service")
    assert agency.permission_group is not None
    fostering_lead = person(Role.AGENCY_LEAD, agency, username="fostering_lead")
    with django_capture_on_commit_callbacks(execute=True):
        share = share_with(agency, lead=world.people["lead_a"], referral=world.referral)
    assert share.agency == agency
    assert access.can_view_referral(fostering_lead, world.referral)


@pytest.mark.django_db(transaction=True)
def test_an_agency_created_before_the_data_migration_is_given_its_group_and_can_be_shared_with():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("agencies", "Agency")
        old.objects.create(name="Made in the admin", agency_type=AgencyType.HOUSING)
        MigrationExecutor(connection).migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    made_in_the_admin = Agency.objects.get(name="Made in the admin")
    assert made_in_the_admin.permission_group is not None
    police = AgencyFactory(name="Police", agency_type=AgencyType.POLICE)
    referral = Referral.objects.create(
        reference="MIG-0001",
        child=Child.objects.create(first_name="Migrated", last_name="Example"),
        agency=police,
        referrer=person(Role.REFERRER, police, username="referrer"),
        state=ReferralState.SUBMITTED,
        concern="Missing overnight.",
        submitted_at=timezone.now(),
    )
    housing_lead = person(Role.AGENCY_LEAD, made_in_the_admin, username="housing_lead")

    share_with(
        made_in_the_admin, lead=person(Role.AGENCY_LEAD, police, username="lead"), referral=referral
    )

    assert access.can_view_referral(housing_lead, referral)
