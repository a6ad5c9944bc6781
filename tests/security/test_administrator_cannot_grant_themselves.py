"""Issue 12, finding 1, on the service's own pages: the system administrator made themselves a
panel coordinator of another agency and read referrals, and nothing was audited.

Now nobody grants, approves, ends or changes a role of their own; a grant that opens case
content takes effect only when a second person approves it (a lead of that agency, or another
system administrator; never the person who asked for it, never the grantee); and every grant,
approval, refusal and end is in the audit trail and told to the agency's data protection
officers."""

# ruff: noqa: F811 (test arguments named `world` are uses of the imported fixture)

import pytest

import access
from agencies import sockets
from agencies.models import AuditAction, AuditEvent, GrantStatus, Membership, Role
from notifications.models import Notification, NotificationKind
from panels.models import Panel, PanelMembership, PanelRole
from tests.agencies.conftest import world  # noqa: F401 (the fixture, shared)
from tests.factories import MembershipFactory, UserFactory, person


@pytest.fixture
def admin(world):
    return world.people["sysadmin"]


@pytest.fixture
def second_admin(world):
    return person(Role.SYSTEM_ADMINISTRATOR, world.agencies["csc"], username="second_admin")


@pytest.fixture
def dpo_a(world):
    """Agency A's data protection officer (the world's own officer is of children's social care)."""
    return person(Role.DATA_PROTECTION_OFFICER, world.agencies["a"], username="dpo_a")


@pytest.fixture
def newcomer(world):
    return UserFactory(username="newcomer")


@pytest.fixture
def rechecked(monkeypatch):
    """The people whose open sockets were asked to check their access again."""
    asked = []
    monkeypatch.setattr(
        sockets, "recheck_sockets_on_commit", lambda *, user_ids: asked.extend(user_ids)
    )
    return asked


def as_(client, user):
    client.force_login(user)
    return client


def ask_for_role(client, grantee, *, agency, role, reason="Joined the public protection unit."):
    return client.post(
        f"/manage/people/{grantee.pk}/roles/new/",
        {"agency": agency.pk, "role": role, "team": "", "job_title": "", "reason": reason},
    )


def decide(client, grant, decision, reason=""):
    return client.post(
        f"/manage/roles/{grant.pk}/decide/", {"decision": decision, "reason": reason}
    )


def the_grant(grantee, role) -> Membership:
    return Membership.objects.get(user=grantee, role=role)


def told_to(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=NotificationKind.ACCESS_CHANGED)
        .order_by("pk")
        .values_list("message", flat=True)
    )


# --- The finding ------------------------------------------------------------------------------


def test_the_administrator_cannot_grant_themselves_a_coordinators_role_in_another_agency(
    client, world, admin
):
    as_(client, admin)

    page = client.get(f"/manage/people/{admin.pk}/roles/new/")
    post = ask_for_role(client, admin, agency=world.agencies["a"], role=Role.PANEL_COORDINATOR)

    assert (page.status_code, post.status_code) == (403, 403)
    assert not Membership.objects.filter(user=admin, role=Role.PANEL_COORDINATOR).exists()
    assert not access.visible_referrals(admin).exists()
    assert AuditEvent.objects.filter(actor=admin, action=AuditAction.REFUSED).count() == 2


def test_the_administrator_cannot_give_themselves_a_panel_seat(client, world, admin):
    panel = Panel.objects.get(name="Panel P")

    response = as_(client, admin).post(
        f"/manage/people/{admin.pk}/seats/new/",
        {
            "panel": panel.pk,
            "agency": world.agencies["csc"].pk,
            "role": PanelRole.CHAIR,
            "reason": "Covering.",
        },
    )

    assert response.status_code == 403
    assert not PanelMembership.objects.filter(user=admin).exists()


