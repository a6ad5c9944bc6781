"""What a person should know, delivered in the app (and, later, by email)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    REFERRAL_SHARED = "referral_shared", "A referral was shared with your agency"
    BREAK_GLASS = "break_glass", "Someone broke the glass on a case of your agency"
    CONTRIBUTION_REQUESTED = "contribution_requested", "A referral is waiting for your agency"


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
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"
