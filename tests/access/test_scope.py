"""A person's roles are read once per scope (a request, a socket command, a socket check) and
fresh outside one; a service that changes access within a request makes the rest of it read
them again; a page asks many questions and pays for one read."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import access
import access.roles
from agencies import services as agency_services
from agencies.models import Membership, Role
from referrals import services as referral_services
from tests.factories import AgencyFactory, person
from tests.panels.conftest import build_room, command, connect, run

# GET /referrals/<pk>/ of a submitted referral, as a coordinator and as the referring
# agency's lead (session and user included). Before roles were read once per request it took
# 42 and 41 queries, 18 of them reading agencies_membership; now 27 and 26. Measured as
# `test_the_referral_page_reads_the_roles_once` does; a ceiling, so a page that asks fewer
# questions still passes, and one that reads the roles per question again fails.
REFERRAL_PAGE_QUERIES = {"coordinator": 27, "police_lead": 26}


@pytest.fixture
def coordinator(db):
    return person(Role.PANEL_COORDINATOR, username="coordinator")


@pytest.fixture
def reads_of_roles(monkeypatch):
    """How many times the person's roles were read from the database, on any thread."""
    calls = []
    read = access.roles._read_roles

    def counted(user):
        calls.append(user.pk)
        return read(user)

    monkeypatch.setattr(access.roles, "_read_roles", counted)
    return calls


def membership_queries(captured) -> int:
    return sum('"agencies_membership"' in query["sql"] for query in captured.captured_queries)


# --- Inside a scope ---------------------------------------------------------------------------


def test_inside_a_scope_a_second_question_about_the_same_person_reads_no_membership_again(
    coordinator, django_assert_num_queries
):
    with access.scope():
        with django_assert_num_queries(1):
            assert access.can_screen(coordinator)
        with django_assert_num_queries(0):
            assert access.can_screen(coordinator)
            assert not access.can_administer(coordinator)
            assert access.roles_of(coordinator).has(Role.PANEL_COORDINATOR)


def test_inside_a_scope_each_person_is_read_once(coordinator, reads_of_roles):
    lead = person(Role.AGENCY_LEAD, username="lead")

    with access.scope():
        for _ in range(3):
            access.can_screen(coordinator)
            access.can_break_glass_at_all(lead)

    assert sorted(reads_of_roles) == sorted([coordinator.pk, lead.pk])


def test_forget_drops_what_the_scope_read_of_that_person(coordinator, django_assert_num_queries):
    with access.scope():
        access.can_screen(coordinator)
        Membership.objects.filter(user=coordinator).update(ended_at=timezone.now())
        with django_assert_num_queries(0):
            assert access.can_screen(coordinator)  # as read at the start of the scope

        access.forget(coordinator.pk)

        with django_assert_num_queries(1):
            assert not access.can_screen(coordinator)


def test_forget_everyone_drops_what_the_scope_read_of_everyone(coordinator, reads_of_roles):
    with access.scope():
        access.can_screen(coordinator)
        access.forget_everyone()
        access.can_screen(coordinator)

    assert reads_of_roles == [coordinator.pk, coordinator.pk]


def test_a_scope_entered_inside_another_shares_it(coordinator, reads_of_roles):
    with access.scope():
        access.can_screen(coordinator)
        with access.scope():
            access.can_screen(coordinator)
        access.can_screen(coordinator)

    assert reads_of_roles == [coordinator.pk]


def test_a_scope_keeps_nothing_once_it_ends(coordinator, reads_of_roles):
    with access.scope():
        access.can_screen(coordinator)
    with access.scope():
        access.can_screen(coordinator)

    assert reads_of_roles == [coordinator.pk, coordinator.pk]


def test_someone_not_signed_in_is_never_read_nor_kept(coordinator, reads_of_roles):
    coordinator.is_active = False

    with access.scope():
        assert not access.can_screen(coordinator)

    assert reads_of_roles == []


# --- Outside a scope --------------------------------------------------------------------------


def test_outside_a_scope_every_question_reads_afresh(coordinator, django_assert_num_queries):
    with django_assert_num_queries(2):
        access.can_screen(coordinator)
        access.can_screen(coordinator)


def test_outside_a_scope_an_ended_membership_is_seen_at_once(coordinator):
    assert access.can_screen(coordinator)

    Membership.objects.filter(user=coordinator).update(
        ended_at=timezone.now() - timedelta(seconds=1)
    )

    assert not access.can_screen(coordinator)


# --- Services that change access within a scope -----------------------------------------------


def test_a_role_ended_within_a_request_is_seen_by_the_rest_of_it(coordinator):
    admin = person(Role.SYSTEM_ADMINISTRATOR, username="admin")
    role = Membership.objects.get(user=coordinator)

    with access.scope():
        assert access.can_screen(coordinator)
        agency_services.membership_end(actor=admin, membership=role, reason="Left the hub.")

        assert not access.can_screen(coordinator)


