"""`manage.py api_token <username>` gives a person the token their agency's system uses,
showing its key once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from agencies.models import Role
from referrals.api.tokens import key_digest
from referrals.models import ApiToken
from tests.factories import person


def api_token(*args) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.fixture
def referrer(db):
    return person(Role.REFERRER, username="dana")


def test_the_command_prints_a_new_token_that_authenticates_the_person(referrer):
    key = api_token("dana")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/referrals/").status_code == 200
    assert ApiToken.objects.get(user=referrer).key_sha256 == key_digest(key)


def test_asking_again_is_refused_as_the_key_is_shown_only_once(referrer):
    api_token("dana")

    with pytest.raises(CommandError, match="--rotate"):
        api_token("dana")


def test_rotating_replaces_the_token_and_the_old_one_stops_working(referrer):
    old = api_token("dana")

    new = api_token("dana", "--rotate")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert new != old
    assert client.get("/api/v1/referrals/").status_code == 401


def test_revoking_removes_the_token(referrer):
    api_token("dana")

    assert api_token("dana", "--revoke") == ""
    assert not ApiToken.objects.filter(user=referrer).exists()


def test_an_unknown_or_inactive_person_gets_no_token(referrer):
    referrer.is_active = False
    referrer.save(update_fields=["is_active"])

    with pytest.raises(CommandError, match="not active"):
        api_token("dana")
    with pytest.raises(CommandError, match="no person"):
        api_token("nobody")
    assert not ApiToken.objects.exists()
