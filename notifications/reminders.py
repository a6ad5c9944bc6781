"""Reminders made by the `send_reminders` job. Each reminder has a key naming what it is
about and the deadline it reminds of, so it is made once however often the job runs, and
however many copies run at once (the key is unique in the database)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

import access
from notifications import services
from notifications.models import NotificationKind
from panels.models import INCOMPLETE_ACTION_STATUSES, Action
from referrals.clocks import working_days_between
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
                recipients=access.users_to_tell_of_screening_clock(referral),
                kind=kind,
                message=message,
                referral=referral,
                dedupe_key=f"{kind}:{clock}:{referral.pk}:{deadline.isoformat()}",
            )
        )
    return made


def action_reminders(*, today=None) -> int:
    """Due soon and overdue to the owner; overdue by more than the escalation threshold to
    the owning agency's leads and the panel coordinator. Days count in working days."""
    today = today or timezone.localdate()
    soon = settings.ACTION_DUE_SOON_WORKING_DAYS
    escalate_after = settings.ACTION_ESCALATE_AFTER_WORKING_DAYS
    made = 0
    actions = Action.objects.filter(status__in=INCOMPLETE_ACTION_STATUSES).select_related(
        "agenda_item__referral", "meeting", "owner_agency", "owner_person"
    )
    for action in actions.iterator():
        reference = action.referral.reference if action.referral else "the panel"
        due = action.due_date.strftime("%d %B %Y")
        if action.due_date >= today:
            if working_days_between(today, action.due_date) > soon:
                continue
            kind, who = NotificationKind.ACTION_DUE_SOON, access.users_to_tell_of_action
            message = f"Action {action.pk} on {reference} is due on {due}."
            key = f"{kind}:{action.pk}:{action.due_date.isoformat()}"
        else:
            overdue = working_days_between(action.due_date, today)
            if overdue > escalate_after:
                kind = NotificationKind.ACTION_ESCALATED
                who = access.users_to_escalate_action_to
                message = (
                    f"Action {action.pk} on {reference} for {action.owner_agency.name} is "
                    f"{overdue} working days overdue (due {due})."
                )
                key = f"{kind}:{action.pk}:{action.due_date.isoformat()}"
            else:
                kind, who = NotificationKind.ACTION_OVERDUE, access.users_to_tell_of_action
                message = f"Action {action.pk} on {reference} was due on {due} and is overdue."
                key = f"{kind}:{action.pk}:{action.due_date.isoformat()}"
        made += len(
            services.notify(
                recipients=who(action),
                kind=kind,
                message=message,
                referral=action.referral,
                link=f"/actions/{action.pk}/",
                dedupe_key=key,
            )
        )
    return made
