"""Panels, who sits on them, their meetings, the agenda, attendance, actions, and the
numbered event log that a live meeting room replays from."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from agencies.models import Agency, AgencyType, GrantStatus, TwoPersonGrant
from referrals.clocks import working_days_between
from referrals.models import ContributionSensitivity


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
    # Quorum: at least one person from an agency of each of these types is present.
    quorum_agency_types = models.JSONField(
        default=list,
        blank=True,
        help_text="Agency types that must be present, e.g. police, health, education.",
    )
    # The meeting cycle: every `cycle_weeks` weeks on the weekday of `cycle_first_date`.
    cycle_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Meets every this many weeks (2: every other week)."
    )
    cycle_first_date = models.DateField(
        null=True, blank=True, help_text="One meeting day of the cycle; later ones follow it."
    )
    cycle_time = models.TimeField(default=time(10, 0))
    default_place = models.CharField(max_length=300, blank=True)
    default_video_link = models.URLField(blank=True)
    item_target_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Time a case should take at the meeting."
    )
    board_copy_attached = models.BooleanField(
        default=False,
        help_text="Attach the approved board copy to the board's email. Off: the email "
        "carries only a sign-in link.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def quorum_labels(self) -> list[str]:
        return [AgencyType(value).label for value in self.quorum_agency_types]

    def cycle_dates(self, *, after: date, count: int) -> list[date]:
        """The next `count` meeting days of the cycle strictly after `after`."""
        if not self.cycle_weeks or not self.cycle_first_date:
            return []
        step = timedelta(weeks=self.cycle_weeks)
        day = self.cycle_first_date
        if day <= after:
            day += step * ((after - day) // step + 1)
        return [day + step * n for n in range(count)]

    def cycle_start(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, self.cycle_time))


class PanelRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    COORDINATOR = "coordinator", "Coordinator"
    MEMBER = "member", "Member"
    DEPUTY = "deputy", "Deputy"


class DatedQuerySet(models.QuerySet):
    """Rows that hold from `started_at` until `ended_at` (a seat, an oversight)."""

    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(Q(started_at__lte=at), Q(ended_at__isnull=True) | Q(ended_at__gt=at))


class PanelMembershipQuerySet(DatedQuerySet):
    def active(self, at=None):
        """Approved and running at `at` (now): a pending or refused seat gives nothing."""
        return super().active(at).filter(status=GrantStatus.APPROVED)

    def pending(self):
        return self.filter(status=GrantStatus.PENDING)


class PanelMembership(TwoPersonGrant):
    """A person sitting on a panel for an agency, from a date until it is ended; it starts
    only when a second person approves it (access.grants)."""

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
        indexes = [
            models.Index(fields=["user", "ended_at"], name="panelmembership_user"),
            models.Index(
                fields=["agency"],
                condition=Q(status=GrantStatus.PENDING),
                name="panelmembership_pending",
            ),
        ]
        constraints = TwoPersonGrant.two_person_constraints("panelmembership")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.panel}"


class PanelOversight(models.Model):
    """A board member overseeing a panel: they receive its approved board copies. It gives
    nothing while the person holds no live board member role."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="oversights")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_oversights"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["panel__name", "started_at"]
        indexes = [models.Index(fields=["user", "ended_at"], name="paneloversight_user")]

    def __str__(self) -> str:
        return f"{self.user} oversees {self.panel}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Meeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True)
    video_link = models.URLField(blank=True)
    status = models.CharField(
        max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    confidentiality_read_at = models.DateTimeField(null=True, blank=True)
    confidentiality_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_item = models.ForeignKey(
        "AgendaItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_item_started_at = models.DateTimeField(null=True, blank=True)
    # The sequence number of this meeting's newest MeetingEvent, raised in the transaction
    # that writes the event (the row lock serialises writers).
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["panel", "status", "starts_at"], name="meeting_panel")]

    def __str__(self) -> str:
        return f"{self.panel} on {self.starts_at:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.status != MeetingStatus.CLOSED


class MeetingInvitationQuerySet(models.QuerySet):
    def live(self):
        return self.filter(withdrawn_at__isnull=True)


