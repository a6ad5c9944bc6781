"""Every write of casework: allocation and its history, caseload targets, independent review
of live cases (sample, grade, response, changes), themes and learning actions. Each asks the
policy first, writes its audit row in the same transaction, and tells people after commit."""

import random
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

import access
from agencies import audit
from agencies.models import Team
from casework.models import (
    Allocation,
    AllocationEnd,
    CaseloadTarget,
    CaseReview,
    FollowUpStatus,
    Grade,
    LearningAction,
    RequiredAction,
    ReviewSample,
    ReviewStatus,
    Theme,
)
from casework.repeats import is_repeat, submissions_by_child, twelve_months_before
from notifications.services import notify
from referrals.clocks import next_working_day
from referrals.models import Rag, Referral

# Notification kinds of casework (free text in Notification.kind, which is not validated).
KIND_ALLOCATED = "case_allocated"
KIND_REVIEW_FEEDBACK = "case_review_feedback"
KIND_REVIEW_RESPONSE = "case_review_response"
KIND_LEARNING_ACTION = "learning_action"

REQUIRED_ACTION_WORKING_DAYS = 10
MAX_SAMPLE = 50


def _need(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# --- Allocation -------------------------------------------------------------------------------


def _end_live(*, actor, referral: Referral, kind: str, reason: str, now) -> Allocation | None:
    live = Allocation.objects.select_for_update().filter(referral=referral, ended_at__isnull=True)
    allocation = live.first()
    if allocation is None:
        return None
    allocation.ended_at = now
    allocation.ended_by = actor
    allocation.end_kind = kind
    allocation.end_reason = reason
    allocation.save(update_fields=["ended_at", "ended_by", "end_kind", "end_reason"])
    remove_perm(access.VIEW_REFERRAL, allocation.worker, referral)
    access.forget(allocation.worker_id)
    return allocation


@transaction.atomic(durable=True)
def allocation_allocate(
    *, actor, referral: Referral, team: Team, worker, reason: str
) -> Allocation:
    """Allocate a live case to a worker of a team the actor manages; a case already allocated
    is reallocated (the earlier allocation ends, kept with who, when and why). The worker is
    given the case to read (django-guardian) and told."""
    access.require_can_allocate(actor, referral)
    reason = _need(reason, "reason", "Say why the case goes to this worker.")
    if not access.can_manage_team(actor, team):
        raise ValidationError({"team": "Choose a team you manage."})
    if not access.team_workers(team).filter(pk=worker.pk).exists():
        raise ValidationError({"worker": "Choose a worker of that team."})
    now = timezone.now()
    previous = _end_live(
        actor=actor, referral=referral, kind=AllocationEnd.REALLOCATED, reason=reason, now=now
    )
    allocation = Allocation.objects.create(
        referral=referral,
        team=team,
        worker=worker,
        allocated_by=actor,
        allocated_at=now,
        reason=reason,
    )
    assign_perm(access.VIEW_REFERRAL, worker, referral)
    access.forget(worker.pk)
    step = "Reallocated" if previous else "Allocated"
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED if previous else audit.Action.CREATED,
        obj=allocation,
        referral=referral,
        reason=reason,
        detail=f"{step} to {worker.get_username()} of {team.name}",
    )
    notify(
        recipients=access.users_to_tell_of_allocation(allocation),
        kind=KIND_ALLOCATED,
        message=f"{referral.reference} was allocated to you ({team.name}).",
        referral=referral,
    )
    return allocation


@transaction.atomic(durable=True)
def allocation_close(*, actor, referral: Referral, reason: str) -> Allocation:
    """End the live allocation of a case (the work is finished), with a reason."""
    access.require_can_allocate(actor, referral)
    reason = _need(reason, "reason", "Say why the allocation ends.")
    ended = _end_live(
        actor=actor, referral=referral, kind=AllocationEnd.CLOSED, reason=reason, now=timezone.now()
    )
    if ended is None:
        raise ValidationError({"reason": "The case is not allocated."})
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=ended,
        referral=referral,
        reason=reason,
        detail="Allocation closed",
    )
    return ended


