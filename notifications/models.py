"""What a person should know: delivered in the app at once, and by email as they prefer.

A notification names a reference and what happened, never a child's identifying details.
Each delivery by email is recorded (when, whether it failed, when to try again), so a failed
email is retried, not lost.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    REFERRAL_SHARED = "referral_shared", "A referral was shared with your agency"
    CONTRIBUTION_REQUESTED = "contribution_requested", "A referral is waiting for your agency"
    SCREENING_CLOCK_DUE = "screening_clock_due", "A screening clock is about to expire"
    SCREENING_CLOCK_EXPIRED = "screening_clock_expired", "A screening clock has expired"
    MEETING_INVITATION = "meeting_invitation", "You were invited to a meeting"
    ACTION_ASSIGNED = "action_assigned", "An action was assigned to you or your agency"
    ACTION_DUE_SOON = "action_due_soon", "An action is due soon"
    ACTION_OVERDUE = "action_overdue", "An action is overdue"
    ACTION_ESCALATED = "action_escalated", "An overdue action needs escalation"
    MINUTES_FOR_APPROVAL = "minutes_for_approval", "Minutes are waiting for your approval"
    MINUTES_APPROVED = "minutes_approved", "Approved minutes are available to you"
    MINUTES_RETURNED = "minutes_returned", "Minutes were returned to you with comments"
    BREAK_GLASS = "break_glass", "Someone broke the glass on a case of your agency"
    REFERRAL_DECIDED = "referral_decided", "A decision was made on your referral"
    ACCESS_CHANGED = "access_changed", "Someone's access to your agency changed"
    GRANT_TO_DECIDE = "grant_to_decide", "A grant of access waits for your approval"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # No child-identifying detail: a reference and what happened.
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True, help_text="A path in this service.")
    # Set for reminders, so each one is created once however often the reminder job runs.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the task it asked for was done (the minutes approved, the action completed): the
    # list shows it as done, and it no longer counts as unread.
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    GAVE_UP = "gave_up", "Failed, not retried"


class EmailDelivery(models.Model):
    """One notification's email: queued, sent, or failed and waiting to be tried again."""

    notification = models.OneToOneField(
        Notification, on_delete=models.PROTECT, related_name="email_delivery"
    )
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    digest = models.BooleanField(default=False)
    # A board copy sent as an attachment (only when its panel is configured to attach).
    attachment = models.ForeignKey(
        "panels.MinutesDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="emaildelivery_due")]

    def __str__(self) -> str:
        return f"Email for notification {self.notification_id}: {self.status}"


class NotificationPreferences(models.Model):
    """Which events a person also wants by email, and whether as one daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notification_preferences"
    )
    email_kinds = models.JSONField(
        default=list, blank=True, help_text="Kinds of notification also sent by email."
    )
    daily_digest = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self) -> str:
        return f"Preferences of {self.user}"

    def wants_email(self, kind: str) -> bool:
        return kind in self.email_kinds


# Until a person chooses, these are also sent by email: the ones that need action soon.
DEFAULT_EMAIL_KINDS = [
    NotificationKind.CONTRIBUTION_REQUESTED,
    NotificationKind.SCREENING_CLOCK_EXPIRED,
    NotificationKind.ACTION_ASSIGNED,
    NotificationKind.ACTION_OVERDUE,
    NotificationKind.ACTION_ESCALATED,
    NotificationKind.MINUTES_FOR_APPROVAL,
    NotificationKind.MINUTES_APPROVED,
    NotificationKind.BREAK_GLASS,
    NotificationKind.GRANT_TO_DECIDE,
]
