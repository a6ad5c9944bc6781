"""Agencies, their teams, and people's dated memberships of them with a role."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class AgencyType(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    AGENCY_LEAD = "agency_lead", "Agency safeguarding lead"
    PANEL_COORDINATOR = "panel_coordinator", "Panel coordinator"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    PANEL_MEMBER = "panel_member", "Panel member"
    BOARD_MEMBER = "board_member", "Board member"
    QUALITY_AUDITOR = "quality_auditor", "Quality auditor"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    agency_type = models.CharField(max_length=32, choices=AgencyType.choices)
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, help_text="Health bodies: the NHS ODS code."
    )
    urn = models.CharField(
        "URN", max_length=8, blank=True, help_text="Schools: the Unique Reference Number."
    )
    is_active = models.BooleanField(default=True)
    # Object permissions granted to "this agency" (a referral shared with it) are held by
    # this group; who acts for the agency is decided from live memberships, not group rows.
    permission_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="agency", null=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_unique_name_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class GrantStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class TwoPersonGrant(models.Model):
    """Who asked for a grant of access, why, and who approved or refused it, when and why.

    Only an approved grant gives anything; a pending or refused one is kept, never deleted.
    The default is "approved" so that rows made directly (the demo, test factories, rows from
    before the two-person rule) keep working; the services always set the status themselves.
    The database refuses a grant asked for by its grantee, or decided by its grantee or by
    the person who asked for it.
    """

    status = models.CharField(
        max_length=16, choices=GrantStatus.choices, default=GrantStatus.APPROVED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    request_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def two_person_constraints(prefix: str) -> list[models.CheckConstraint]:
        return [
            models.CheckConstraint(
                condition=~Q(requested_by=F("user")), name=f"{prefix}_not_requested_by_grantee"
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=F("user")), name=f"{prefix}_not_decided_by_grantee"
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")),
                name=f"{prefix}_not_decided_by_requester",
            ),
        ]

    @property
    def is_pending(self) -> bool:
        return self.status == GrantStatus.PENDING

    @property
    def is_live(self) -> bool:
        """Approved, started and not ended (what `active()` selects), for one row in hand."""
        now = timezone.now()
        return (
            self.status == GrantStatus.APPROVED
            and self.started_at <= now
            and (self.ended_at is None or self.ended_at > now)
        )


class MembershipQuerySet(models.QuerySet):
    def active(self, at=None):
        """Approved and running at `at` (now): a pending or refused grant gives nothing."""
        at = at or timezone.now()
        return self.filter(
            Q(started_at__lte=at),
            Q(ended_at__isnull=True) | Q(ended_at__gt=at),
            status=GrantStatus.APPROVED,
        )

    def pending(self):
        return self.filter(status=GrantStatus.PENDING)


class Membership(TwoPersonGrant):
    """A person acting for an agency in one role, from a date until it is ended; a role that
    opens case content starts only when a second person approves it (access.grants)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    job_title = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.TextField(blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__username", "agency__name", "role"]
        indexes = [
            models.Index(fields=["user", "role", "ended_at"], name="membership_user_role"),
            models.Index(
                fields=["agency"],
                condition=Q(status=GrantStatus.PENDING),
                name="membership_pending",
            ),
        ]
        constraints = TwoPersonGrant.two_person_constraints("membership")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.agency}"


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    CHANGED = "changed", "Changed"
    CREATED = "created", "Created"
    SHARED = "shared", "Shared"
    SHARE_WITHDRAWN = "share_withdrawn", "Share withdrawn"
    EXPORTED_PDF = "exported_pdf", "Exported as PDF"
    EXPORTED_CSV = "exported_csv", "Exported as CSV"
    DOWNLOADED = "downloaded", "Downloaded"
    BREAK_GLASS = "break_glass", "Broke the glass"
    REFUSED = "refused", "Refused"
    MEMBERSHIP_ENDED = "membership_ended", "Membership ended"
    GRANT_REQUESTED = "grant_requested", "Grant asked for, waiting for approval"
    GRANTED = "granted", "Granted (no second approval needed)"
    GRANT_APPROVED = "grant_approved", "Grant approved"
    GRANT_REFUSED = "grant_refused", "Grant refused"
    DEACTIVATED = "deactivated", "Deactivated"
    PASSWORD_LINK_SENT = "password_link_sent", "Set-password link sent"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_IN_LOCKED_OUT = "sign_in_locked_out", "Sign-in refused: too many failures"
    SIGN_IN_UNLOCKED = "sign_in_unlocked", "Sign-in unlocked"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset with an emailed link"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise PermissionError("Audit events are append-only: they cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("Audit events are append-only: they cannot be updated.")


class AuditEvent(models.Model):
    """One view, change, share, export or refusal: append-only (and enforced so on PostgreSQL)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=24, choices=AuditAction.choices)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, related_name="audit_events"
    )
    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, null=True, related_name="audit_events"
    )
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True)
    reason = models.TextField(blank=True)
    detail = models.CharField(max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["referral", "-at"], name="audit_referral"),
            models.Index(fields=["child", "-at"], name="audit_child"),
            models.Index(fields=["actor", "-at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        # Guard, not business logic: an audit row, once written, is never rewritten.
        if not self._state.adding:
            raise PermissionError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only: they cannot be deleted.")


class AnonymousRefusalCount(models.Model):
    """Refusals of people not signed in, counted per client address and hour: never one row each.

    A stranger guessing URLs must not be able to write the permanent audit trail at will, so
    the count is kept here (the record, shared by every process) and only the door's name, not
    the path the stranger chose, is stored. `minute_start`/`minute_count` carry the rate limit.
    """

    address = models.CharField(max_length=45, blank=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    last_door = models.CharField(max_length=100, blank=True)
    minute_start = models.DateTimeField()
    minute_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-window_start", "address"]
        constraints = [
            models.UniqueConstraint(
                fields=["address", "window_start"], name="anonymous_refusal_address_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.window_start:%Y-%m-%d %H:00} {self.address or '?'}: {self.count}"


class PasswordResetRequestCount(models.Model):
    """Requests for a password-reset link, counted per hour against two keys: the client
    address ("client:<ip>") and the email address asked for ("person:<keyed digest>", never the
    address in clear). Shared by every process, so the limits hold however many daphnes run."""

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-window_start", "key"]
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="reset_request_key_hour")
        ]

    def __str__(self) -> str:
        return f"{self.window_start:%Y-%m-%d %H:00} {self.key}: {self.count}"
