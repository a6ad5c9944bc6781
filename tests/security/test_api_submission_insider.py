"""Insiders with a valid login and an API token try to make or reach another agency's referral
through `POST /api/v1/referrals/`: naming an agency they do not act for, reusing another
person's Idempotency-Key and body, or replaying their own key after their role ended. The
agency is chosen among `access.referring_agencies` (read once), `intake.draft_save` asks
`access.may_refer_for`, and keys belong to one person. Each refusal is checked against the same
request made by someone with the right.

The world is tests/agencies' (tests/agencies/conftest.py): Agencies A and C, each with
referrers; A's lead."""

import pytest
from rest_framework.test import APIClient

from agencies import services as agency_services
from agencies.models import Membership
from referrals.api.tokens import api_token_issue
from referrals.models import Referral
from tests.agencies.conftest import world  # noqa: F401 (the fixture)
from tests.referrals.test_api_referrals import LIST, referral_body

pytestmark = pytest.mark.django_db

KEY = "2d6a1c55-0b0e-4a8e-9f3e-3f1b7c2e9a10"


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(person=user)}")
    return client


@pytest.mark.parametrize("insider", ["referrer_c", "lead_c"])
def test_another_agencys_id_is_refused_and_makes_nothing(world, insider):  # noqa: F811
    before = Referral.objects.count()
    body = referral_body(agency=world.agencies["a"].pk)

    refused = api_as(world.people[insider]).post(LIST, body, format="json")

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"agency": ["Choose an agency you act for"]}
    assert Referral.objects.count() == before
    # The same body from Agency A's referrer makes the referral: the door is not simply shut.
    made = api_as(world.people["referrer_a"]).post(LIST, body, format="json")
    assert made.status_code == 201
    assert made.json()["agency"]["id"] == world.agencies["a"].pk


def test_another_persons_key_and_body_do_not_replay_their_referral(world):  # noqa: F811
    theirs = api_as(world.people["referrer_a"]).post(
        LIST, referral_body(), format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert theirs.status_code == 201

    mine = api_as(world.people["referrer_c"]).post(
        LIST, referral_body(), format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )

    # A referral of Agency C's own, not a replay of A's.
    assert mine.status_code == 201
    assert "Idempotent-Replayed" not in mine
    assert mine.json()["id"] != theirs.json()["id"]
    assert mine.json()["agency"]["id"] == world.agencies["c"].pk
    # The same body made twice: a child record of its own, not a way into A's.
    assert mine.json()["child"]["first_name"] == theirs.json()["child"]["first_name"]
    assert mine.json()["child"]["id"] != theirs.json()["child"]["id"]


def test_a_key_replayed_after_the_role_ended_reveals_nothing(world):  # noqa: F811
    referrer = world.people["referrer_a"]
    client = api_as(referrer)
    made = client.post(LIST, referral_body(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert made.status_code == 201
    # Replayed while the role lasts: the same referral.
    again = client.post(LIST, referral_body(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert (again.status_code, again.json()["id"]) == (200, made.json()["id"])
    agency_services.membership_end(
        actor=world.people["sysadmin"],
        membership=Membership.objects.get(user=referrer, ended_at__isnull=True),
        reason="Left the force.",
    )

    replayed = client.post(LIST, referral_body(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert replayed.status_code == 403
    assert "child" not in replayed.json()
    assert made.json()["reference"] not in replayed.content.decode()
