"""Panels, who sits on them, their meetings, and the cases listed on each agenda."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency


class PanelKind(models.TextChoices):
    MASH = "mash", "MASH screening"
    EXPLOITATION = "exploitation", "Child exploitation and missing"
    MARAC = "marac", "MARAC (domestic abuse)"
    OTHER = "other", "Other"


class Panel(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=PanelKind.choices)
    member_agencies = models.ManyToManyField(Agency, related_name="panels", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PanelRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    COORDINATOR = "coordinator", "Coordinator"
    MEMBER = "member", "Member"
    DEPUTY = "deputy", "Deputy"


class PanelMembershipQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(Q(started_at__lte=at), Q(ended_at__isnull=True) | Q(ended_at__gt=at))


class PanelMembership(models.Model):
    """A person sitting on a panel for an agency, from a date until it is ended."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=PanelRole.choices, default=PanelRole.MEMBER)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    objects = PanelMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["panel__name", "role"]
        indexes = [models.Index(fields=["user", "ended_at"], name="panelmembership_user")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.panel}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Meeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.panel} on {self.starts_at:%d %B %Y}"


class AgendaItem(models.Model):
    """A case listed on a meeting's agenda; withdrawn from it, never deleted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveIntegerField(default=0)
    listed_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        indexes = [models.Index(fields=["referral", "withdrawn_at"], name="agendaitem_referral")]

    def __str__(self) -> str:
        return f"{self.referral} at {self.meeting}"
