"""Access follows live facts: ending a membership, withdrawing a share, closing a case,
and the end of a break-glass access each end what they gave, at once."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

import access
from agencies import services
from agencies.models import AuditAction, AuditEvent, Membership, Role
from notifications.models import Notification, NotificationKind
from panels.models import PanelMembership
from referrals import services as referral_services
from referrals.models import BreakGlassAccess, ReferralState
from tests.factories import person


def test_ending_a_membership_ends_the_access_it_gave_at_once(world):
    lead = world.people["lead_a"]
    membership = Membership.objects.get(user=lead, role=Role.AGENCY_LEAD)
    assert access.can_view_referral(lead, world.referral)

    services.membership_end(actor=world.people["sysadmin"], membership=membership, reason="Left")

    assert not access.can_view_referral(lead, world.referral)
    assert AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_ENDED).exists()


def test_withdrawing_a_share_ends_the_other_agencys_access_and_keeps_the_record(
    world, django_capture_on_commit_callbacks
):
    share = world.referral.shares.get()
    assert access.can_view_referral(world.people["lead_b"], world.referral)

    referral_services.referral_share_withdraw(
        actor=world.people["lead_a"], share=share, reason="Health no longer involved."
    )

    share.refresh_from_db()
    assert share.withdrawn_at is not None
    assert share.withdrawn_by == world.people["lead_a"]
    assert share.withdrawal_reason == "Health no longer involved."
    assert not access.can_view_referral(world.people["lead_b"], world.referral)


def test_sharing_tells_the_receiving_agencys_leads_and_nobody_else(world):
    told = Notification.objects.filter(kind=NotificationKind.REFERRAL_SHARED)

    assert [n.recipient for n in told] == [world.people["lead_b"]]
    assert world.referral.child.first_name not in told.get().message


def test_sharing_needs_a_reason(world):
    with pytest.raises(referral_services.ReferralError, match="reason"):
        referral_services.referral_share(
            actor=world.people["lead_a"],
            referral=world.referral,
            agency=world.agencies["c"],
            reason=" ",
        )


def test_a_person_who_may_read_but_not_share_is_refused(world):
    with pytest.raises(access.ForbiddenForUser):
        referral_services.referral_share(
            actor=world.people["member_p"],
            referral=world.referral,
            agency=world.agencies["c"],
            reason="Trying to share.",
        )


@override_settings(PANEL_ACCESS_GRACE_DAYS=28)
def test_panel_members_keep_access_to_a_closed_case_only_for_the_grace_period(world):
    member = world.people["member_p"]
    world.referral.state = ReferralState.CLOSED
    world.referral.closed_at = timezone.now() - timedelta(days=27)
    world.referral.save(update_fields=["state", "closed_at"])
    assert access.can_view_referral(member, world.referral)

    world.referral.closed_at = timezone.now() - timedelta(days=29)
    world.referral.save(update_fields=["closed_at"])

    assert not access.can_view_referral(member, world.referral)
    assert access.can_view_referral(world.people["lead_a"], world.referral)


def test_leaving_the_panel_ends_a_members_access(world):
    member = world.people["member_p"]
    PanelMembership.objects.filter(user=member).update(ended_at=timezone.now())

    assert not access.can_view_referral(member, world.referral)


def test_break_glass_opens_the_case_for_a_limited_time_and_tells_its_agency_lead(
    world, django_capture_on_commit_callbacks
):
    lead_c = world.people["lead_c"]
    assert not access.can_view_referral(lead_c, world.referral)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        glass = referral_services.referral_break_glass(
            actor=lead_c, referral=world.referral, reason="Sibling disclosed harm at school today."
        )

    assert access.can_view_referral(lead_c, world.referral)
    assert glass.expires_at - glass.opened_at == access.break_glass_duration()
    told = Notification.objects.filter(kind=NotificationKind.BREAK_GLASS)
    assert [n.recipient for n in told] == [world.people["lead_a"]]
    assert len(callbacks) == 1  # the doorbell, rung after commit
    assert AuditEvent.objects.filter(
        action=AuditAction.BREAK_GLASS, reason="Sibling disclosed harm at school today."
    ).exists()

    BreakGlassAccess.objects.filter(pk=glass.pk).update(expires_at=timezone.now())
    assert not access.can_view_referral(lead_c, world.referral)


def test_break_glass_needs_a_real_reason(world):
    with pytest.raises(referral_services.ReferralError, match="at least 10"):
        referral_services.referral_break_glass(
            actor=world.people["lead_c"], referral=world.referral, reason="urgent"
        )


def test_break_glass_page_opens_the_case_by_reference(client, world):
    client.force_login(world.people["lead_c"])

    response = client.post(
        "/break-glass/",
        {"reference": world.referral.reference, "reason": "Sibling disclosed harm at school."},
    )

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_break_glass_page_names_a_wrong_reference(client, world):
    client.force_login(world.people["lead_c"])

    response = client.post(
        "/break-glass/", {"reference": "NOPE-1", "reason": "A real reason here."}
    )

    assert "There is no referral with that reference" in response.content.decode()


def test_who_saw_this_record_filters_by_person_and_exports_csv_which_is_itself_audited(
    client, world
):
    for position in ("lead_a", "lead_b", "member_p"):
        client.force_login(world.people[position])
        client.get(f"/referrals/{world.referral.pk}/")
    client.force_login(world.people["dpo"])

    page = client.get(f"/referrals/{world.referral.pk}/audit/", {"person": "lead_b"})
    csv_response = client.get(f"/referrals/{world.referral.pk}/audit/", {"format": "csv"})

    viewers = {e.actor.username for e in page.context["events"] if e.action == AuditAction.VIEWED}
    assert viewers == {"lead_b"}
    assert csv_response["Content-Disposition"].startswith("attachment;")
    body = csv_response.content.decode()
    assert body.splitlines()[0] == "when,person,agency,action,reason,address,detail"
    assert "member_p" in body and "lead_a" in body
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORTED_CSV, actor=world.people["dpo"]
    ).exists()


def test_who_saw_this_record_rejects_an_end_date_before_the_start(client, world):
    client.force_login(world.people["dpo"])

    response = client.get(
        f"/referrals/{world.referral.pk}/audit/",
        {
            "since_0": "2",
            "since_1": "5",
            "since_2": "2026",
            "until_0": "1",
            "until_1": "5",
            "until_2": "2026",
        },  # fmt: skip
    )

    assert "The end date must be on or after the start date" in response.content.decode()


def test_who_saw_this_record_filters_by_the_dates_typed_in_the_govuk_date_input(client, world):
    client.force_login(world.people["dpo"])
    path = f"/referrals/{world.referral.pk}/audit/"
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)

    shown = client.get(path).context["events"]
    from_today = client.get(
        path, {"since_0": today.day, "since_1": today.month, "since_2": today.year}
    )
    from_tomorrow = client.get(
        path, {"since_0": tomorrow.day, "since_1": tomorrow.month, "since_2": tomorrow.year}
    )

    assert len(shown) > 0
    assert len(from_today.context["events"]) == len(shown)
    assert len(from_tomorrow.context["events"]) == 0
    assert 'name="since_0"' in from_today.content.decode()  # day, month and year boxes


def test_system_administrator_sees_no_case_content(world):
    assert not access.visible_referrals(world.people["sysadmin"]).exists()
    assert access.can_administer(world.people["sysadmin"])


def test_break_glass_also_tells_the_data_protection_officer_of_the_cases_agency(
    world, django_capture_on_commit_callbacks
):
    dpo_a = person(Role.DATA_PROTECTION_OFFICER, world.agencies["a"], username="dpo_a")

    referral_services.referral_break_glass(
        actor=world.people["lead_c"],
        referral=world.referral,
        reason="Sibling disclosed harm at school today.",
    )

    told = Notification.objects.filter(kind=NotificationKind.BREAK_GLASS)
    assert {n.recipient for n in told} == {world.people["lead_a"], dpo_a}
    # The DPO may not read the case: the notice names no case and leads to its audit trail.
    dpo_notice = told.get(recipient=dpo_a)
    assert dpo_notice.referral is None
    assert dpo_notice.link == f"/referrals/{world.referral.pk}/audit/"
    assert access.can_view_audit_trail(dpo_a, world.referral)
    # The council's DPO (another agency) is not told of agency A's case.
    assert world.people["dpo"] not in {n.recipient for n in told}