@transaction.atomic(durable=True)
def caseload_target_set(*, actor, team: Team, per_worker: int) -> CaseloadTarget:
    """A team's manager sets the team's caseload target per worker."""
    if not access.can_manage_team(actor, team):
        raise access.ForbiddenForUser(
            action="set the target of", object_type="team", object_id=team.pk
        )
    if not 1 <= int(per_worker) <= 99:
        raise ValidationError({"per_worker": "Give a target between 1 and 99 cases."})
    target, _ = CaseloadTarget.objects.get_or_create(team=team)
    old = target.per_worker
    target.per_worker = int(per_worker)
    target.changed_by = actor
    target.changed_at = timezone.now()
    target.save(update_fields=["per_worker", "changed_by", "changed_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=target,
        detail=f"Caseload target of {team.name}: {old} -> {per_worker}",
    )
    return target


# --- Independent review -----------------------------------------------------------------------


def _candidates(actor, criteria: dict) -> list[Referral]:
    """The live cases the actor may review that match the sample's filters."""
    cases = access.reviewable_referrals(actor)
    live = Allocation.objects.filter(ended_at__isnull=True)
    if criteria.get("red"):
        cases = cases.filter(rag=Rag.RED)
    if criteria.get("team"):
        cases = cases.filter(pk__in=live.filter(team_id=criteria["team"]).values("referral_id"))
    if criteria.get("agency"):
        cases = cases.filter(
            pk__in=live.filter(team__agency_id=criteria["agency"]).values("referral_id")
        )
    found = list(cases.only("pk", "child_id", "submitted_at", "decided_at", "decision_due_at"))
    if criteria.get("past_clock"):
        now = timezone.now()
        found = [
            r for r in found if r.decision_due_at and (r.decided_at or now) > r.decision_due_at
        ]
    if criteria.get("repeat"):
        dated = [r for r in found if r.submitted_at]
        if dated:
            earliest = twelve_months_before(min(r.submitted_at for r in dated))
            latest = max(r.submitted_at for r in dated)
            by_child = submissions_by_child(
                {r.child_id for r in dated}, since=earliest, until=latest
            )
            found = [r for r in dated if is_repeat(r.submitted_at, by_child.get(r.child_id, []))]
        else:
            found = []
    return found


@transaction.atomic(durable=True)
def review_sample_draw(*, actor, size: int, criteria: dict) -> ReviewSample:
    """Draw at random up to `size` live cases the actor may review (never their own team's),
    filtered by red, repeat, past their clock, a team or an agency; one review each."""
    if not access.can_review_at_all(actor):
        raise access.ForbiddenForUser(action="draw", object_type="review sample", object_id="")
    size = max(1, min(int(size), MAX_SAMPLE))
    criteria = {key: value for key, value in criteria.items() if value}
    found = _candidates(actor, criteria)
    chosen = random.sample(found, min(size, len(found)))  # noqa: S311 (a sample, not a secret)
    sample = ReviewSample.objects.create(drawn_by=actor, criteria=criteria)
    live = {
        a.referral_id: a
        for a in Allocation.objects.filter(
            ended_at__isnull=True, referral_id__in=[r.pk for r in chosen]
        )
    }
    for referral in chosen:
        allocation = live[referral.pk]
        CaseReview.objects.create(
            sample=sample,
            referral=referral,
            allocation=allocation,
            team_id=allocation.team_id,
            worker_id=allocation.worker_id,
            reviewer=actor,
        )
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=sample,
        detail=f"Sample of {len(chosen)} live cases drawn for review ({criteria or 'random'})",
    )
    return sample


@transaction.atomic(durable=True)
def review_start(*, actor, referral: Referral) -> CaseReview:
    """Review one chosen live case (outside a sample): refused for a case of one's own team."""
    access.require_can_review_referral(actor, referral)
    allocation = Allocation.objects.get(referral=referral, ended_at__isnull=True)
    review = CaseReview.objects.create(
        referral=referral,
        allocation=allocation,
        team_id=allocation.team_id,
        worker_id=allocation.worker_id,
        reviewer=actor,
    )
    audit.record(actor=actor, action=audit.Action.CREATED, obj=review, referral=referral)
    return review


def _required_action_due(start: date) -> date:
    day = start
    for _ in range(REQUIRED_ACTION_WORKING_DAYS):
        day = next_working_day(day)
    return day


def _themes_named(actor, names) -> list[Theme]:
    themes = []
    for name in {n.strip() for n in names if n and n.strip()}:
        theme, _ = Theme.objects.get_or_create(
            name__iexact=name, defaults={"name": name[:120], "created_by": actor}
        )
        themes.append(theme)
    return themes


