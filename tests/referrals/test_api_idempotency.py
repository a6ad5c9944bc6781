"""Idempotent creation: the same Idempotency-Key and body create one referral, however often
and however close together they are sent (referrals/api/submission.py)."""

import json
import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from agencies.models import AuditAction, AuditEvent
from referrals import intake
from referrals.api import submission
from referrals.api.tokens import api_token_issue
from referrals.models import IdempotencyKey, Referral, ReferralState
from tests.referrals.conftest import child_details, referral_details
from tests.referrals.test_api_referrals import (
    LIST,
    VALID_NHS_NUMBER,
    VALID_POSTCODE,
    api_as,
    referral_body,
)

KEY = "6f1c2a9e-4b7d-4f0e-9d55-0c9a1e7b3d21"


def post(client, body, key=KEY):
    return client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_twice_create_one_referral_returned_both_times(borough):
    api = api_as(borough["referrer"])

    first = post(api, referral_body())
    again = post(api, referral_body())

    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert again.json() == first.json()
    assert Referral.objects.count() == 1
    # Reading the referral again through a replay is a read like any other.
    assert (
        AuditEvent.objects.filter(action=AuditAction.VIEWED, actor=borough["referrer"]).count() == 1
    )


def test_key_order_and_spacing_of_the_json_do_not_make_it_another_request(borough):
    api = api_as(borough["referrer"])
    body = referral_body()
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=4)

    first = post(api, body)
    again = api.post(LIST, reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


def test_the_same_key_with_another_body_is_refused_with_422_and_creates_nothing(borough):
    api = api_as(borough["referrer"])
    post(api, referral_body())

    other = post(api, referral_body(child={"first_name": "Bryony"}))

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Referral.objects.count() == 1


def test_keys_belong_to_one_person_so_two_people_may_use_the_same_key(borough):
    post(api_as(borough["referrer"]), referral_body())

    theirs = post(api_as(borough["police_lead"]), referral_body())

    assert theirs.status_code == 201
    assert Referral.objects.count() == 2


def test_without_a_key_every_post_creates_a_referral(borough):
    api = api_as(borough["referrer"])

    first = api.post(LIST, referral_body(), format="json")
    second = api.post(LIST, referral_body(), format="json")

    assert first.status_code == second.status_code == 201
    assert Referral.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_refused_request_does_not_use_up_its_key(borough):
    api = api_as(borough["referrer"])

    refused = post(api, referral_body(details={"concern": ""}))
    corrected = post(api, referral_body())

    assert refused.status_code == 400
    assert corrected.status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 101, "tab\tin key"])
def test_an_unusable_key_is_a_field_error(borough, key):
    response = post(api_as(borough["referrer"]), referral_body(), key=key)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert not Referral.objects.exists()


def test_of_two_identical_requests_racing_the_loser_makes_nothing_and_gets_the_winner(
    borough, monkeypatch
):
    api = api_as(borough["referrer"])
    winner = post(api, referral_body()).json()
    # The loser looked for the key before the winner had committed it, so it saw none (twice:
    # before validating, and again in its transaction).
    claimed = submission._claimed
    not_yet = [None, None]
    monkeypatch.setattr(
        submission, "_claimed", lambda **kw: not_yet.pop() if not_yet else claimed(**kw)
    )

    loser = post(api, referral_body())

    assert loser.status_code == 200
    assert loser.json()["id"] == winner["id"]
    # Its draft, child, household and audit rows went with its transaction: no duplicate to
    # withdraw, no gap in the references.
    assert Referral.objects.count() == 1
    assert Referral.objects.get().state == ReferralState.SUBMITTED
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATED, object_type="referrals.referral"
        ).count()
        == 1
    )