def test_a_grant_by_the_administrator_gives_no_case_access_until_a_lead_of_that_agency_approves(
    client, world, admin, newcomer
):
    response = ask_for_role(
        as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.AGENCY_LEAD
    )
    grant = the_grant(newcomer, Role.AGENCY_LEAD)

    assert response.status_code == 302
    assert grant.status == GrantStatus.PENDING
    assert grant.requested_by == admin
    assert not Membership.objects.active().filter(pk=grant.pk).exists()
    assert not access.can_view_referral(newcomer, world.referral)

    assert decide(as_(client, world.people["lead_a"]), grant, "approve").status_code == 302

    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (GrantStatus.APPROVED, world.people["lead_a"])
    assert access.can_view_referral(newcomer, world.referral)


def test_another_administrator_may_approve_in_place_of_a_lead(
    client, world, admin, second_admin, newcomer
):
    ask_for_role(as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.REFERRER)

    response = decide(as_(client, second_admin), the_grant(newcomer, Role.REFERRER), "approve")

    assert response.status_code == 302
    assert the_grant(newcomer, Role.REFERRER).status == GrantStatus.APPROVED


def test_the_requester_cannot_approve_their_own_request(client, world, admin, newcomer):
    ask_for_role(as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.AGENCY_LEAD)
    grant = the_grant(newcomer, Role.AGENCY_LEAD)

    page = client.get(f"/manage/roles/{grant.pk}/decide/")
    post = decide(client, grant, "approve")

    assert (page.status_code, post.status_code) == (403, 403)
    assert the_grant(newcomer, Role.AGENCY_LEAD).status == GrantStatus.PENDING
    assert not access.can_view_referral(newcomer, world.referral)


def test_the_administrator_cannot_approve_a_grant_made_for_them(client, world, admin, second_admin):
    ask_for_role(
        as_(client, second_admin), admin, agency=world.agencies["a"], role=Role.PANEL_COORDINATOR
    )
    grant = the_grant(admin, Role.PANEL_COORDINATOR)

    response = decide(as_(client, admin), grant, "approve")

    assert response.status_code == 403
    assert the_grant(admin, Role.PANEL_COORDINATOR).status == GrantStatus.PENDING
    assert not access.visible_referrals(admin).exists()


def test_a_lead_cannot_approve_a_grant_made_for_them(client, world, admin):
    lead = world.people["lead_a"]
    ask_for_role(as_(client, admin), lead, agency=world.agencies["a"], role=Role.PANEL_COORDINATOR)

    response = decide(as_(client, lead), the_grant(lead, Role.PANEL_COORDINATOR), "approve")

    assert response.status_code == 403
    assert the_grant(lead, Role.PANEL_COORDINATOR).status == GrantStatus.PENDING


def test_a_lead_of_another_agency_does_not_know_the_grant_exists(client, world, admin, newcomer):
    ask_for_role(as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.REFERRER)

    response = decide(
        as_(client, world.people["lead_b"]), the_grant(newcomer, Role.REFERRER), "approve"
    )

    assert response.status_code == 404
    assert the_grant(newcomer, Role.REFERRER).status == GrantStatus.PENDING


def test_an_administrators_role_needs_a_second_administrator_not_a_lead(
    client, world, admin, second_admin, newcomer
):
    ask_for_role(
        as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.SYSTEM_ADMINISTRATOR
    )
    grant = the_grant(newcomer, Role.SYSTEM_ADMINISTRATOR)

    assert decide(as_(client, world.people["lead_a"]), grant, "approve").status_code == 403
    assert decide(as_(client, second_admin), grant, "approve").status_code == 302
    assert access.can_administer(newcomer)


def test_a_board_members_role_opens_no_case_and_takes_effect_at_once(
    client, world, admin, newcomer, dpo_a
):
    ask_for_role(as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.BOARD_MEMBER)

    grant = the_grant(newcomer, Role.BOARD_MEMBER)
    assert grant.status == GrantStatus.APPROVED
    assert grant.decided_by is None  # nobody but the administrator was asked
    assert AuditEvent.objects.filter(action=AuditAction.GRANTED, object_id=str(grant.pk)).exists()
    assert len(told_to(dpo_a)) == 1
    assert not access.visible_referrals(newcomer).exists()


