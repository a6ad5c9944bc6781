"""Every write about missing children: a report (page or API, at most once per
Idempotency-Key), the return, corrections, the return home interview and the decision on
the trigger's task. Each asks the policy first, writes its audit row in the same
transaction, and notifies (rung after commit)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import access
from agencies import audit
from agencies.models import Agency, AuditEvent, Team
from missing import matching, trigger
from missing.models import (
    ChildFlag,
    EpisodeChange,
    InterviewOutcome,
    MissingEpisode,
    MissingReportKey,
    ReturnInterview,
    TriggerDecision,
)
from notifications import services as notification_services
from notifications.models import NotificationKind

# Fields an episode's correction may change, with the words for them.
CORRECTABLE = {
    "missing_from": "Missing from",
    "missing_since": "When missing",
    "risk_grading": "Police risk grading",
    "thought_to_be": "Where thought to have been",
    "with_whom": "Who they were with",
    "circumstances": "Circumstances",
    "returned_at": "When found or returned",
    "found_where": "Where found",
    "found_by": "Found by",
}


class MissingError(Exception):
    """A write refused for a reason the person can act on; the message says what to do."""


@dataclass
class EpisodeDetails:
    missing_from: str
    missing_since: datetime
    risk_grading: str
    thought_to_be: str = ""
    with_whom: str = ""
    circumstances: str = ""
    returned_at: datetime | None = None
    found_where: str = ""
    found_by: str = ""


def episode_problems(details: EpisodeDetails, *, now: datetime | None = None) -> dict[str, str]:
    """One definition of a valid episode, for the page, the API and the services: field ->
    what to put right."""
    now = now or timezone.now()
    problems = {}
    if details.missing_since > now + timedelta(minutes=5):
        problems["missing_since"] = "When missing must not be in the future"
    if details.returned_at is not None:
        if details.returned_at < details.missing_since:
            problems["returned_at"] = "The return must be after the child went missing"
        elif details.returned_at > now + timedelta(minutes=5):
            problems["returned_at"] = "The return must not be in the future"
    return problems


def _refuse_problems(problems: dict[str, str]) -> None:
    if problems:
        raise MissingError(" ".join(f"{message}." for message in problems.values()))


def interview_team() -> Team | None:
    """The team that offers return home interviews (RETURN_INTERVIEW_TEAM), where set up."""
    return (
        Team.objects.filter(name=settings.RETURN_INTERVIEW_TEAM, agency__is_active=True)
        .order_by("pk")
        .first()
    )


def _reference_for(episode: MissingEpisode) -> str:
    return f"{settings.MISSING_REFERENCE_PREFIX}-{episode.reported_at:%Y}-{episode.pk:06d}"


def _start_interview_clock(episode: MissingEpisode) -> ReturnInterview:
    interview = ReturnInterview.objects.create(
        episode=episode,
        team=interview_team(),
        due_at=trigger.interview_due_at(episode.returned_at),
    )
    due = timezone.localtime(interview.due_at).strftime("%H:%M on %d %B")
    notification_services.notify(
        recipients=access.users_to_tell_of_return_interview(interview),
        kind=NotificationKind.ACTION_ASSIGNED,
        message=f"Missing episode {episode.reference}: a return home interview is due by {due}.",
        link=f"/missing/{episode.pk}/",
    )
    return interview


def _flag_if_triggered(episode: MissingEpisode) -> ChildFlag | None:
    """Raise the trigger's task for the child, unless one is already waiting for a decision
    (the coordinator sees this episode in the child's episodes there)."""
    reasons = trigger.reasons_to_flag(episode)
    if not reasons:
        return None
    if ChildFlag.objects.filter(child_id=episode.child_id, decided_at__isnull=True).exists():
        return None
    flag = ChildFlag.objects.create(
        child_id=episode.child_id,
        episode=episode,
        reason=reasons[0][0],
        detail=" ".join(detail for _, detail in reasons)[:300],
    )
    notification_services.notify(
        recipients=access.users_to_tell_of_child_flag(flag),
        kind=NotificationKind.ACTION_ASSIGNED,
        message=f"Missing episode {episode.reference}: the child met the missing trigger. "
        "Consider a strategy discussion or listing for the exploitation panel.",
        link=f"/missing/flags/{flag.pk}/",
    )
    return flag


@transaction.atomic(durable=True)
def episode_report(
    *,
    actor,
    agency: Agency,
    child: matching.ReportedChild,
    details: EpisodeDetails,
    key: str | None = None,
    sha256: str = "",
    address: str | None = None,
) -> MissingEpisode:
    """Report a child missing (or missing and already back). With an Idempotency-Key the key
    is claimed in the same transaction: a second request with the same key fails on the
    unique constraint and changes nothing (the API then answers with the first one's)."""
    if not access.missing_reporting_agencies(actor).filter(pk=agency.pk).exists():
        raise access.ForbiddenForUser(
            action="report a child missing for", object_type="agency", object_id=agency.pk
        )
    _refuse_problems(episode_problems(details))
    record, new_record = matching.child_record_for(child)
    episode = MissingEpisode.objects.create(
        # A unique placeholder within the column's 20 characters, replaced below by the
        # reference made from the episode's id.
        reference=f"new-{uuid.uuid4().hex[:16]}",
        child=record,
        reporting_agency=agency,
        reported_by=actor,
        **details.__dict__,
    )
    episode.reference = _reference_for(episode)
    episode.save(update_fields=["reference"])
    if key is not None:
        MissingReportKey.objects.create(user=actor, key=key, body_sha256=sha256, episode=episode)
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=episode,
        child=record,
        address=address,
        detail="Missing episode reported, "
        + ("a new child record" if new_record else "a known child"),
    )
    if episode.returned_at is not None:
        _start_interview_clock(episode)
    _flag_if_triggered(episode)
    return episode


