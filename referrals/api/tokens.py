"""Issuing, rotating and revoking a person's API token: each written to the audit trail in the
same transaction. `manage.py api_token` is the door operators use; it calls these.

Only the key's SHA-256 is kept (referrals.ApiToken). The key is a random 160 bits, so a plain
SHA-256 is enough: there is nothing to guess that a slow, salted hash would protect. The key
is returned once, by the call that makes it, and cannot be shown again.
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from agencies import audit
from referrals.models import ApiToken

KEY_BYTES = 20  # 40 hexadecimal characters, the length DRF's own tokens have


class ApiTokenError(Exception):
    """A token operation refused for a reason the operator can act on."""


def key_digest(key: str) -> str:
    """What is stored of a key, and what a presented key is looked up by."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key(person: AbstractBaseUser) -> str:
    key = secrets.token_hex(KEY_BYTES)
    ApiToken.objects.create(user=person, key_sha256=key_digest(key))
    return key


def _record(*, actor, person, action: str, detail: str) -> None:
    # Names the person, never the key. No actor: an operator on the server.
    audit.record(actor=actor, action=action, obj=person, detail=detail)


def _require_active(person: AbstractBaseUser) -> None:
    if not person.is_active:
        raise ApiTokenError(f"{person.get_username()} is not active: an API token would not work.")


@transaction.atomic(durable=True)
def api_token_issue(*, person: AbstractBaseUser, actor: AbstractBaseUser | None = None) -> str:
    """Make the person's token and return its key, which is never shown again."""
    _require_active(person)
    if ApiToken.objects.filter(user=person).exists():
        raise ApiTokenError(
            f"{person.get_username()} has an API token already, and a key is shown only once. "
            "Use --rotate to replace it with a new one."
        )
    key = _new_key(person)
    _record(actor=actor, person=person, action=audit.Action.CREATED, detail="API token issued")
    return key


@transaction.atomic(durable=True)
def api_token_rotate(*, person: AbstractBaseUser, actor: AbstractBaseUser | None = None) -> str:
    """Replace the person's token (or make their first) and return the new key; the earlier
    key stops working at once."""
    _require_active(person)
    replaced, _ = ApiToken.objects.filter(user=person).delete()
    key = _new_key(person)
    if replaced:
        _record(
            actor=actor,
            person=person,
            action=audit.Action.CHANGED,
            detail="API token rotated: the earlier key no longer works",
        )
    else:
        _record(actor=actor, person=person, action=audit.Action.CREATED, detail="API token issued")
    return key


@transaction.atomic(durable=True)
def api_token_revoke(*, person: AbstractBaseUser, actor: AbstractBaseUser | None = None) -> bool:
    """Remove the person's token; False when they had none (nothing changed, nothing recorded)."""
    removed, _ = ApiToken.objects.filter(user=person).delete()
    if removed:
        _record(actor=actor, person=person, action=audit.Action.CHANGED, detail="API token revoked")
    return bool(removed)
