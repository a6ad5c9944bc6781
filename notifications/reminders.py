"""Reminders made by the `send_reminders` job. Each reminder has a key naming what it is
about and the deadline it reminds of, so it is made once however often the job runs, and
however many copies run at once (the key is unique in the database)."""

from datetime import timedelta

from django.utils import timezone

from agencies import policy
from notifications import services
from notifications.models import NotificationKind
from referrals.models import Referral, ReferralState

# A clock "about to expire" has less than this left (wall time; clocks run in working time).
SCREENING_WARNING = timedelta(hours=1)


def screening_clock_reminders(*, now=None) -> int:
    """Tell the coordinators of screening and decision clocks about to expire, and expired."""
    now = now or timezone.now()
    made = 0
    waiting = Referral.objects.filter(
        state__in=[ReferralState.SUBMITTED, ReferralState.SCREENED]
    ).only("pk", "reference", "state", "screening_due_at", "decision_due_at")
    for referral in waiting.iterator():
        if referral.state == ReferralState.SUBMITTED:
            deadline, clock = referral.screening_due_at, "screening"
        else:
            deadline, clock = referral.decision_due_at, "decision"
        if deadline is None or deadline - now > SCREENING_WARNING:
            continue
        expired = deadline <= now
        kind = (
            NotificationKind.SCREENING_CLOCK_EXPIRED
            if expired
            else NotificationKind.SCREENING_CLOCK_DUE
        )
        when = timezone.localtime(deadline).strftime("%H:%M on %d %B")
        message = (
            f"The {clock} clock of referral {referral.reference} expired at {when}."
            if expired
            else f"The {clock} clock of referral {referral.reference} expires at {when}."
        )
        made += len(
            services.notify(
                recipients=policy.users_to_tell_of_screening_clock(referral),
                kind=kind,
                message=message,
                referral=referral,
                dedupe_key=f"{kind}:{clock}:{referral.pk}:{deadline.isoformat()}",
            )
        )
    return made