@transaction.atomic(durable=True)
def episode_return(
    *,
    actor,
    episode: MissingEpisode,
    returned_at: datetime,
    found_where: str,
    found_by: str,
    address: str | None = None,
) -> MissingEpisode:
    """The child is found or has come back: the return home interview's clock starts."""
    access.require_can_change_missing_episode(actor, episode)
    episode = MissingEpisode.objects.select_for_update().get(pk=episode.pk)
    if episode.returned_at is not None:
        raise MissingError("The return is already recorded: correct it, giving the reason.")
    _refuse_problems(
        episode_problems(
            EpisodeDetails(
                missing_from=episode.missing_from,
                missing_since=episode.missing_since,
                risk_grading=episode.risk_grading,
                returned_at=returned_at,
            )
        )
    )
    episode.returned_at = returned_at
    episode.found_where = found_where.strip()
    episode.found_by = found_by.strip()
    episode.save(update_fields=["returned_at", "found_where", "found_by"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=episode,
        child=episode.child,
        address=address,
        detail="Return recorded",
    )
    _start_interview_clock(episode)
    return episode


def _as_json(value):
    return value.isoformat() if isinstance(value, datetime) else value


@transaction.atomic(durable=True)
def episode_correct(
    *, actor, episode: MissingEpisode, changes: dict, reason: str, address: str | None = None
) -> list[EpisodeChange]:
    """Correct fields of an episode: each change kept (old value, new value, who, when, why)."""
    access.require_can_change_missing_episode(actor, episode)
    reason = reason.strip()
    if not reason:
        raise MissingError("Give the reason for the correction.")
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise MissingError(f"These cannot be corrected: {', '.join(sorted(unknown))}.")
    episode = MissingEpisode.objects.select_for_update().get(pk=episode.pk)
    changed = {name: value for name, value in changes.items() if getattr(episode, name) != value}
    if not changed:
        raise MissingError("Nothing was changed.")
    if changed.get("returned_at", episode.returned_at) is None and episode.returned_at:
        raise MissingError("A recorded return cannot be removed: correct its time instead.")
    merged = {name: getattr(episode, name) for name in EpisodeDetails.__dataclass_fields__}
    _refuse_problems(episode_problems(EpisodeDetails(**{**merged, **changed})))
    rows = []
    for name, value in changed.items():
        rows.append(
            EpisodeChange.objects.create(
                episode=episode,
                field=name,
                old_value=_as_json(getattr(episode, name)),
                new_value=_as_json(value),
                changed_by=actor,
                reason=reason,
            )
        )
        setattr(episode, name, value)
    episode.save(update_fields=list(changed))
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=episode,
        child=episode.child,
        address=address,
        reason=reason,
        detail="Corrected: " + ", ".join(CORRECTABLE[name] for name in changed),
    )
    if "returned_at" in changed:
        interview = ReturnInterview.objects.filter(episode=episode).first()
        if interview is None:
            _start_interview_clock(episode)
        elif interview.is_open:
            interview.due_at = trigger.interview_due_at(episode.returned_at)
            interview.save(update_fields=["due_at"])
    if {"risk_grading", "missing_since"} & set(changed):
        _flag_if_triggered(episode)
    return rows


@transaction.atomic(durable=True)
def episode_view_record(*, actor, episode: MissingEpisode, address: str | None = None) -> None:
    """Record that a person read an episode (a reload within 15 minutes is the same reading)."""
    recent = AuditEvent.objects.filter(
        actor=actor,
        action=audit.Action.VIEWED,
        object_type=episode._meta.label_lower,
        object_id=str(episode.pk),
        at__gte=timezone.now() - audit.VIEW_AUDIT_WINDOW,
    )
    if recent.exists():
        return
    audit.record(
        actor=actor,
        action=audit.Action.VIEWED,
        obj=episode,
        child=episode.child,
        address=address,
        detail="Missing episode",
    )


