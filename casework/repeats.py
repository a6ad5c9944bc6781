"""The one definition of a repeat referral: the same child referred again within 12 months of
an earlier referral that left draft (the board's standard measure). Used by the dashboard and
by a review sample filtered to repeats, so the two never disagree."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from referrals.models import Referral


def twelve_months_before(moment: datetime) -> datetime:
    """The same moment a calendar year earlier (29 February goes to the 28th)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def is_repeat(submitted_at: datetime, earlier: Iterable[datetime]) -> bool:
    """A referral is a repeat when an earlier one of the same child was submitted within the
    12 months before it (on the same day a year before counts)."""
    since = twelve_months_before(submitted_at)
    return any(since <= other < submitted_at for other in earlier)


def submissions_by_child(child_ids: QuerySet | Iterable[int], *, since: datetime, until: datetime):
    """Every submission time of these children in [since, until), by child (one query)."""
    found: dict[int, list[datetime]] = {}
    rows = (
        Referral.objects.left_draft()
        .filter(child_id__in=child_ids, submitted_at__gte=since, submitted_at__lt=until)
        .values_list("child_id", "submitted_at")
    )
    for child_id, submitted_at in rows:
        found.setdefault(child_id, []).append(submitted_at)
    return found
