"""An API token is kept only as its SHA-256: the key is shown once, when it is issued, and a
copy of the database cannot be used to call the API. Issuing, rotating and revoking a token
are each written to the audit trail, by the same service whichever way they are done."""

import hashlib
import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from agencies.models import AuditAction, AuditEvent
from referrals.api import tokens
from referrals.models import ApiToken

LIST = "/api/v1/referrals/"


def sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def calls_with(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(LIST).status_code


def api_token(*args) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def token_events(person) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(object_type="auth.user", object_id=str(person.pk))
        .filter(detail__contains="API token")
        .order_by("pk")
        .values_list("action", "detail")
    )


@pytest.fixture
def dana(world):
    return world.people["referrer_a"]


# --- Kept only as a hash ------------------------------------------------------------------------


def test_an_issued_key_is_stored_only_as_its_sha_256(dana):
    key = tokens.api_token_issue(person=dana)

    stored = ApiToken.objects.get(user=dana)
    assert stored.key_sha256 == sha256(key)
    row = ApiToken.objects.filter(pk=stored.pk).values().get()
    assert key not in {str(value) for value in row.values()}
    assert len(key) >= 40


def test_the_key_calls_the_api_and_its_hash_does_not(dana):
    key = tokens.api_token_issue(person=dana)

    assert calls_with(key) == 200
    assert calls_with(sha256(key)) == 401
    assert calls_with(key[:-1]) == 401


def test_the_key_stops_working_when_its_person_is_made_inactive(dana):
    key = tokens.api_token_issue(person=dana)
    dana.is_active = False
    dana.save(update_fields=["is_active"])

    assert calls_with(key) == 401


def test_a_key_is_shown_once_so_a_second_issue_is_refused_pointing_to_rotate(dana):
    tokens.api_token_issue(person=dana)

    with pytest.raises(tokens.ApiTokenError, match="--rotate"):
        tokens.api_token_issue(person=dana)


# --- Audited, through one service -----------------------------------------------------------------


def test_issuing_rotating_and_revoking_are_each_audited(dana, world):
    first = tokens.api_token_issue(person=dana, actor=world.people["sysadmin"])
    second = tokens.api_token_rotate(person=dana)
    assert tokens.api_token_revoke(person=dana) is True

    assert token_events(dana) == [
        (AuditAction.CREATED, "API token issued"),
        (AuditAction.CHANGED, "API token rotated: the earlier key no longer works"),
        (AuditAction.CHANGED, "API token revoked"),
    ]
    first_event = AuditEvent.objects.filter(detail="API token issued").get()
    assert first_event.actor == world.people["sysadmin"]
    details = " ".join(detail for _, detail in token_events(dana))
    assert first not in details and second not in details
    assert calls_with(first) == calls_with(second) == 401


def test_revoking_when_there_is_no_token_changes_and_records_nothing(dana):
    assert tokens.api_token_revoke(person=dana) is False
    assert token_events(dana) == []


def test_an_inactive_person_is_issued_no_token(dana):
    dana.is_active = False
    dana.save(update_fields=["is_active"])

    with pytest.raises(tokens.ApiTokenError, match="not active"):
        tokens.api_token_issue(person=dana)
    assert not ApiToken.objects.exists()
    assert token_events(dana) == []


def test_the_management_command_goes_through_the_audited_service(dana):
    key = api_token(dana.username)
    rotated = api_token(dana.username, "--rotate")
    api_token(dana.username, "--revoke")

    assert [action for action, _ in token_events(dana)] == [
        AuditAction.CREATED,
        AuditAction.CHANGED,
        AuditAction.CHANGED,
    ]
    assert AuditEvent.objects.filter(detail__startswith="API token").first().actor is None
    assert calls_with(key) == calls_with(rotated) == 401


def test_the_command_will_not_show_a_key_again(dana):
    api_token(dana.username)

    with pytest.raises(CommandError, match="shown only once"):
        api_token(dana.username)


# --- Tokens made before, in plain text ------------------------------------------------------------


def test_the_migration_hashes_every_plain_text_token_and_keeps_no_key(dana, world):
    migration = importlib.import_module("referrals.migrations.0006_api_tokens_hashed")
    plain = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token "
            "(key varchar(40) PRIMARY KEY, created timestamp NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [plain, "2025-03-01 09:30:00", dana.pk],
        )

    migration.hash_plain_tokens(apps, SimpleNamespace(connection=connection))

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        left = cursor.fetchone()[0]
        cursor.execute("DROP TABLE authtoken_token")
    assert left == 0
    assert ApiToken.objects.get(user=dana).key_sha256 == sha256(plain)
    assert calls_with(plain) == 200


def test_the_migration_runs_where_plain_tokens_never_existed(db):
    migration = importlib.import_module("referrals.migrations.0006_api_tokens_hashed")

    migration.hash_plain_tokens(apps, SimpleNamespace(connection=connection))

    assert not ApiToken.objects.exists()