@transaction.atomic(durable=True)
def episodes_export_record(*, actor, count: int, address: str | None = None) -> None:
    """Record a CSV export of the episodes the person may read."""
    if not access.can_export_missing_episodes(actor):
        raise access.ForbiddenForUser(action="export", object_type="missing episodes", object_id="")
    audit.record(
        actor=actor,
        action=audit.Action.EXPORTED_CSV,
        object_type="missing.missingepisode",
        object_id="list",
        address=address,
        detail=f"Missing episodes: {count} rows",
    )


# --- The return home interview ----------------------------------------------------------------


@dataclass
class InterviewRecord:
    outcome: str
    offered_at: datetime
    held_at: datetime | None = None
    declined_reason: str = ""
    childs_account: str = ""
    push_factors: str = ""
    pull_factors: str = ""
    risks: str = ""
    actions: str = ""


def interview_problems(record: InterviewRecord, interview: ReturnInterview) -> dict[str, str]:
    """One definition of a complete interview record, for the page and the service."""
    problems = {}
    returned_at = interview.episode.returned_at
    now = timezone.now() + timedelta(minutes=5)
    if record.outcome not in (
        InterviewOutcome.OFFERED,
        InterviewOutcome.ACCEPTED,
        InterviewOutcome.DECLINED,
    ):
        problems["outcome"] = "Choose whether the interview was offered, held or declined"
    if record.offered_at < returned_at or record.offered_at > now:
        problems["offered_at"] = "The offer must be after the return and not in the future"
    if record.outcome == InterviewOutcome.ACCEPTED:
        if record.held_at is None:
            problems["held_at"] = "Enter when the interview was held"
        elif record.held_at < record.offered_at or record.held_at > now:
            problems["held_at"] = "The interview must be after the offer and not in the future"
        if not record.childs_account.strip():
            problems["childs_account"] = "Enter what the child said, in their own words"
    if record.outcome == InterviewOutcome.DECLINED and not record.declined_reason.strip():
        problems["declined_reason"] = "Enter why the interview was declined"
    return problems


@transaction.atomic(durable=True)
def return_interview_record(
    *,
    actor,
    interview: ReturnInterview,
    record: InterviewRecord,
    address: str | None = None,
) -> ReturnInterview:
    """The interview offered, held (with what the child said) or declined (with why). An
    offer may be followed by the answer; a held or declined interview is final."""
    access.require_can_record_return_interview(actor, interview)
    interview = (
        ReturnInterview.objects.select_for_update().select_related("episode").get(pk=interview.pk)
    )
    if not interview.is_open:
        raise MissingError("The interview is already recorded as held or declined.")
    _refuse_problems(interview_problems(record, interview))
    if interview.offered_at is None or record.outcome == InterviewOutcome.OFFERED:
        interview.offered_at = record.offered_at
        interview.offered_by = actor
    interview.outcome = record.outcome
    if record.outcome == InterviewOutcome.ACCEPTED:
        interview.held_at = record.held_at
        interview.held_by = actor
    interview.declined_reason = record.declined_reason.strip()
    for name in ("childs_account", "push_factors", "pull_factors", "risks", "actions"):
        setattr(interview, name, getattr(record, name).strip())
    interview.recorded_by = actor
    interview.recorded_at = timezone.now()
    interview.save()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=interview,
        child=interview.episode.child,
        address=address,
        detail=f"Return home interview: {interview.get_outcome_display()}",
    )
    return interview


# --- The trigger's task -----------------------------------------------------------------------


@transaction.atomic(durable=True)
def child_flag_decide(
    *, actor, flag: ChildFlag, decision: str, reason: str, address: str | None = None
) -> ChildFlag:
    """The coordinator's decision on the trigger's task, with its reason (in the chronology)."""
    flag = ChildFlag.objects.select_for_update().get(pk=flag.pk)
    if not access.can_decide_child_flag(actor, flag):
        raise access.ForbiddenForUser(
            action="decide on", object_type="missing trigger", object_id=flag.pk
        )
    if decision not in TriggerDecision.values:
        raise MissingError("Choose a decision.")
    reason = reason.strip()
    if not reason:
        raise MissingError("Give the reason for the decision.")
    flag.decision = decision
    flag.decision_reason = reason
    flag.decided_by = actor
    flag.decided_at = timezone.now()
    flag.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=flag,
        child=flag.child,
        address=address,
        reason=reason,
        detail=f"Trigger decided: {flag.get_decision_display()}",
    )
    return flag