class MeetingInvitation(models.Model):
    """A person invited to a meeting; withdrawn, never deleted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = MeetingInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(withdrawn_at__isnull=True),
                name="meetinginvitation_one_live_per_person",
            )
        ]
        indexes = [models.Index(fields=["user", "withdrawn_at"], name="invitation_user")]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.meeting}"


class AgendaItemKind(models.TextChoices):
    WELCOME = "welcome", "Welcome and confidentiality statement"
    APOLOGIES = "apologies", "Apologies"
    PREVIOUS_MINUTES = "previous_minutes", "Minutes and actions of the last meeting"
    CASE = "case", "Case"
    # A person, place, vehicle or online account of concern (a hotspot is a place): the
    # exploitation panel's thematic part.
    THEME = "theme", "Theme"


# The items listed on an agenda after the standard ones, in the order the coordinator sets.
LISTED_ITEM_KINDS = [AgendaItemKind.CASE, AgendaItemKind.THEME]

STANDARD_ITEM_KINDS = [
    AgendaItemKind.WELCOME,
    AgendaItemKind.APOLOGIES,
    AgendaItemKind.PREVIOUS_MINUTES,
]


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class AgendaItem(models.Model):
    """An item of a meeting's agenda: a standard item, or a case listed on it (withdrawn from
    it, never deleted)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    kind = models.CharField(
        max_length=20, choices=AgendaItemKind.choices, default=AgendaItemKind.CASE
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    subject = models.ForeignKey(
        "intelligence.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        help_text="The person, place, vehicle or account a thematic item is about.",
    )
    position = models.PositiveIntegerField(default=0)
    listed_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    target_minutes = models.PositiveSmallIntegerField(default=15)
    seconds_spent = models.PositiveIntegerField(default=0)
    # What was said and agreed. Each text carries a version: an edit names the version it
    # was made from, and an edit made from an older one is refused (no silent overwrite).
    notes = models.TextField(blank=True)
    notes_version = models.PositiveIntegerField(default=0)
    notes_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)
    decision = models.TextField(blank=True)
    decision_version = models.PositiveIntegerField(default=0)
    decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "position", "pk"]
        indexes = [models.Index(fields=["referral", "withdrawn_at"], name="agendaitem_referral")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=AgendaItemKind.CASE) & Q(referral__isnull=False))
                | (~Q(kind=AgendaItemKind.CASE) & Q(referral__isnull=True)),
                name="agendaitem_case_has_referral",
            ),
            models.CheckConstraint(
                condition=(Q(kind=AgendaItemKind.THEME) & Q(subject__isnull=False))
                | (~Q(kind=AgendaItemKind.THEME) & Q(subject__isnull=True)),
                name="agendaitem_theme_has_subject",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == AgendaItemKind.CASE:
            return f"{self.referral} at {self.meeting}"
        if self.kind == AgendaItemKind.THEME:
            return f"Theme {self.subject_id} at {self.meeting}"
        return f"{self.get_kind_display()} at {self.meeting}"

    @property
    def is_case(self) -> bool:
        return self.kind == AgendaItemKind.CASE

    @property
    def is_theme(self) -> bool:
        return self.kind == AgendaItemKind.THEME

    @property
    def title(self) -> str:
        """A title that names no child and no one of concern: the case's reference, the
        theme's kind and number ("Theme: Place 12"), or the standard item's name."""
        if self.is_case:
            return f"Case {self.referral.reference}"
        if self.is_theme:
            return f"Theme: {self.subject}"
        return self.get_kind_display()


class AgencyUpdate(models.Model):
    """What one agency reported on a case at the meeting (versioned like the item's texts)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="updates")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    # Panel only (e.g. police intelligence) and not-for-family updates are read at panel and
    # never reach the board copy.
    sensitivity = models.CharField(
        max_length=16,
        choices=ContributionSensitivity.choices,
        default=ContributionSensitivity.NORMAL,
    )
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["item", "agency"], name="agencyupdate_one_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} on {self.item}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    ARRIVED_LATE = "arrived_late", "Arrived late"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


PRESENT_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.ARRIVED_LATE)


class Attendance(models.Model):
    """Whether an invited person came: one row per person per meeting, changed as it changes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=AttendanceStatus.choices)
    deputy_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    arrived_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_status_display().lower()} at {self.meeting}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CARRIED_FORWARD = "carried_forward", "Carried forward"
    CANCELLED = "cancelled", "Cancelled"