def test_a_refused_grant_gives_nothing_and_keeps_who_when_and_why(client, world, admin, newcomer):
    ask_for_role(as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.AGENCY_LEAD)
    grant = the_grant(newcomer, Role.AGENCY_LEAD)
    as_(client, world.people["lead_a"])

    without_reason = decide(client, grant, "refuse")
    refused = decide(client, grant, "refuse", "Not known to the unit.")

    assert without_reason.status_code == 200
    assert "<title>Error: " in without_reason.content.decode()
    assert refused.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REFUSED
    assert grant.decided_by == world.people["lead_a"]
    assert grant.decided_at is not None
    assert grant.decision_reason == "Not known to the unit."
    assert not Membership.objects.active().filter(pk=grant.pk).exists()
    assert not access.can_view_referral(newcomer, world.referral)
    assert decide(client, grant, "approve").status_code == 302  # already decided: nothing changes
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REFUSED


# --- Ending and changing ---------------------------------------------------------------------


def test_the_administrator_cannot_end_a_role_of_their_own(client, admin):
    own = Membership.objects.get(user=admin, role=Role.SYSTEM_ADMINISTRATOR)
    as_(client, admin)

    page = client.get(f"/manage/roles/{own.pk}/end/")
    post = client.post(f"/manage/roles/{own.pk}/end/", {"reason": "Tidying up."})

    assert (page.status_code, post.status_code) == (403, 403)
    own.refresh_from_db()
    assert own.ended_at is None


def test_the_administrator_cannot_deactivate_themselves(client, admin):
    response = as_(client, admin).post(
        f"/manage/people/{admin.pk}/deactivate/", {"reason": "Leaving."}
    )

    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.is_active


def test_ending_a_role_keeps_who_when_and_why_and_closes_the_persons_sockets(
    client, world, admin, dpo_a, rechecked
):
    lead = world.people["lead_a"]
    role = Membership.objects.get(user=lead, role=Role.AGENCY_LEAD)

    response = as_(client, admin).post(f"/manage/roles/{role.pk}/end/", {"reason": "Retired."})

    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.ended_by, role.end_reason) == (admin, "Retired.")
    assert role.ended_at is not None
    assert not access.can_view_referral(lead, world.referral)
    assert rechecked == [lead.pk]
    assert AuditEvent.objects.filter(
        action=AuditAction.MEMBERSHIP_ENDED, actor=admin, object_id=str(role.pk), reason="Retired."
    ).exists()
    assert len(told_to(dpo_a)) == 1


