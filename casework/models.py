"""Casework: who works a live case (allocation, with its history), each team's caseload
target, and the triple lock's independent review of live cases, its themes and the learning
actions that follow from them. Nothing here is deleted: an allocation ends, a review moves on."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.models import Team
from referrals.models import Referral, ReferralState

# A referral "goes on" (is worked as a case) when it is listed for panel or escalated: the
# workflow has no separate "kept open for work" state, so these two are the live states.
LIVE_STATES = (ReferralState.LISTED_FOR_PANEL, ReferralState.ESCALATED)
DEFAULT_CASELOAD_TARGET = 18


class CaseloadTarget(models.Model):
    """A team's promised caseload per worker; a team without a row has the default (18)."""

    team = models.OneToOneField(Team, on_delete=models.PROTECT, related_name="caseload_target")
    per_worker = models.PositiveSmallIntegerField(
        default=DEFAULT_CASELOAD_TARGET, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.per_worker} cases per worker in {self.team}"


class AllocationEnd(models.TextChoices):
    REALLOCATED = "reallocated", "Reallocated"
    CLOSED = "closed", "Closed"


class Allocation(models.Model):
    """A live case worked by one worker of one team of the lead agency, from when it was
    allocated until it is reallocated or closed (who, when, why at both ends)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="allocations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_kind = models.CharField(max_length=16, choices=AllocationEnd.choices, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["allocated_at", "pk"]
        indexes = [
            models.Index(fields=["team", "ended_at"], name="allocation_team_live"),
            models.Index(fields=["worker", "ended_at"], name="allocation_worker_live"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(ended_at__isnull=True),
                name="allocation_one_live_per_referral",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral} with {self.worker} ({self.team})"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class Grade(models.TextChoices):
    """Ofsted's four-point scale, best first."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class ReviewStatus(models.TextChoices):
    DRAWN = "drawn", "Drawn for review"
    FEEDBACK_GIVEN = "feedback_given", "Feedback given"
    RESPONDED = "responded", "Worker responded"
    CHANGES_RECORDED = "changes_recorded", "Changes recorded"


class Theme(models.Model):
    """A theme reviewers tag (e.g. "voice of the child not recorded")."""

    name = models.CharField(max_length=120, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReviewSample(models.Model):
    """A sample of live cases drawn for independent review, with the filters it was drawn by."""

    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(default=timezone.now)
    criteria = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"Sample {self.pk}"


class CaseReview(models.Model):
    """An independent review of one live case: the structured questions, a grade, feedback
    to the worker and their manager, the worker's response and what the manager changes."""

    sample = models.ForeignKey(
        ReviewSample, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="case_reviews")
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="reviews")
    # The team and worker at the time of drawing, kept for benchmarking after reallocation.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="case_reviews")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_reviews_of_me"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_reviews_made"
    )
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAWN
    )
    drawn_at = models.DateTimeField(default=timezone.now)
    decision_appropriate = models.BooleanField(null=True)
    decision_timely = models.BooleanField(null=True)
    voice_of_child_recorded = models.BooleanField(null=True)
    information_shared = models.BooleanField(null=True)
    risk_assessed = models.BooleanField(null=True)
    grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    feedback = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="reviews")
    graded_at = models.DateTimeField(null=True, blank=True)
    worker_response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    manager_changes = models.TextField(blank=True)
    changes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changes_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        indexes = [models.Index(fields=["graded_at"], name="casereview_graded")]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.referral}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class RequiredAction(models.Model):
    """What an "inadequate" grade starts: the team must act on the case by a date. Done when
    the manager records what changed."""

    review = models.OneToOneField(
        CaseReview, on_delete=models.PROTECT, related_name="required_action"
    )
    text = models.TextField()
    due_date = models.DateField()
    status = models.CharField(
        max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Required action on {self.review}"


class LearningKind(models.TextChoices):
    BRIEFING = "briefing", "Briefing"
    PRACTICE_STANDARD = "practice_standard", "Practice standard"
    TRAINING = "training", "Training"


class LearningAction(models.Model):
    """A theme turned into learning: a briefing or practice standard, its owner and date,
    tracked like a panel action."""

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="learning_actions")
    kind = models.CharField(max_length=20, choices=LearningKind.choices)
    text = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_actions"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.theme}"