INCOMPLETE_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Action(models.Model):
    """Something a panel agreed an agency will do by a date. An incomplete action is carried
    forward to the next meeting as a new row pointing at this one (`carried_from`)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    text = models.TextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    status_reason = models.TextField(blank=True, help_text="Why it was cancelled.")
    carried_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="carried_to"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="action_status_due"),
            models.Index(fields=["owner_agency", "status"], name="action_owner_agency"),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk} for {self.owner_agency}"

    @property
    def referral(self):
        return self.agenda_item.referral

    @property
    def is_incomplete(self) -> bool:
        return self.status in INCOMPLETE_ACTION_STATUSES

    def days_overdue(self, today: date | None = None) -> int:
        """Working days past the due date (weekends and bank holidays do not count); never
        stored, so it is right on the day it is read."""
        if not self.is_incomplete:
            return 0
        return working_days_between(self.due_date, today or timezone.localdate())


class ActionUpdate(models.Model):
    """One change to an action by its owner or the coordinator: who, when, what and why."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    from_status = models.CharField(max_length=16, choices=ActionStatus.choices)
    to_status = models.CharField(max_length=16, choices=ActionStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Action {self.action_id}: {self.from_status} -> {self.to_status}"


class MeetingEvent(models.Model):
    """One change to a meeting, numbered per meeting. The record a live room replays from: a
    socket that missed a doorbell, or reconnects, reads the rows after the last it saw."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="meetingevent_unique_seq")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.seq} {self.type}"


class MeetingCommandReceipt(models.Model):
    """A command the room applied, by the request id its sender gave it: written in the same
    transaction as the command's change, so a repeat of the request (a retry after a dropped
    connection, a double send) finds it and gets the same answer, and changes nothing."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=64)
    command = models.CharField(max_length=40)
    # sha256 of the command and its arguments: the same id sent with another change is refused.
    fingerprint = models.CharField(max_length=64)
    reply = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "actor", "request_id"], name="meetingcommandreceipt_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.command} {self.request_id}"


class MeetingPresence(models.Model):
    """An open socket in a meeting room. Not a record: rows go when the socket closes, and a
    row not seen for a while (its process died) no longer counts."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["meeting", "seen_at"], name="presence_meeting_seen")]

    def __str__(self) -> str:
        return f"{self.user} in meeting {self.meeting_id}"


# --- Minutes ----------------------------------------------------------------------------------


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for the chair's approval"
    RETURNED = "returned", "Returned to the coordinator"
    APPROVED = "approved", "Approved"


class Minutes(models.Model):
    """The minutes of one meeting: a working draft the coordinator edits and the chair approves.

    `content` is the draft as the documents' view-model (panels/pdf/serialize.py), built from
    what the meeting recorded. Each approval freezes it into a new MinutesVersion; a
    correction starts a new draft from the last version and never touches an old one.
    """

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    status = models.CharField(
        max_length=16, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    content = models.JSONField()
    # Raised by every edit: an edit names the revision it was made from, and one made from
    # an older revision is refused (two people editing never overwrite each other silently).
    revision = models.PositiveIntegerField(default=1)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"

    @property
    def is_editable(self) -> bool:
        return self.status in (MinutesStatus.DRAFT, MinutesStatus.RETURNED)


class MinutesStep(models.TextChoices):
    DRAFTED = "drafted", "Drafted from the meeting's record"
    EDITED = "edited", "Edited"
    SUBMITTED = "submitted", "Submitted to the chair"
    RETURNED = "returned", "Returned with comments"
    APPROVED = "approved", "Approved"
    CORRECTION_STARTED = "correction_started", "Correction started"


class MinutesHistory(models.Model):
    """Every step of the minutes: who, when, and the comment or reason; an edit keeps the
    text it replaced."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="history")
    step = models.CharField(max_length=24, choices=MinutesStep.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "minutes history"

    def __str__(self) -> str:
        return f"{self.minutes}: {self.get_step_display()}"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows are immutable.")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows are immutable.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError(f"{self.model.__name__} rows are immutable.")


class ImmutableModel(models.Model):
    """Written once, never changed or deleted (and so on PostgreSQL by a trigger too)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Guard, not business logic: an approved version is a record.
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} rows are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} rows are immutable.")


class MinutesVersion(ImmutableModel):
    """One approval of a meeting's minutes: numbered from 1, frozen with its documents."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    approved_on = models.DateField()
    # Why a version after the first was made: the correction's reason.
    correction_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["minutes", "number"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="minutesversion_number")
        ]

    def __str__(self) -> str:
        return f"{self.minutes}, version {self.number}"


class DocumentKind(models.TextChoices):
    MINUTES = "minutes", "Minutes"
    BOARD_COPY = "board", "Board copy"
    AGENCY_EXTRACT = "agency", "Agency action extract"


class MinutesDocument(ImmutableModel):
    """One PDF of an approved version, kept as the bytes that were approved, with their
    SHA-256 (the documents are deterministic, so the hash identifies the file)."""

    version = models.ForeignKey(MinutesVersion, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=8, choices=DocumentKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField()
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "kind", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind"],
                condition=Q(agency__isnull=True),
                name="minutesdocument_one_per_kind",
            ),
            models.UniqueConstraint(
                fields=["version", "kind", "agency"],
                condition=Q(agency__isnull=False),
                name="minutesdocument_one_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.version}"

    @property
    def filename(self) -> str:
        meeting = self.version.minutes.meeting
        day = timezone.localdate(meeting.starts_at).isoformat()
        agency = f"-{slugify(self.agency.name)}" if self.agency_id else ""
        return f"{self.kind}{agency}-{day}-v{self.version.number}.pdf"
