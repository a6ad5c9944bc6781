"""Persons, places, vehicles and online accounts of concern ("subjects"), the panels where
they are discussed, and their links to children, missing episodes and referrals.

Much of this is police intelligence: a subject is "panel only" by default (its holding
agency and the members of the panels where it is discussed), never reaches a family or a
board paper, and the board sees counts only. Nothing is deleted: a link is ended, with who,
when and why."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from agencies.models import Agency


class SubjectKind(models.TextChoices):
    PERSON = "person", "Person"
    PLACE = "place", "Place"
    VEHICLE = "vehicle", "Vehicle"
    ONLINE_ACCOUNT = "online_account", "Online account"


class Sensitivity(models.TextChoices):
    PANEL_ONLY = "panel_only", "Panel only (the holding agency and the panel)"
    PARTNERS = "partners", "Also partners who may see a linked child"


class Subject(models.Model):
    """A person, place, vehicle or online account of concern."""

    kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    name = models.CharField(
        max_length=200,
        help_text="A person's name, a place's name, a vehicle's registration, an account's handle.",
    )
    aliases = models.JSONField(default=list, blank=True, help_text="Other names it is known by.")
    approximate_age = models.CharField(max_length=50, blank=True)
    address = models.TextField(blank=True)
    place_type = models.CharField(
        max_length=100, blank=True, help_text="A park, a takeaway, a hotel..."
    )
    vehicle_description = models.CharField(max_length=200, blank=True)
    platform = models.CharField(max_length=100, blank=True, help_text="Online accounts.")
    description = models.TextField(blank=True)
    sensitivity = models.CharField(
        max_length=16, choices=Sensitivity.choices, default=Sensitivity.PANEL_ONLY
    )
    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    panels = models.ManyToManyField(
        "panels.Panel", through="SubjectDiscussion", related_name="+", blank=True
    )

    class Meta:
        ordering = ["kind", "name", "pk"]
        indexes = [models.Index(fields=["holding_agency", "kind"], name="subject_agency")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class SubjectDiscussion(models.Model):
    """A subject taken to a panel: its members may read it from then on."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="discussions")
    panel = models.ForeignKey("panels.Panel", on_delete=models.PROTECT, related_name="+")
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    listed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["listed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "panel"], name="subjectdiscussion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at panel {self.panel_id}"


class LinkQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class Link(models.Model):
    """A subject linked to a child (through one of their missing episodes or referrals, or
    directly), with the nature of the link and where it comes from."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="links")
    child = models.ForeignKey("referrals.Child", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        "missing.MissingEpisode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subject_links",
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    nature = models.CharField(
        max_length=200, help_text="e.g. seen with, found at, drove, messaged the child."
    )
    source = models.CharField(
        max_length=200, help_text="e.g. police intelligence, return home interview."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        indexes = [
            models.Index(fields=["subject", "ended_at"], name="link_subject"),
            models.Index(fields=["child", "ended_at"], name="link_child"),
            models.Index(fields=["recorded_at"], name="link_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} linked to child {self.child_id}"