def test_deactivating_a_person_closes_their_sockets_and_is_audited_with_the_reason(
    client, world, admin, dpo_a, rechecked
):
    lead = world.people["lead_a"]

    response = as_(client, admin).post(
        f"/manage/people/{lead.pk}/deactivate/", {"reason": "Left the force."}
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert not lead.is_active
    assert rechecked == [lead.pk]
    assert AuditEvent.objects.filter(
        action=AuditAction.DEACTIVATED, object_id=str(lead.pk), reason="Left the force."
    ).exists()
    assert len(told_to(dpo_a)) == 1


# --- Every step audited and told ----------------------------------------------------------


def test_every_grant_approval_refusal_and_end_is_audited_and_told_to_the_agencys_dpos(
    client, world, admin, newcomer, dpo_a
):
    lead = world.people["lead_a"]
    ask_for_role(as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.REFERRER)
    ask_for_role(client, newcomer, agency=world.agencies["a"], role=Role.AGENCY_LEAD)
    decide(as_(client, lead), the_grant(newcomer, Role.REFERRER), "approve")
    decide(client, the_grant(newcomer, Role.AGENCY_LEAD), "refuse", "One referrer role is enough.")
    as_(client, admin).post(
        f"/manage/roles/{the_grant(newcomer, Role.REFERRER).pk}/end/", {"reason": "Moved away."}
    )

    steps = list(
        AuditEvent.objects.filter(object_type="agencies.membership")
        .order_by("pk")
        .values_list("action", "actor__username")
    )
    assert steps == [
        (AuditAction.GRANT_REQUESTED, "sysadmin"),
        (AuditAction.GRANT_REQUESTED, "sysadmin"),
        (AuditAction.GRANT_APPROVED, "lead_a"),
        (AuditAction.GRANT_REFUSED, "lead_a"),
        (AuditAction.MEMBERSHIP_ENDED, "sysadmin"),
    ]
    assert len(told_to(dpo_a)) == 5
    assert told_to(world.people["dpo"]) == []  # children's social care's officer: not theirs
    assert all(newcomer.get_full_name() in message for message in told_to(dpo_a))


def test_the_people_who_may_approve_are_asked_and_nobody_else(client, world, admin, newcomer):
    ask_for_role(as_(client, admin), newcomer, agency=world.agencies["a"], role=Role.REFERRER)

    asked = set(
        Notification.objects.filter(kind=NotificationKind.GRANT_TO_DECIDE).values_list(
            "recipient__username", flat=True
        )
    )

    assert asked == {"lead_a"}  # the only other administrator is the requester


# --- Panel seats -----------------------------------------------------------------------------


def test_a_panel_seat_opens_the_panels_cases_only_once_a_lead_of_its_agency_approves_it(
    client, world, admin, rechecked
):
    panel = Panel.objects.get(name="Panel P")
    nurse = person(Role.REFERRER, world.agencies["b"], username="nurse_b")
    dpo_b = person(Role.DATA_PROTECTION_OFFICER, world.agencies["b"], username="dpo_b")

    as_(client, admin).post(
        f"/manage/people/{nurse.pk}/seats/new/",
        {
            "panel": panel.pk,
            "agency": world.agencies["b"].pk,
            "role": PanelRole.MEMBER,
            "reason": "Health's deputy at panel.",
        },
    )
    seat = PanelMembership.objects.get(user=nurse)
    assert seat.status == GrantStatus.PENDING
    assert not access.can_view_referral(nurse, world.referral)
    assert (
        client.post(f"/manage/seats/{seat.pk}/decide/", {"decision": "approve"}).status_code == 403
    )

    as_(client, world.people["lead_b"]).post(
        f"/manage/seats/{seat.pk}/decide/", {"decision": "approve", "reason": ""}
    )
    assert access.can_view_referral(nurse, world.referral)

    as_(client, admin).post(f"/manage/seats/{seat.pk}/end/", {"reason": "Left the trust."})
    seat.refresh_from_db()
    assert (seat.ended_by, seat.end_reason) == (admin, "Left the trust.")
    assert not access.can_view_referral(nurse, world.referral)
    assert rechecked == [nurse.pk]
    assert list(
        AuditEvent.objects.filter(object_type="panels.panelmembership")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [AuditAction.GRANT_REQUESTED, AuditAction.GRANT_APPROVED, AuditAction.MEMBERSHIP_ENDED]
    assert len(told_to(dpo_b)) == 3


def test_the_administrator_cannot_end_a_seat_of_their_own(client, world, admin):
    seat = PanelMembership.objects.create(
        panel=Panel.objects.get(name="Panel P"), user=admin, agency=world.agencies["csc"]
    )

    response = as_(client, admin).post(f"/manage/seats/{seat.pk}/end/", {"reason": "Tidying."})

    assert response.status_code == 403
    seat.refresh_from_db()
    assert seat.ended_at is None


def test_pending_and_refused_seats_and_roles_give_nothing(world):
    nurse = UserFactory(username="nurse_pending")
    MembershipFactory(
        user=nurse,
        agency=world.agencies["b"],
        role=Role.PANEL_COORDINATOR,
        status=GrantStatus.PENDING,
    )
    MembershipFactory(
        user=nurse, agency=world.agencies["b"], role=Role.AGENCY_LEAD, status=GrantStatus.REFUSED
    )
    PanelMembership.objects.create(
        panel=Panel.objects.get(name="Panel P"),
        user=nurse,
        agency=world.agencies["b"],
        status=GrantStatus.PENDING,
    )

    assert access.roles_of(nurse).by_role == {}
    assert not PanelMembership.objects.active().filter(user=nurse).exists()
    assert not access.visible_referrals(nurse).exists()
