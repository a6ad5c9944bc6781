"""Writing the audit trail. Call it inside the transaction of the action it records."""

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, Value, When
from django.utils import timezone
from rest_framework.request import Request as ApiRequest

from agencies import selectors
from agencies.models import AnonymousRefusalCount, AuditAction, AuditEvent, Membership
from referrals.models import Child, Referral

Action = AuditAction

# Opening the same page again within this time (a reload, the redirect after a form) is not a
# new reading of it; the first view is always recorded.
VIEW_AUDIT_WINDOW = timedelta(minutes=15)


def _ip_or_none(value) -> str | None:
    try:
        # Without an IPv6 zone ("%eth0"): PostgreSQL's inet column refuses one.
        return str(ipaddress.ip_address(str(value).strip().split("%")[0]))
    except ValueError:
        return None


def address_from(*, peer: str | None, forwarded_for: str | None) -> str | None:
    """The client's address for the trail, from the connection's peer and its X-Forwarded-For.

    The header is written by whoever sent the request, so it is believed only as far as
    TRUSTED_PROXY_COUNT proxies in front of us vouch for it: with N trusted proxies, the
    address N hops from its right is the one the first trusted proxy saw. Anything that is
    not an IP address falls back to the peer's address."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0 and forwarded_for:
        chain = [hop.strip() for hop in forwarded_for.split(",")]
        if len(chain) >= hops:
            seen = _ip_or_none(chain[-hops])
            if seen:
                return seen
    return _ip_or_none(peer) if peer else None


def client_address(request) -> str | None:
    """The address an HTTP request came from (see address_from)."""
    if request is None:
        return None
    return address_from(
        peer=request.META.get("REMOTE_ADDR"),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
    )


def socket_address(scope) -> str | None:
    """The address a WebSocket came from (see address_from)."""
    client = scope.get("client")
    forwarded = b",".join(
        value for name, value in scope.get("headers", []) if name.lower() == b"x-forwarded-for"
    )
    return address_from(
        peer=client[0] if client else None,
        forwarded_for=forwarded.decode("latin-1") if forwarded else None,
    )


def actor_agency_id(actor, request=None):
    """The agency an audit row names for its actor: that of their earliest active membership
    (read from the request's memberships when `request` is theirs)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if request is not None and getattr(getattr(request, "user", None), "pk", None) == actor.pk:
        if (
            isinstance(request, ApiRequest)
            and getattr(request, "_active_memberships", None) is None
        ):
            # An API call draws no page header, so nothing else wants its memberships with
            # their agencies and teams (5 ms to read and build): the agency's id alone, kept
            # for the rest of the request.
            if getattr(request, "_actor_agency_id", _UNREAD) is _UNREAD:
                request._actor_agency_id = _earliest_agency_id(actor)
            return request._actor_agency_id
        # The request reads them once for its page header: the same rows, the one read.
        memberships = selectors.request_memberships(request)
        earliest = min(memberships, key=lambda m: (m.started_at, m.pk), default=None)
        return earliest.agency_id if earliest else None
    return _earliest_agency_id(actor)


_UNREAD = object()


def _earliest_agency_id(actor):
    return (
        Membership.objects.active()
        .filter(user=actor)
        .order_by("started_at", "pk")
        .values_list("agency_id", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Origin:
    """Where a request came from, as the plain values a service takes instead of the request:
    the client's address and the agency its person acts for (read once per request)."""

    address: str | None
    agency_id: int | None


def origin_of(request) -> Origin:
    """The Origin of a person's own request, for a view to hand to the service it calls."""
    return Origin(address=client_address(request), agency_id=actor_agency_id(request.user, request))


def record(
    *,
    actor,
    action: str,
    obj=None,
    referral=None,
    child=None,
    request=None,
    address: str | None = None,
    origin: Origin | None = None,
    reason: str = "",
    detail: str = "",
    object_type: str = "",
    object_id="",
) -> AuditEvent:
    """Append one audit row. `obj` names what was touched; a referral also names its child.
    Services pass the request's `origin` (or an `address`); `request` is for older callers."""
    if origin is not None:
        address = address or origin.address
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if referral is not None and child is None:
        child = referral.child_id and referral.child
    signed_in = _signed_in(actor)
    return AuditEvent.objects.create(
        actor=actor if signed_in else None,
        actor_agency_id=(
            origin.agency_id if origin is not None else actor_agency_id(actor, request)
        ),
        action=action,
        referral=referral,
        child=child or None,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=address or client_address(request),
        reason=reason,
        detail=detail[:500],
    )


def record_view(
    *,
    actor,
    obj=None,
    referral=None,
    address: str | None = None,
    detail: str = "",
    object_type: str = "",
    object_id="",
    within: timedelta = VIEW_AUDIT_WINDOW,
) -> AuditEvent | None:
    """Append a reading of `obj`, unless this person's reading of the same object is in the
    trail already within `within`; None when it was."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    recent = AuditEvent.objects.filter(
        actor=actor,
        action=Action.VIEWED,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail[:500],
        at__gte=timezone.now() - within,
    )
    if within and recent.exists():
        return None
    return record(
        actor=actor,
        action=Action.VIEWED,
        referral=referral,
        address=address,
        detail=detail,
        object_type=object_type,
        object_id=object_id,
    )


def _signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def door_of(request=None, where: str = "") -> str:
    """Which door refused, in words the client did not choose: the URL pattern's name for a
    page, else `where` with numbers blanked and anything unusual dropped."""
    match = getattr(request, "resolver_match", None) if request is not None else None
    if match is not None and match.view_name:
        return f"{request.method} {match.view_name}"[:100]
    return re.sub(r"[^A-Za-z /:_-]", "", re.sub(r"\d+", "N", where))[:100]


@transaction.atomic
def count_anonymous_refusal(*, address: str | None, door: str = "") -> bool:
    """Count a refusal of someone not signed in against their address and hour (one row each,
    shared by every process, not one audit row per request). True when the address is over
    ANONYMOUS_REFUSALS_PER_MINUTE this minute, so it should be told to slow down (429)."""
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    minute = now.replace(second=0, microsecond=0)
    limit = settings.ANONYMOUS_REFUSALS_PER_MINUTE
    tally, _ = AnonymousRefusalCount.objects.get_or_create(
        address=address or "",
        window_start=hour,
        defaults={"first_seen": now, "last_seen": now, "minute_start": minute},
    )
    # One statement, so concurrent requests in other processes cannot lose a count; the
    # right-hand sides read the row as it was.
    AnonymousRefusalCount.objects.filter(pk=tally.pk).update(
        count=F("count") + 1,
        throttled=Case(
            When(minute_start=minute, minute_count__gte=limit, then=F("throttled") + 1),
            default=F("throttled"),
            output_field=PositiveIntegerField(),
        ),
        minute_count=Case(
            When(minute_start=minute, then=F("minute_count") + 1),
            default=Value(1),
            output_field=PositiveIntegerField(),
        ),
        minute_start=minute,
        last_seen=now,
        last_door=door[:100],
    )
    tally.refresh_from_db(fields=["minute_count"])
    return tally.minute_count > limit


def record_refusal(
    *, actor, exc, request=None, address: str | None = None, where: str = ""
) -> AuditEvent | None:
    """Record a refused access, in a transaction of its own: the refusal changes nothing else.

    A signed-in person's refusal is one audit row each. Someone not signed in only adds to
    their address's count (count_anonymous_refusal): a stranger guessing addresses must not
    write the permanent trail at will, nor choose what it says. None then."""
    if not _signed_in(actor):
        count_anonymous_refusal(
            address=address or client_address(request), door=door_of(request, where)
        )
        return None
    with transaction.atomic():
        referral = Referral.objects.filter(pk=getattr(exc, "referral_id", None)).first()
        child = Child.objects.filter(pk=getattr(exc, "child_id", None)).first()
        if request is not None and not where:
            where = f"{request.method} {request.path}"
        return record(
            actor=actor,
            action=Action.REFUSED,
            referral=referral,
            child=child or (referral.child if referral else None),
            request=request,
            address=address,
            object_type=getattr(exc, "object_type", ""),
            object_id=getattr(exc, "object_id", ""),
            detail=where or str(exc),
        )
