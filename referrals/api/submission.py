"""Creating and submitting a referral in one API call, at most once per Idempotency-Key.

One transaction does it all: save the draft (referrals.intake.draft_save), claim the key for
it (the unique constraint on IdempotencyKey(user, key)), submit it
(referrals.intake.submit_locked). Either everything is written or nothing is: a request that
fails part-way leaves no draft behind, and its retry starts afresh. On PostgreSQL a
transaction advisory lock on the key makes a second identical request wait for the first to
commit, then replay it; elsewhere, of two identical requests racing, the one that loses the
claim rolls back everything it wrote and answers with the winner's referral. A key whose
referral is still a draft (left so by the older, three-transaction version of this module)
is submitted when the request is repeated, so a retry finishes the job.
"""

import hashlib
import json

from django.db import IntegrityError, connection, transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions

from agencies.models import Agency
from referrals import intake
from referrals.models import IdempotencyKey, Referral, ReferralState
from referrals.workflow import TransitionNotAllowed

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
# The header as the OpenAPI document describes it, for every endpoint that takes it.
IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_KEY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string of up to 100 characters, e.g. a UUID; yours "
    "alone (keys are per person).",
)
IDEMPOTENCY_KEY_MAX_LENGTH = IdempotencyKey._meta.get_field("key").max_length
# The advisory lock's first key: keeps these locks apart from any other use of advisory locks.
ADVISORY_LOCK_CLASS = 0x5AFE


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = (
        "This Idempotency-Key was used before with a different request body. "
        "Use a new key for a new referral."
    )
    default_code = "idempotency_key_reused"


def idempotency_key(request) -> str | None:
    """The request's Idempotency-Key header, checked; None when there is none."""
    key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise exceptions.ValidationError(
            {
                IDEMPOTENCY_KEY_HEADER: [
                    f"Give a key of 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters, "
                    "e.g. a UUID"
                ]
            }
        )
    return key


def body_sha256(data) -> str:
    """The SHA-256 of the body as canonical JSON: key order and whitespace do not matter."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claimed(*, actor, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=actor, key=key).first()


def replay(*, actor, key: str, sha256: str, request=None) -> Referral | None:
    """The referral this key already made (submitted, if it was left a draft), or None.
    The same key with another body is refused (422)."""
    claim = _claimed(actor=actor, key=key)
    if claim is None:
        return None
    if claim.body_sha256 != sha256:
        raise IdempotencyKeyReused()
    return _submitted(actor=actor, referral=claim.referral, request=request)


def _submitted(*, actor, referral: Referral, request=None) -> Referral:
    if referral.state == ReferralState.DRAFT:
        try:
            return intake.referral_submit(actor=actor, referral=referral, request=request)
        except TransitionNotAllowed:
            pass  # another request with the same key submitted it a moment ago
    referral.refresh_from_db()
    return referral


def _wait_for_key(*, actor, key: str | None) -> None:
    """PostgreSQL: requests with the same user and key run one at a time (a lock held until
    the caller's transaction ends). Elsewhere the unique constraint decides."""
    if key is None or connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"{actor.pk}\n{key}".encode()).digest()
    lock = [ADVISORY_LOCK_CLASS, int.from_bytes(digest[:4], "big", signed=True)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", lock)


class _KeyTaken(Exception):
    """The key was claimed by another request after this one looked: roll back and replay."""


def referral_create_and_submit(
    *,
    actor,
    agency: Agency,
    child: intake.ChildDetails,
    details: intake.ReferralDetails,
    household: list[intake.HouseholdDetails],
    key: str | None = None,
    sha256: str = "",
    request=None,
) -> tuple[Referral, bool]:
    """Save and submit a referral; with a key, at most once. Returns (referral, created).
    A new referral comes back with `new_household`, its household rows as written."""
    try:
        with transaction.atomic(durable=True):
            _wait_for_key(actor=actor, key=key)
            if key is not None:
                claim = _claimed(actor=actor, key=key)
                if claim is not None:
                    if claim.body_sha256 != sha256:
                        raise IdempotencyKeyReused()
                    earlier = claim.referral
                    if earlier.state != ReferralState.DRAFT:
                        return earlier, False
                    # Left a draft by the older version of this module: finished now.
                    earlier = Referral.objects.select_for_update().get(pk=earlier.pk)
                    return intake.submit_locked(
                        actor=actor, referral=earlier, request=request
                    ), False
            referral = intake.draft_save(
                actor=actor,
                agency=agency,
                child=child,
                details=details,
                household=household,
                request=request,
            )
            if key is not None:
                try:
                    # No savepoint: a refusal here ends the whole transaction, at once.
                    IdempotencyKey.objects.create(
                        user=actor, key=key, body_sha256=sha256, referral=referral
                    )
                except IntegrityError:
                    raise _KeyTaken() from None
            return intake.submit_locked(actor=actor, referral=referral, request=request), True
    except _KeyTaken:
        # Another request with this key committed first (not on PostgreSQL, where the lock
        # makes us wait for it): everything this one wrote is rolled back; answer with theirs.
        return replay(actor=actor, key=key, sha256=sha256, request=request), False
