import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

import access
from agencies.models import Agency, Membership, Team


def counts():
    return (
        get_user_model().objects.count(),
        Agency.objects.count(),
        Team.objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_twice_duplicates_nothing(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    assert first[0] >= 15
    assert "every password" in capsys.readouterr().out


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")

    assert get_user_model().objects.count() == 0


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_runs_with_debug_off_when_forced():
    call_command("seed_demo", "--force", "--quiet-logins")

    assert Agency.objects.filter(name="Fenmarsh Constabulary").exists()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_demo_has_a_grant_waiting_for_the_schools_lead_and_an_ended_role_with_its_trail():
    from agencies.models import AuditAction, AuditEvent, GrantStatus, Role

    call_command("seed_demo", "--quiet-logins")
    call_command("seed_demo", "--quiet-logins")

    waiting = Membership.objects.get(status=GrantStatus.PENDING)
    assert (waiting.user.username, waiting.role) == ("nia.castell", Role.REFERRER)
    assert waiting.requested_by.username == "admin.fenmarsh"
    owen = get_user_model().objects.get(username="owen.price")
    assert list(access.grants_to_decide(owen)) == [waiting]
    ended = Membership.objects.get(user__username="priya.okafor", ended_at__isnull=False)
    assert (ended.decided_by, ended.ended_by.username) == (owen, "admin.fenmarsh")
    assert ended.end_reason == "Moved to Willowmere Academy."
    assert list(
        AuditEvent.objects.filter(object_type="agencies.membership", object_id=str(ended.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [AuditAction.GRANT_REQUESTED, AuditAction.GRANT_APPROVED, AuditAction.MEMBERSHIP_ENDED]