@transaction.atomic(durable=True)
def review_grade(
    *,
    actor,
    review: CaseReview,
    decision_appropriate: bool,
    decision_timely: bool,
    voice_of_child_recorded: bool,
    information_shared: bool,
    risk_assessed: bool,
    grade: str,
    feedback: str,
    themes: list[str],
) -> CaseReview:
    """Record the structured review, its grade and feedback; the worker and their manager are
    told at once. "Inadequate" starts a required action due in 10 working days."""
    review = CaseReview.objects.select_for_update().get(pk=review.pk)
    access.require_review_step(actor, review, "grade")
    if grade not in Grade.values:
        raise ValidationError({"grade": "Choose a grade."})
    feedback = _need(feedback, "feedback", "Write the feedback for the worker.")
    now = timezone.now()
    review.decision_appropriate = decision_appropriate
    review.decision_timely = decision_timely
    review.voice_of_child_recorded = voice_of_child_recorded
    review.information_shared = information_shared
    review.risk_assessed = risk_assessed
    review.grade = grade
    review.feedback = feedback
    review.graded_at = now
    review.status = ReviewStatus.FEEDBACK_GIVEN
    review.save(
        update_fields=[
            "decision_appropriate",
            "decision_timely",
            "voice_of_child_recorded",
            "information_shared",
            "risk_assessed",
            "grade",
            "feedback",
            "graded_at",
            "status",
        ]
    )
    review.themes.set(_themes_named(actor, themes))
    if grade == Grade.INADEQUATE:
        RequiredAction.objects.create(
            review=review,
            text=f"Act on the review's feedback: {feedback[:300]}",
            due_date=_required_action_due(timezone.localdate(now)),
        )
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=review,
        referral=review.referral,
        detail=f"Reviewed: {Grade(grade).label}",
    )
    notify(
        recipients=access.users_to_tell_of_review(review),
        kind=KIND_REVIEW_FEEDBACK,
        message=f"Review feedback on {review.referral.reference}: {Grade(grade).label}.",
        link=f"/casework/reviews/{review.pk}/",
    )
    return review


@transaction.atomic(durable=True)
def review_respond(*, actor, review: CaseReview, response: str) -> CaseReview:
    """The worker answers the feedback; their managers and the reviewer are told."""
    review = CaseReview.objects.select_for_update().get(pk=review.pk)
    access.require_review_step(actor, review, "respond")
    review.worker_response = _need(response, "response", "Write your response.")
    review.responded_at = timezone.now()
    review.status = ReviewStatus.RESPONDED
    review.save(update_fields=["worker_response", "responded_at", "status"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=review,
        referral=review.referral,
        detail="Worker responded to review",
    )
    # No referral on these: a team's manager reads the review, not always the case itself
    # (the case may be another agency's, allocated to their team); the review page decides.
    notify(
        recipients=access.team_managers(review.team).exclude(pk=actor.pk),
        kind=KIND_REVIEW_RESPONSE,
        message=f"The worker responded to the review of {review.referral.reference}.",
        link=f"/casework/reviews/{review.pk}/",
    )
    return review


@transaction.atomic(durable=True)
def review_record_changes(*, actor, review: CaseReview, changes: str) -> CaseReview:
    """A manager of the team records what changes; a required action is then done."""
    review = CaseReview.objects.select_for_update().get(pk=review.pk)
    access.require_review_step(actor, review, "record_changes")
    now = timezone.now()
    review.manager_changes = _need(changes, "changes", "Say what changes.")
    review.changes_recorded_by = actor
    review.changes_recorded_at = now
    review.status = ReviewStatus.CHANGES_RECORDED
    review.save(
        update_fields=["manager_changes", "changes_recorded_by", "changes_recorded_at", "status"]
    )
    RequiredAction.objects.filter(review=review, status=FollowUpStatus.OPEN).update(
        status=FollowUpStatus.DONE, completed_at=now
    )
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=review,
        referral=review.referral,
        detail="Manager recorded changes after review",
    )
    return review


# --- Learning ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def learning_action_create(
    *, actor, theme: Theme, kind: str, text: str, owner, due_date: date
) -> LearningAction:
    """A quality auditor turns a theme into a learning action with an owner and a date."""
    access.require_can_view_quality_overview(actor)
    text = _need(text, "text", "Say what the learning action is.")
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": "The date must be today or later."})
    action = LearningAction.objects.create(
        theme=theme, kind=kind, text=text, owner=owner, due_date=due_date, created_by=actor
    )
    audit.record(actor=actor, action=audit.Action.CREATED, obj=action, detail=f"Theme: {theme}")
    notify(
        recipients=[owner],
        kind=KIND_LEARNING_ACTION,
        message=f'A learning action on "{theme}" is yours, due {due_date:%d %B %Y}.',
        link="/casework/learning/",
    )
    return action


@transaction.atomic(durable=True)
def learning_action_complete(*, actor, action: LearningAction, note: str) -> LearningAction:
    """Its owner or a quality auditor marks it done, saying what was done."""
    action = LearningAction.objects.select_for_update().get(pk=action.pk)
    if not access.can_update_learning_action(actor, action):
        raise access.ForbiddenForUser(
            action="complete", object_type="learning action", object_id=action.pk
        )
    action.completion_note = _need(note, "note", "Say what was done.")
    action.status = FollowUpStatus.DONE
    action.completed_at = timezone.now()
    action.save(update_fields=["completion_note", "status", "completed_at"])
    audit.record(
        actor=actor, action=audit.Action.CHANGED, obj=action, detail="Learning action done"
    )
    return action
