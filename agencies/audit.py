"""Writing the audit trail. Call it inside the transaction of the action it records."""

from django.db import transaction

from agencies.models import AuditAction, AuditEvent, Membership

Action = AuditAction


def client_address(request) -> str | None:
    """The address the request came from (the proxy's X-Forwarded-For first hop in production)."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return address or None


def _actor_agency_id(actor):
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return (
        Membership.objects.active()
        .filter(user=actor)
        .order_by("started_at", "pk")
        .values_list("agency_id", flat=True)
        .first()
    )


def record(
    *,
    actor,
    action: str,
    obj=None,
    referral=None,
    child=None,
    request=None,
    address: str | None = None,
    reason: str = "",
    detail: str = "",
    object_type: str = "",
    object_id="",
) -> AuditEvent:
    """Append one audit row. `obj` names what was touched; a referral also names its child."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if referral is not None and child is None:
        child = referral.child_id and referral.child
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if signed_in else None,
        actor_agency_id=_actor_agency_id(actor),
        action=action,
        referral=referral,
        child=child or None,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=address or client_address(request),
        reason=reason,
        detail=detail[:500],
    )


def record_refusal(*, actor, exc, request=None, address: str | None = None, where: str = ""):
    """Record a refused access, in a transaction of its own: the refusal changes nothing else."""
    from referrals.models import Child, Referral

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
