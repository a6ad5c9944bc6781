"""The trigger and the 72-hour clock: one definition of each, used by the services, the
pages and the reminders.

- A child meets the trigger when MISSING_TRIGGER_EPISODES of their episodes started within
  MISSING_TRIGGER_DAYS days of each other (3 in 30 days: the first and the third at most 30
  days apart), or when an episode is graded high risk.
- A return home interview is due RETURN_INTERVIEW_HOURS clock hours after the return:
  nights, weekends and bank holidays count (the statutory 72 hours).
"""

from datetime import datetime, timedelta

from django.conf import settings

from missing.models import MissingEpisode, RiskGrading, TriggerReason
from referrals.clocks import add_clock_hours


def interview_due_at(returned_at: datetime) -> datetime:
    return add_clock_hours(returned_at, settings.RETURN_INTERVIEW_HOURS)


def trigger_window() -> timedelta:
    return timedelta(days=settings.MISSING_TRIGGER_DAYS)


def repeated_episodes(starts: list[datetime], including: datetime) -> list[datetime] | None:
    """The first run of MISSING_TRIGGER_EPISODES starts within the window that includes
    `including`, or None."""
    needed = settings.MISSING_TRIGGER_EPISODES
    starts = sorted(starts)
    window = trigger_window()
    for first in range(len(starts) - needed + 1):
        run = starts[first : first + needed]
        if run[-1] - run[0] <= window and run[0] <= including <= run[-1]:
            return run
    return None


def reasons_to_flag(episode: MissingEpisode) -> list[tuple[str, str]]:
    """(reason, detail) for each way this episode makes its child meet the trigger."""
    reasons = []
    if episode.risk_grading == RiskGrading.HIGH:
        reasons.append((TriggerReason.HIGH_RISK, f"{episode.reference} was graded high risk."))
    window = trigger_window()
    starts = list(
        MissingEpisode.objects.filter(
            child_id=episode.child_id,
            missing_since__gte=episode.missing_since - window,
            missing_since__lte=episode.missing_since + window,
        ).values_list("missing_since", flat=True)
    )
    run = repeated_episodes(starts, episode.missing_since)
    if run is not None:
        reasons.append(
            (
                TriggerReason.REPEATED,
                f"{len(run)} missing episodes within {settings.MISSING_TRIGGER_DAYS} days "
                f"({run[0]:%d %b %Y} to {run[-1]:%d %b %Y}).",
            )
        )
    return reasons
