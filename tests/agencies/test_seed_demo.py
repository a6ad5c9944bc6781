import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

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
