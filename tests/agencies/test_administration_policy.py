"""The administration rules of the one policy (access/administration.py and access/grants.py),
asked directly: the pairs agree, and the database itself refuses a grant decided by the person who
asked for it or by its grantee."""

import pytest
from django.db import IntegrityError, transaction

import access
from agencies.models import GrantStatus, Membership, Role
from panels.models import Panel, PanelMembership
from tests.agencies.conftest import POSITIONS
from tests.factories import MembershipFactory, person

SIGNED_IN = [p for p in POSITIONS if p != "anonymous"]


@pytest.fixture
def pending(world):
    """Waiting grants of every kind the rules tell apart, asked for by two administrators."""
    other_admin = person(Role.SYSTEM_ADMINISTRATOR, world.agencies["csc"], username="other_admin")
    admin = world.people["sysadmin"]
    a, c = world.agencies["a"], world.agencies["c"]
    grants = [
        Membership(
            user=world.people["referrer_a2"], agency=a, role=Role.AGENCY_LEAD, requested_by=admin
        ),
        Membership(
            user=world.people["lead_a"],
            agency=a,
            role=Role.PANEL_COORDINATOR,
            requested_by=other_admin,
        ),
        Membership(
            user=world.people["referrer_c"],
            agency=c,
            role=Role.SYSTEM_ADMINISTRATOR,
            requested_by=admin,
        ),
        Membership(user=admin, agency=c, role=Role.REFERRER, requested_by=other_admin),
    ]
    for grant in grants:
        grant.status = GrantStatus.PENDING
        grant.save()
    seats = [
        PanelMembership.objects.create(
            panel=Panel.objects.get(name="Panel Q"),
            user=world.people["referrer_c"],
            agency=c,
            status=GrantStatus.PENDING,
            requested_by=other_admin,
        ),
        PanelMembership.objects.create(
            panel=Panel.objects.get(name="Panel P"),
            user=world.people["lead_b"],
            agency=world.agencies["b"],
            status=GrantStatus.PENDING,
            requested_by=admin,
        ),
    ]
    return {"grants": grants, "seats": seats, "other_admin": other_admin}


def test_who_may_decide_a_grant_is_asked_and_the_pairs_agree(world, pending):
    people = {**world.people, "other_admin": pending["other_admin"]}
    for grant in pending["grants"]:
        asked = set(access.users_to_ask_to_decide_grant(grant).values_list("username", flat=True))
        for position, user in people.items():
            in_queryset = access.grants_to_decide(user).filter(pk=grant.pk).exists()
            assert in_queryset is access.can_decide_grant(user, grant), (position, grant)
            if position != "anonymous":
                assert in_queryset is (user.username in asked), (position, grant)


def test_the_second_person_for_each_grant(world, pending):
    lead_role, coordinator, administrator, admins_own = pending["grants"]

    def deciders(grant):
        return set(access.users_to_ask_to_decide_grant(grant).values_list("username", flat=True))

    assert deciders(lead_role) == {"lead_a", "other_admin"}  # not the admin who asked
    assert deciders(coordinator) == {"sysadmin"}  # not the grantee lead, not the asker
    assert deciders(administrator) == {"other_admin"}  # administrators only
    assert deciders(admins_own) == {"lead_c"}  # the grantee administrator never


def test_who_may_decide_a_seat_is_asked_and_the_pairs_agree(world, pending):
    people = {**world.people, "other_admin": pending["other_admin"]}
    for seat in pending["seats"]:
        asked = set(access.users_to_ask_to_decide_seat(seat).values_list("username", flat=True))
        for position, user in people.items():
            in_queryset = access.seats_to_decide(user).filter(pk=seat.pk).exists()
            assert in_queryset is access.can_decide_seat(user, seat), (position, seat)
            if position != "anonymous":
                assert in_queryset is (user.username in asked), (position, seat)
    assert {
        seat.user.username: set(
            access.users_to_ask_to_decide_seat(seat).values_list("username", flat=True)
        )
        for seat in pending["seats"]
    } == {"referrer_c": {"lead_c", "sysadmin"}, "lead_b": {"other_admin"}}


@pytest.mark.parametrize("position", SIGNED_IN)
def test_only_the_administrator_ends_roles_and_never_their_own(world, position):
    user = world.people[position]
    endable = set(access.grants_endable_by(user).values_list("user__username", flat=True))

    if position == "sysadmin":
        assert endable == set(SIGNED_IN) - {"sysadmin"}
    else:
        assert endable == set()


def test_a_seat_is_ended_by_the_administrator_or_its_panels_chair_never_their_own(world):
    chair = world.people["chair"]

    assert set(access.seats_endable_by(chair).values_list("user__username", flat=True)) == {
        "member_p"
    }
    assert set(
        access.seats_endable_by(world.people["sysadmin"]).values_list("user__username", flat=True)
    ) == {"chair", "member_p", "member_q"}
    assert not access.seats_endable_by(world.people["lead_b"]).exists()


def test_only_a_board_members_role_takes_effect_without_a_second_person():
    assert {role for role in Role.values if not access.grant_needs_approval(role)} == {
        Role.BOARD_MEMBER
    }


def test_a_membership_made_directly_is_approved_as_before(world):
    assert MembershipFactory().status == GrantStatus.APPROVED


@pytest.mark.parametrize("who", ["grantee", "requester"])
def test_the_database_refuses_a_grant_decided_by_its_grantee_or_its_requester(world, who):
    grantee, requester = world.people["referrer_a2"], world.people["sysadmin"]
    grant = Membership.objects.create(
        user=grantee,
        agency=world.agencies["a"],
        role=Role.AGENCY_LEAD,
        status=GrantStatus.PENDING,
        requested_by=requester,
    )
    grant.decided_by = grantee if who == "grantee" else requester

    with pytest.raises(IntegrityError), transaction.atomic():
        grant.save(update_fields=["decided_by"])


def test_the_database_refuses_a_grant_asked_for_by_its_grantee(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.people["sysadmin"],
            agency=world.agencies["a"],
            role=Role.PANEL_COORDINATOR,
            status=GrantStatus.PENDING,
            requested_by=world.people["sysadmin"],
        )
