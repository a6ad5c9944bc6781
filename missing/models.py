"""Missing episodes, their corrections, return home interviews on a 72-hour clock, and the
trigger that asks the panel coordinators to consider a strategy discussion or the exploitation
panel. Nothing is deleted: a correction keeps the old value, who changed it, when and why."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Team
from panels.models import ImmutableModel


class MissingFrom(models.TextChoices):
    HOME = "home", "Home"
    CARE_PLACEMENT = "care_placement", "Care placement"
    EDUCATION = "education", "Education"


class RiskGrading(models.TextChoices):
    NO_APPARENT_RISK = "no_apparent_risk", "No apparent risk"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class MissingEpisode(models.Model):
    """One time a child was missing: from the report to their return (or still missing)."""

    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="missing_episodes"
    )
    reporting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    missing_from = models.CharField(max_length=16, choices=MissingFrom.choices)
    missing_since = models.DateTimeField(help_text="When the child went missing.")
    risk_grading = models.CharField(max_length=20, choices=RiskGrading.choices)
    thought_to_be = models.TextField(
        blank=True, help_text="Where the child is thought to be or to have been."
    )
    with_whom = models.TextField(
        blank=True,
        help_text="Who the child is thought to be with. Persons of concern are linked too.",
    )
    circumstances = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    found_where = models.TextField(blank=True)
    found_by = models.CharField(max_length=200, blank=True, help_text="Who found the child.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-missing_since", "-id"]
        indexes = [
            models.Index(fields=["child", "missing_since"], name="missing_child_since"),
            models.Index(fields=["reporting_agency", "-missing_since"], name="missing_agency"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_missing(self) -> bool:
        return self.returned_at is None


class MissingReportKey(models.Model):
    """An API client's Idempotency-Key: the same key and body report one episode."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="missingreportkey_unique")
        ]

    def __str__(self) -> str:
        return self.key


class EpisodeChange(ImmutableModel):
    """One change to one field of an episode after it was first set: the old and new value,
    who, when and why. Written only by missing.services."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="changes")
    field = models.CharField(max_length=50)
    old_value = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    new_value = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.episode}: {self.field}"


class InterviewOutcome(models.TextChoices):
    WAITING = "waiting", "Not yet offered or held"
    OFFERED = "offered", "Offered, waiting for the child's answer"
    ACCEPTED = "accepted", "Accepted and held"
    DECLINED = "declined", "Declined"


class ReturnInterview(models.Model):
    """The independent return home interview an episode's return calls for: its 72-hour clock
    (`due_at`, clock hours from the return) and what it found. Owned by the team that offers
    interviews."""

    episode = models.OneToOneField(
        MissingEpisode, on_delete=models.PROTECT, related_name="return_interview"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, related_name="+")
    due_at = models.DateTimeField()
    outcome = models.CharField(
        max_length=16, choices=InterviewOutcome.choices, default=InterviewOutcome.WAITING
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.TextField(blank=True)
    childs_account = models.TextField(
        "the child's account", blank=True, help_text="What the child said, in their own words."
    )
    push_factors = models.TextField(blank=True)
    pull_factors = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["outcome", "due_at"], name="returninterview_clock")]

    def __str__(self) -> str:
        return f"Return home interview for {self.episode}"

    @property
    def is_open(self) -> bool:
        return self.outcome in (InterviewOutcome.WAITING, InterviewOutcome.OFFERED)

    @property
    def offered_in_time(self) -> bool:
        return self.offered_at is not None and self.offered_at <= self.due_at

    @property
    def held_in_time(self) -> bool:
        """Held within the clock: one held even a minute after it ran out is late."""
        return self.held_at is not None and self.held_at <= self.due_at

    def is_overdue(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at


class TriggerReason(models.TextChoices):
    REPEATED = "repeated", "Missing repeatedly"
    HIGH_RISK = "high_risk", "A high-risk episode"


class TriggerDecision(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Hold a strategy discussion"
    EXPLOITATION_PANEL = "exploitation_panel", "List for the exploitation panel"
    NO_FURTHER_ACTION = "no_further_action", "Neither, for the reason given"


class ChildFlag(models.Model):
    """The child met the trigger: a task for the panel coordinators to consider a strategy
    discussion or listing for the exploitation panel, and their decision with its reason."""

    child = models.ForeignKey("referrals.Child", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        MissingEpisode, on_delete=models.PROTECT, related_name="flags", help_text="Raised by."
    )
    reason = models.CharField(max_length=16, choices=TriggerReason.choices)
    detail = models.CharField(max_length=300)
    raised_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=24, choices=TriggerDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # One task waiting for a decision per child: a further episode joins it.
            models.UniqueConstraint(
                fields=["child"], condition=Q(decided_at__isnull=True), name="childflag_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"Flag on child {self.child_id}: {self.get_reason_display()}"

    @property
    def is_open(self) -> bool:
        return self.decided_at is None
