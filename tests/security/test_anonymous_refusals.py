"""Someone not signed in cannot write the audit trail at will: their refusals are counted per
address and hour (no path of their choosing kept), and too many in a minute are told 429.
A signed-in person's refusals are still audited one by one."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import connection, connections

import access
from agencies import audit
from agencies.models import AnonymousRefusalCount, AuditAction, AuditEvent


def guess(client, n: int, address: str = "203.0.113.5"):
    return client.get(f"/minutes/{9000 + n}/minutes.pdf?x=<script>{n}", REMOTE_ADDR=address)


def test_fifty_guessed_document_addresses_add_no_audit_rows_but_are_counted(client, db):
    statuses = [guess(client, n).status_code for n in range(50)]

    assert not AuditEvent.objects.exists()
    tally = AnonymousRefusalCount.objects.get()
    assert tally.address == "203.0.113.5"
    assert tally.count == 50
    assert tally.first_seen <= tally.last_seen
    assert statuses.count(404) == 30  # the default limit a minute, then:
    assert statuses[30:] == [429] * 20
    assert tally.throttled == 20


def test_the_counter_keeps_no_text_the_client_chose(client, db):
    guess(client, 1)

    tally = AnonymousRefusalCount.objects.get()
    assert tally.last_door == "GET minutes:download"
    assert "9001" not in tally.last_door and "script" not in tally.last_door


def test_the_answer_after_the_limit_is_429_and_says_when_to_come_back(client, db, settings):
    settings.ANONYMOUS_REFUSALS_PER_MINUTE = 3

    statuses = [guess(client, n).status_code for n in range(4)]
    response = guess(client, 5)

    assert statuses == [404, 404, 404, 429]
    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_the_limit_is_a_minute_and_the_count_an_hour(client, db, settings):
    settings.ANONYMOUS_REFUSALS_PER_MINUTE = 2
    start = datetime(2026, 11, 30, 14, 10, tzinfo=UTC)

    with mock.patch("django.utils.timezone.now", return_value=start):
        first_minute = [guess(client, n).status_code for n in range(3)]
    with mock.patch("django.utils.timezone.now", return_value=start.replace(minute=11)):
        next_minute = guess(client, 4).status_code
    with mock.patch("django.utils.timezone.now", return_value=start.replace(hour=15, minute=0)):
        guess(client, 5)

    assert first_minute == [404, 404, 429]
    assert next_minute == 404
    counts = sorted(AnonymousRefusalCount.objects.values_list("count", flat=True))
    assert counts == [1, 4]


def test_each_address_has_its_own_count(client, db, settings):
    settings.ANONYMOUS_REFUSALS_PER_MINUTE = 2

    for n in range(3):
        guess(client, n, address="203.0.113.5")
    other = guess(client, 9, address="198.51.100.8")

    assert other.status_code == 404
    assert dict(AnonymousRefusalCount.objects.values_list("address", "count")) == {
        "203.0.113.5": 3,
        "198.51.100.8": 1,
    }


def test_any_anonymous_refusal_is_counted_not_audited_whichever_door_records_it(db):
    from django.contrib.auth.models import AnonymousUser

    exc = access.NotFoundForUser(object_type="meeting", object_id=12)
    for _ in range(3):
        audit.record_refusal(
            actor=AnonymousUser(), exc=exc, address="10.9.9.9", where="WebSocket /ws/meetings/12/"
        )

    assert not AuditEvent.objects.exists()
    tally = AnonymousRefusalCount.objects.get()
    assert (tally.address, tally.count) == ("10.9.9.9", 3)
    assert tally.last_door == "WebSocket /ws/meetings/N/"


def test_a_signed_in_refusal_is_still_one_audit_row_each(client, world):
    client.force_login(world.people["referrer_c"])

    for n in range(40):
        response = client.get(f"/minutes/{9000 + n}/minutes.pdf")
        assert response.status_code == 404

    refusals = AuditEvent.objects.filter(
        actor=world.people["referrer_c"], action=AuditAction.REFUSED
    )
    assert refusals.count() == 40
    assert not AnonymousRefusalCount.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_refusals_counted_at_once_by_several_processes_lose_no_count(settings):
    """Each thread has its own database connection, as each daphne process does."""
    settings.ANONYMOUS_REFUSALS_PER_MINUTE = 1000

    def refuse_ten():
        try:
            for _ in range(10):
                audit.count_anonymous_refusal(address="203.0.113.9", door="GET minutes:download")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(refuse_ten) for _ in range(8)]:
            future.result()

    tally = AnonymousRefusalCount.objects.get()
    assert tally.count == 80
