"""Reminders of the return home interview's 72-hour clock, made by the `send_reminders` job
like the actions' (notifications/reminders.py): before the clock runs out the team that
offers the interview is reminded; after it, the team, its agency's leads and the panel
coordinators are told it is overdue. Each is made once per clock (a unique key)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

import access
from missing.models import InterviewOutcome, ReturnInterview
from notifications import services
from notifications.models import NotificationKind


def return_interview_reminders(*, now=None) -> int:
    now = now or timezone.now()
    warning = timedelta(hours=settings.RETURN_INTERVIEW_WARNING_HOURS)
    made = 0
    waiting = ReturnInterview.objects.filter(
        outcome__in=[InterviewOutcome.WAITING, InterviewOutcome.OFFERED],
        due_at__lte=now + warning,
    ).select_related("episode")
    for interview in waiting.iterator():
        episode = interview.episode
        when = timezone.localtime(interview.due_at).strftime("%H:%M on %d %B")
        if interview.due_at > now:
            kind, who = NotificationKind.ACTION_DUE_SOON, access.users_to_tell_of_return_interview
            message = (
                f"Missing episode {episode.reference}: the return home interview is due by {when}."
            )
        else:
            kind = NotificationKind.ACTION_ESCALATED
            who = access.users_to_escalate_return_interview_to
            message = (
                f"Missing episode {episode.reference}: the return home interview was due by "
                f"{when} and is overdue."
            )
        made += len(
            services.notify(
                recipients=who(interview),
                kind=kind,
                message=message,
                link=f"/missing/{episode.pk}/",
                dedupe_key=f"return_interview:{kind}:{interview.pk}:{interview.due_at.isoformat()}",
            )
        )
    return made
