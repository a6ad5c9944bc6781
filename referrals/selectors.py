"""Reads about referrals that are more than a .get(). Callers pass what the policy allows."""

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies import policy
from agencies.models import AuditEvent
from referrals.models import Referral


def referral_list_for(*, user, limit: int = 50) -> list[Referral]:
    """The first page of referrals the person may see, newest first, in one query."""
    return list(
        policy.visible_referrals(user)
        .select_related("agency", "child")
        .order_by("-created_at", "-id")[:limit]
    )


def _filter_audit(
    events: QuerySet, *, person: str = "", agency=None, since: date | None, until: date | None
):
    if person:
        events = events.filter(
            Q(actor__username__icontains=person)
            | Q(actor__first_name__icontains=person)
            | Q(actor__last_name__icontains=person)
        )
    if agency is not None:
        events = events.filter(actor_agency=agency)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events.select_related("actor", "actor_agency", "referral").order_by("-at", "-id")


def referral_audit_trail(*, referral: Referral, person="", agency=None, since=None, until=None):
    return _filter_audit(
        AuditEvent.objects.filter(referral=referral),
        person=person,
        agency=agency,
        since=since,
        until=until,
    )


def child_audit_trail(*, child, person="", agency=None, since=None, until=None):
    return _filter_audit(
        AuditEvent.objects.filter(child=child),
        person=person,
        agency=agency,
        since=since,
        until=until,
    )
