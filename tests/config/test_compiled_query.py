"""config.compiled_query: a queryset compiled once, run with new values, answers as the
queryset built with those values would."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from access import roles
from agencies.models import Membership, Role
from config.compiled_query import CompiledQuery
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STAND_IN_TIME = datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)


def memberships(user_id, now):
    return (
        Membership.objects.active(now)
        .filter(user_id=user_id, agency__is_active=True)
        .order_by("agency_id")
        .values_list("role", "agency_id")
    )


MEMBERSHIPS = CompiledQuery(memberships, user_id=-7_301_998, now=STAND_IN_TIME)


def test_rows_are_those_of_the_queryset_built_with_the_same_values():
    lead, referrer = UserFactory(), UserFactory()
    police, school = AgencyFactory(), AgencyFactory()
    MembershipFactory(user=lead, agency=police, role=Role.AGENCY_LEAD)
    MembershipFactory(user=lead, agency=school, role=Role.REFERRER)
    MembershipFactory(user=referrer, agency=school, role=Role.REFERRER)
    now = timezone.now()

    for user in (lead, referrer):
        assert MEMBERSHIPS.rows(user_id=user.pk, now=now) == list(memberships(user.pk, now))


def test_the_values_given_are_used_not_the_stand_ins_nor_the_first_values():
    lead = UserFactory()
    MembershipFactory(user=lead, agency=AgencyFactory(), role=Role.AGENCY_LEAD)
    now = timezone.now()

    assert len(MEMBERSHIPS.rows(user_id=lead.pk, now=now)) == 1
    # The same SQL, another time: before the membership began, it gives nothing.
    assert MEMBERSHIPS.rows(user_id=lead.pk, now=now - timedelta(days=3650)) == []
    assert MEMBERSHIPS.rows(user_id=lead.pk + 1000, now=now) == []


def test_it_is_compiled_once_and_runs_as_one_query():
    lead = UserFactory()
    MEMBERSHIPS.rows(user_id=lead.pk, now=timezone.now())
    compiled = MEMBERSHIPS.compiled()

    with CaptureQueriesContext(connection) as captured:
        MEMBERSHIPS.rows(user_id=lead.pk, now=timezone.now())

    assert MEMBERSHIPS.compiled() is compiled
    assert len(captured.captured_queries) == 1


def test_a_stand_in_that_does_not_reach_the_query_is_refused():
    unused = CompiledQuery(
        lambda user_id, now: Membership.objects.filter(user_id=user_id),
        user_id=-1,
        now=STAND_IN_TIME,
    )

    with pytest.raises(ValueError, match="now"):
        unused.rows(user_id=1, now=timezone.now())


def test_every_value_must_be_given():
    with pytest.raises(TypeError):
        MEMBERSHIPS.rows(user_id=1)


def test_a_persons_roles_are_read_through_one_compiled_query():
    lead = UserFactory()
    police = AgencyFactory()
    MembershipFactory(user=lead, agency=police, role=Role.AGENCY_LEAD)

    with CaptureQueriesContext(connection) as captured:
        read = roles.roles_of(lead)

    assert read.agencies(Role.AGENCY_LEAD) == {police.pk}
    assert len(captured.captured_queries) == 1
    assert captured.captured_queries[0]["sql"].startswith("SELECT")
