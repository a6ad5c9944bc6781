"""Children, referrals about them, and the sharing of a referral with other agencies."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency


class Child(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return f"Child {self.pk}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()


class ReferralState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SCREENED = "screened", "Screened"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    EARLY_HELP = "early_help", "Signposted to early help"
    LISTED_FOR_PANEL = "listed_for_panel", "Listed for panel"
    ESCALATED = "escalated", "Escalated"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Referral(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    state = models.CharField(
        max_length=24, choices=ReferralState.choices, default=ReferralState.DRAFT
    )
    concern = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "state", "-created_at"], name="referral_agency_state"),
            models.Index(fields=["referrer", "-created_at"], name="referral_referrer"),
            models.Index(fields=["state", "-created_at"], name="referral_state_created"),
            models.Index(fields=["-created_at", "-id"], name="referral_newest"),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferralUserObjectPermission(UserObjectPermissionBase):
    """django-guardian permissions on a referral held by one person (direct foreign key)."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    """django-guardian permissions on a referral held by a group: an agency's permission group."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralShare(models.Model):
    """A referral shared with another agency: recorded with its reason, withdrawn, never deleted."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="shares_received")
    reason = models.TextField()
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-shared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="referralshare_one_live_share_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral} shared with {self.agency}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


class ContributionSensitivity(models.TextChoices):
    NORMAL = "normal", "Normal"
    NOT_FOR_FAMILY = "not_for_family", "Not for the family"
    PANEL_ONLY = "panel_only", "Panel only"


class Contribution(models.Model):
    """What an agency knows about the child on a referral ("what we know")."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="contributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contributions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    sensitivity = models.CharField(
        max_length=16,
        choices=ContributionSensitivity.choices,
        default=ContributionSensitivity.NORMAL,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.agency} on {self.referral}"


class BreakGlassAccess(models.Model):
    """An agency lead's time-limited access to a case outside their rights, with a reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    reason = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["user", "expires_at"], name="breakglass_user_expiry")]

    def __str__(self) -> str:
        return f"Break glass on {self.referral} by {self.user}"