def test_a_role_approved_within_a_request_is_seen_by_the_rest_of_it(db):
    agency = AgencyFactory()
    admin = person(Role.SYSTEM_ADMINISTRATOR, agency, username="admin")
    lead = person(Role.AGENCY_LEAD, agency, username="lead")
    newcomer = person(Role.REFERRER, agency, username="newcomer")
    waiting = agency_services.membership_grant(
        actor=admin, person=newcomer, agency=agency, role=Role.AGENCY_LEAD, reason="New lead."
    )

    with access.scope():
        assert not access.can_break_glass_at_all(newcomer)
        agency_services.membership_approve(actor=lead, membership=waiting)

        assert access.can_break_glass_at_all(newcomer)


def test_an_account_deactivated_within_a_request_gives_nothing_to_the_rest_of_it(coordinator):
    admin = person(Role.SYSTEM_ADMINISTRATOR, username="admin")

    with access.scope():
        assert access.can_screen(coordinator)
        agency_services.user_deactivate(actor=admin, person=coordinator, reason="Left.")
        coordinator.refresh_from_db()

        assert not access.can_screen(coordinator)


def test_an_agency_deactivated_within_a_request_gives_nothing_to_the_rest_of_it(coordinator):
    admin = person(Role.SYSTEM_ADMINISTRATOR, username="admin")
    hub = Membership.objects.get(user=coordinator).agency

    with access.scope():
        assert access.can_screen(coordinator)
        agency_services.agency_deactivate(actor=admin, agency=hub, reason="Merged.")

        assert not access.can_screen(coordinator)


def test_breaking_the_glass_opens_the_case_for_the_rest_of_the_request(borough, make_submitted):
    referral = make_submitted()
    school_lead = borough["school_lead"]

    with access.scope():
        assert not access.can_view_referral(school_lead, referral)
        referral_services.referral_break_glass(
            actor=school_lead, referral=referral, reason="Sibling disclosed harm today."
        )

        assert access.can_view_referral(school_lead, referral)


# --- A request is one scope -------------------------------------------------------------------


def referral_page(client, borough, make_submitted, who):
    """The second GET of a submitted referral's page (the first writes its audit row)."""
    referral = make_submitted()
    client.force_login(borough[who])
    client.get(f"/referrals/{referral.pk}/")
    return f"/referrals/{referral.pk}/"


@pytest.mark.parametrize("who", ["coordinator", "police_lead"])
def test_the_referral_page_reads_the_roles_once(client, borough, make_submitted, who):
    url = referral_page(client, borough, make_submitted, who)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 200
    assert len(captured) <= REFERRAL_PAGE_QUERIES[who]
    # The roles, and the memberships the header lists (the audit row names its actor's
    # agency from the same read).
    assert membership_queries(captured) == 2


@pytest.mark.parametrize("who", ["coordinator", "police_lead"])
def test_a_sync_view_served_through_asgi_runs_inside_the_requests_scope(
    client, borough, make_submitted, who, reads_of_roles
):
    """As daphne serves it: Django's ASGI handler runs the sync middleware and view in
    threads (asgiref's sync_to_async), copying the context the scope lives in."""
    url = referral_page(client, borough, make_submitted, who)
    asgi = AsyncClient()
    asgi.cookies = client.cookies  # signed in as the page was
    reads_of_roles.clear()

    with CaptureQueriesContext(connection) as captured:
        response = async_to_sync(asgi.get)(url)

    assert response.status_code == 200
    assert reads_of_roles == [borough[who].pk]
    assert len(captured) <= REFERRAL_PAGE_QUERIES[who]


def test_an_api_request_is_one_scope_too(client, borough, make_submitted, reads_of_roles):
    referral = make_submitted()
    client.force_login(borough["coordinator"])
    reads_of_roles.clear()

    response = client.get(f"/api/v1/referrals/{referral.pk}/")

    assert response.status_code == 200
    assert reads_of_roles == [borough["coordinator"].pk]


def test_a_screening_posted_through_the_page_reads_the_roles_once(
    client, borough, make_submitted, reads_of_roles
):
    referral = make_submitted()
    client.force_login(borough["coordinator"])
    reads_of_roles.clear()

    response = client.post(
        f"/referrals/{referral.pk}/screen/",
        {"screen-rag": "amber", "screen-reason": "Known to police."},
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.rag == "amber"
    assert reads_of_roles.count(borough["coordinator"].pk) == 1


# --- A socket command, and a socket check, is one scope ---------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_one_meeting_room_command_reads_the_chairs_roles_once(reads_of_roles):
    room = await run(build_room)
    chair, _ = await connect(room.people["chair"], room.meeting.pk, last_seq=0)
    reads_of_roles.clear()

    replies = await command(chair, "start")

    assert replies[-1]["type"] == "ack"
    assert reads_of_roles == [room.people["chair"].pk]
    await chair.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_connecting_to_the_meeting_room_reads_the_roles_once(reads_of_roles):
    room = await run(build_room)

    member, hello = await connect(room.people["police"], room.meeting.pk, last_seq=0)

    assert hello["type"] == "hello"
    assert reads_of_roles == [room.people["police"].pk]
    await member.disconnect()
