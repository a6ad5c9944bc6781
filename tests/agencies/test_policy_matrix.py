"""Every role x every object kind x every action, asked of the one access policy.

A row reads: the action, the object, and the people (positions in tests/agencies/conftest.py)
who are allowed. Everyone else in POSITIONS must be refused.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

import access
from agencies.models import Membership, Role
from referrals.list_paging import CappedPaginator
from referrals.models import BreakGlassAccess, Referral, ReferralState
from tests.agencies.conftest import POSITIONS

VIEWERS_OF_REFERRAL = {
    "referrer_a",  # submitted it
    "lead_a",  # lead of the referring agency
    "lead_b",  # lead of the agency it is shared with
    "coordinator",  # screens every submitted referral
    "chair",  # listed on a meeting of the chair's panel
    "member_p",  # listed on a meeting of the member's panel
    "auditor",  # reads any case, read-only, with a reason
}

RULES = [
    ("view_referral", "referral", VIEWERS_OF_REFERRAL),
    ("view_referral", "draft", {"referrer_a"}),
    ("change_referral", "referral", {"lead_a", "coordinator"}),
    ("change_referral", "draft", {"referrer_a"}),
    ("share_referral", "referral", {"lead_a", "coordinator"}),
    ("share_referral", "draft", set()),
    ("break_glass", "referral", {"lead_c"}),
    ("break_glass", "draft", set()),
    ("view_audit_trail", "referral", {"lead_a", "dpo"}),
    (
        "view_contribution",
        "panel_only",
        {"referrer_a", "lead_a", "coordinator", "chair", "member_p", "auditor"},
    ),
    ("view_contribution", "normal", VIEWERS_OF_REFERRAL),
    ("delete_referral", "referral", set()),  # unknown to the policy: refused for everyone
    ("export_everything", "referral", set()),
]


@pytest.mark.parametrize(
    ("action", "object_name", "allowed", "position"),
    [
        (action, object_name, allowed, position)
        for action, object_name, allowed in RULES
        for position in POSITIONS
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_policy_allows_exactly_the_people_in_the_rule(
    world, action, object_name, allowed, position
):
    obj = getattr(world, object_name)
    user = world.people[position]

    assert access.allows(user, action, obj) is (position in allowed)


@pytest.mark.parametrize("position", POSITIONS)
def test_visible_referrals_agrees_with_can_view_referral_for_everyone(world, position):
    user = world.people[position]
    visible = set(access.visible_referrals(user).values_list("pk", flat=True))

    for referral in (world.referral, world.draft):
        assert (referral.pk in visible) is access.can_view_referral(user, referral)


@pytest.mark.parametrize("position", POSITIONS)
def test_visible_contributions_agrees_with_can_view_contribution(world, position):
    user = world.people[position]
    visible = set(access.visible_contributions(user, world.referral).values_list("pk", flat=True))

    for contribution in (world.panel_only, world.normal):
        assert (contribution.pk in visible) is access.can_view_contribution(user, contribution)


@pytest.mark.parametrize("position", POSITIONS)
def test_contributions_visible_to_agrees_with_visible_contributions(world, position):
    """The queryset across referrals (a child's chronology) and the one per referral, asked
    both outside a scope and, as a page asks, of a referral fetched within one."""
    user = world.people[position]
    across = set(access.contributions_visible_to(user).values_list("pk", flat=True))
    mine = {world.panel_only.pk, world.normal.pk}

    assert across & mine == set(
        access.visible_contributions(user, world.referral).values_list("pk", flat=True)
    )
    with access.scope():
        try:
            fetched = access.get_referral_for(user, world.referral.pk)
        except access.NotFoundForUser:
            return
        assert across & mine == set(
            access.visible_contributions(user, fetched).values_list("pk", flat=True)
        )


def test_only_the_quality_auditor_must_give_a_reason_to_read(world):
    needs_reason = {
        position
        for position in POSITIONS
        if position != "anonymous"
        and access.must_give_view_reason(world.people[position], world.referral)
    }

    assert needs_reason == {"auditor"}


@pytest.mark.parametrize("position", POSITIONS)
def test_may_refer_for_agrees_with_referring_agencies_for_everyone(world, position):
    """`may_refer_for` answers from the roles already read, with no query; it must give what
    `referring_agencies` gives, for every agency, a closed one too."""
    user = world.people[position]
    closed = world.agencies["c"]
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    access.forget(user.pk)
    referring = set(access.referring_agencies(user).values_list("pk", flat=True))

    for agency in world.agencies.values():
        assert access.may_refer_for(user, agency) == (agency.pk in referring), agency.name


@pytest.mark.parametrize("position", POSITIONS)
def test_the_listed_and_counted_referrals_are_the_visible_referrals_for_everyone(world, position):
    """The referral list shows and counts from `listable_referrals` (counted rule by rule,
    one query per rule): the same rows as `visible_referrals`."""
    user = world.people[position]
    visible = set(access.visible_referrals(user).values_list("pk", flat=True))

    listed, rules = access.listable_referrals(user)
    counted = set().union(*(rule.values_list("pk", flat=True) for rule in rules))

    assert set(listed.values_list("pk", flat=True)) == visible
    assert counted == visible
    assert CappedPaginator(listed, 25, counted_parts=rules).count == len(visible)


def test_the_counted_referrals_agree_for_a_person_with_several_narrow_rules(world):
    """A panel member who also refers and holds an allocated case: three narrow rules (their
    own referrals, their panel's agendas, the allocation; break glass is a lead's rule),
    counted rule by rule, the same rows as the one OR-ed query."""
    member = world.people["member_q"]
    agency_c = world.agencies["c"]
    own = Referral.objects.create(
        reference="T-0101",
        child=world.referral.child,
        agency=agency_c,
        referrer=member,
        state=ReferralState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    Membership.objects.create(user=member, agency=agency_c, role=Role.REFERRER)
    allocated = Referral.objects.create(
        reference="T-0102",
        child=world.referral.child,
        agency=world.agencies["b"],
        referrer=world.people["lead_b"],
        state=ReferralState.SCREENED,
        submitted_at=timezone.now(),
    )
    assign_perm("referrals.view_referral", member, allocated)
    BreakGlassAccess.objects.create(
        referral=world.referral,
        user=member,
        reason="Out of hours: the child is missing tonight.",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    access.forget(member)

    listed, rules = access.listable_referrals(member)

    counted = set().union(*(rule.values_list("pk", flat=True) for rule in rules))
    assert counted == set(access.visible_referrals(member).values_list("pk", flat=True))
    assert {own.pk, allocated.pk} <= counted
    assert len(rules) == 3
    assert (
        CappedPaginator(listed, 25, counted_parts=rules).count
        == access.visible_referrals(member).count()
    )