def test_a_submission_stopped_part_way_leaves_nothing_and_its_retry_makes_the_referral(
    borough, monkeypatch
):
    api = api_as(borough["referrer"])

    def stops(**kwargs):
        raise ConnectionError("the process stopped")

    with monkeypatch.context() as patched:
        patched.setattr(intake, "submit_locked", stops)
        with pytest.raises(ConnectionError):
            post(api, referral_body())
    assert not Referral.objects.exists()
    assert not IdempotencyKey.objects.exists()
    retried = post(api, referral_body())

    assert retried.status_code == 201
    assert retried.json()["state"] == ReferralState.SUBMITTED
    assert Referral.objects.count() == 1


def test_a_retry_finishes_a_key_left_with_a_draft_by_the_older_three_step_submission(borough):
    # The older version saved the draft, claimed the key and submitted in three transactions,
    # so a process stopped between them could leave a claimed key on a draft.
    referrer = borough["referrer"]
    api = api_as(referrer)
    body = referral_body()
    draft = intake.referral_draft_save(
        actor=referrer,
        agency=borough["police"],
        child=child_details(nhs_number=VALID_NHS_NUMBER, postcode=VALID_POSTCODE),
        details=referral_details(),
        household=[],
    )
    IdempotencyKey.objects.create(
        user=referrer, key=KEY, body_sha256=submission.body_sha256(body), referral=draft
    )

    retried = post(api, body)

    assert retried.status_code == 200
    assert retried.json()["id"] == draft.pk
    assert retried.json()["state"] == ReferralState.SUBMITTED
    assert Referral.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_two_identical_requests_at_once_make_exactly_one_referral(borough):
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's (the PostgreSQL CI pass)")
    token = api_token_issue(person=borough["referrer"])
    start = threading.Barrier(2)
    responses = []

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        start.wait()
        try:
            responses.append(post(client, referral_body()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status_code for r in responses) == [200, 201]
    assert responses[0].json()["id"] == responses[1].json()["id"]
    assert Referral.objects.count() == 1  # the second waited for the first: not even a draft


@pytest.mark.django_db(transaction=True)
def test_eight_partner_systems_sending_at_once_all_get_their_referrals_numbered_in_turn(
    borough, settings
):
    """Referrals made at the same moment queue for the year's counter: none is refused
    ("Could not number the referral", 5% of concurrent API submissions before the counter)
    and the numbers follow on with no gap and no repeat."""
    settings.REFERRAL_REFERENCE_PREFIX = "FEN"
    token = api_token_issue(person=borough["referrer"])
    start = threading.Barrier(8)
    responses = []

    def send(n):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        start.wait()
        try:
            for m in range(5):  # each one after the other, as a partner's system sends them
                body = referral_body(child={"last_name": f"Quill{n}x{m}", "nhs_number": ""})
                key = f"6f1c2a9e-4b7d-4f0e-9d55-0c9a1e7b{n:02d}{m:02d}"
                responses.append(post(client, body, key=key))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refused = [r.json() for r in responses if r.status_code != 201]
    assert refused == []
    year = Referral.objects.first().created_at.year
    references = sorted(Referral.objects.values_list("reference", flat=True))
    assert references == [f"FEN-{year}-{n:04d}" for n in range(1, 41)]


def test_a_counter_behind_a_reference_given_outside_it_catches_up(borough, settings):
    """A reference written without the counter (an import) is never given twice: the next
    referral finds it taken, the counter catches up, and the number after it is used."""
    settings.REFERRAL_REFERENCE_PREFIX = "FEN"
    first = post(api_as(borough["referrer"]), referral_body())
    year = Referral.objects.get().created_at.year
    imported = Referral.objects.get()
    imported.pk = None
    imported.reference = f"FEN-{year}-0002"
    imported.save()

    second = post(api_as(borough["referrer"]), referral_body(), key="another-key-0001")

    assert first.status_code == 201 and second.status_code == 201
    assert second.json()["reference"] == f"FEN-{year}-0003"


def test_the_statement_that_takes_a_number_names_the_counters_table():
    from referrals.models import ReferenceSerial

    assert f'UPDATE "{ReferenceSerial._meta.db_table}" ' in intake.TAKE_NEXT_SERIAL
