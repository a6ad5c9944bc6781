"""Reads about missing children: lists, a child's episodes, their chronology entries, and the
board's figures (counts only: no names, no references)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

import access
from missing.models import ChildFlag, InterviewOutcome, MissingEpisode, ReturnInterview


def episode_list(*, user, still_missing: bool = False) -> QuerySet[MissingEpisode]:
    episodes = access.visible_missing_episodes(user).select_related(
        "child", "reporting_agency", "return_interview"
    )
    if still_missing:
        episodes = episodes.filter(returned_at__isnull=True)
    return episodes.order_by("-missing_since", "-pk")


def episodes_of_child(*, user, child_id: int) -> list[MissingEpisode]:
    return list(
        access.visible_missing_episodes(user)
        .filter(child_id=child_id)
        .select_related("reporting_agency", "return_interview")
        .order_by("missing_since", "pk")
    )


@dataclass(frozen=True)
class MissingChronologyEntry:
    """An entry of a child's chronology, in the shape of referrals.selectors.ChronologyEntry
    (at, kind, agency, summary) with no referral: `link` and `link_text` lead to the episode."""

    at: datetime
    kind: str
    agency: str
    summary: str
    link: str
    link_text: str
    referral: None = None


def chronology_entries(*, user, child) -> list[MissingChronologyEntry]:
    """The child's missing episodes, returns, return home interviews and the trigger's
    decisions that this person may read, for the child's chronology (two queries)."""
    episodes = episodes_of_child(user=user, child_id=child.pk)
    entries = []
    for episode in episodes:
        link = reverse("missing:detail", args=[episode.pk])
        agency = episode.reporting_agency.name
        entries.append(
            MissingChronologyEntry(
                episode.missing_since,
                "Missing",
                agency,
                f"Missing from {episode.get_missing_from_display().lower()}; "
                f"risk: {episode.get_risk_grading_display().lower()}",
                link,
                episode.reference,
            )
        )
        if episode.returned_at:
            entries.append(
                MissingChronologyEntry(
                    episode.returned_at,
                    "Found or returned",
                    agency,
                    f"Found: {episode.found_where[:150]}" if episode.found_where else "Returned",
                    link,
                    episode.reference,
                )
            )
        interview = getattr(episode, "return_interview", None)
        if interview is not None and not interview.is_open:
            at = interview.held_at or interview.offered_at
            timing = "within 72 hours" if interview.held_in_time else "late"
            summary = (
                f"Held {timing}"
                if interview.outcome == InterviewOutcome.ACCEPTED
                else f"Declined: {interview.declined_reason[:150]}"
            )
            entries.append(
                MissingChronologyEntry(
                    at, "Return home interview", agency, summary, link, episode.reference
                )
            )
    if episodes:
        for flag in ChildFlag.objects.filter(child_id=child.pk):
            link = reverse("missing:flag", args=[flag.pk])
            entries.append(
                MissingChronologyEntry(
                    flag.raised_at, "Missing trigger met", "", flag.detail, link, "The task"
                )
            )
            if flag.decided_at:
                entries.append(
                    MissingChronologyEntry(
                        flag.decided_at,
                        "Decision on the missing trigger",
                        "",
                        f"{flag.get_decision_display()}: {flag.decision_reason[:150]}",
                        link,
                        "The task",
                    )
                )
    return sorted(entries, key=lambda entry: entry.at)


def flags_for(*, user, waiting_only: bool = True) -> QuerySet[ChildFlag]:
    flags = access.child_flags_visible_to(user).select_related("child", "episode")
    if waiting_only:
        flags = flags.filter(decided_at__isnull=True)
    return flags.order_by("-raised_at")


def missing_figures(*, since: datetime | None = None, until: datetime | None = None) -> dict:
    """Counts for the board: no names, no references, no child's details."""
    until = until or timezone.now()
    episodes = MissingEpisode.objects.filter(missing_since__lte=until)
    interviews = ReturnInterview.objects.filter(due_at__lte=until)
    if since is not None:
        episodes = episodes.filter(missing_since__gte=since)
        interviews = interviews.filter(due_at__gte=since)
    episode_counts = episodes.aggregate(
        episodes=Count("pk"),
        children=Count("child", distinct=True),
        still_missing=Count("pk", filter=Q(returned_at__isnull=True)),
        high_risk=Count("pk", filter=Q(risk_grading="high")),
    )
    interview_counts = interviews.aggregate(
        due=Count("pk"),
        offered_in_time=Count("pk", filter=Q(offered_at__lte=F("due_at"))),
        held_in_time=Count("pk", filter=Q(held_at__lte=F("due_at"))),
        declined=Count("pk", filter=Q(outcome=InterviewOutcome.DECLINED)),
    )
    due = interview_counts["due"]
    return {
        **episode_counts,
        **interview_counts,
        "offered_in_time_percent": round(100 * interview_counts["offered_in_time"] / due)
        if due
        else None,
        "held_in_time_percent": round(100 * interview_counts["held_in_time"] / due)
        if due
        else None,
        "flags_raised": ChildFlag.objects.filter(raised_at__lte=until)
        .filter(Q(raised_at__gte=since) if since else Q())
        .count(),
    }
