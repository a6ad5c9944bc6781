"""Children, referrals about them, and the sharing of a referral with other agencies."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency
from referrals.attachments import FileKind, kind_of
from referrals.clocks import format_time, working_day_bounds


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other or prefers to self-describe"
    NOT_KNOWN = "not_known", "Not known"


class ChildQuerySet(models.QuerySet):
    def referred(self) -> "ChildQuerySet":
        """Children with at least one referral that has left draft: only these are known to
        anyone but a draft's own referrer, so only these may be offered as matches."""
        return self.filter(Exists(Referral.objects.left_draft().filter(child=OuterRef("pk"))))


class Child(models.Model):
    """One child, recognised across agencies: every referral about them links here."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names the child is known by."
    )
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    is_unborn = models.BooleanField(default=False)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.NOT_KNOWN)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    school = models.CharField(max_length=200, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    upn = models.CharField("Unique Pupil Number", max_length=13, blank=True, db_index=True)
    ethnicity = models.CharField(max_length=100, blank=True)
    first_language = models.CharField(max_length=100, blank=True)
    disability = models.TextField(blank=True)
    # Lower-case, accent-free "first last aliases" for search and matching.
    search_name = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "children"
        indexes = [models.Index(fields=["search_name"], name="child_search_name")]

    def __str__(self) -> str:
        return f"Child {self.pk}"

    @property
    def initials(self) -> str:
        return initials_of(self.first_name, self.last_name)


def initials_of(first_name: str, last_name: str) -> str:
    """A child's initials, as lists show them (also from rows read without the model)."""
    return f"{first_name[:1]}{last_name[:1]}".upper()


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


class Category(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation (county lines)"
    MISSING = "missing", "Missing from home, care or education"
    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    DOMESTIC = "domestic", "Domestic abuse"
    ONLINE = "online", "Online harm"
    RADICALISATION = "radicalisation", "Radicalisation"
    FGM = "fgm", "Female genital mutilation"
    TRAFFICKING = "trafficking", "Trafficking or modern slavery"


class FamilyAware(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class Consent(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ReferralQuerySet(models.QuerySet):
    def left_draft(self) -> "ReferralQuerySet":
        """Referrals that have been submitted, whatever their state now. A draft withdrawn
        before it was submitted never left draft; one withdrawn after submission did."""
        return self.exclude(state=ReferralState.DRAFT).exclude(
            state=ReferralState.WITHDRAWN, submitted_at__isnull=True
        )


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
    categories = models.JSONField(default=list, blank=True)
    immediate_risk = models.BooleanField(default=False)
    family_aware = models.CharField(
        max_length=16, choices=FamilyAware.choices, default=FamilyAware.NOT_KNOWN
    )
    consent = models.CharField(max_length=16, choices=Consent.choices, blank=True)
    lawful_basis = models.TextField(blank=True)
    reason_without_consent = models.TextField(blank=True)
    hub = models.ForeignKey(
        "panels.Panel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
        help_text="The hub or panel that screens this referral and whose clocks apply.",
    )
    rag = models.CharField("RAG rating", max_length=8, choices=Rag.choices, blank=True)
    screening_due_at = models.DateTimeField(null=True, blank=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "state", "-created_at"], name="referral_agency_state"),
            models.Index(fields=["referrer", "-created_at"], name="referral_referrer"),
            models.Index(fields=["state", "-created_at"], name="referral_state_created"),
            models.Index(fields=["-created_at", "-id"], name="referral_newest"),
            # The referral list's orders (newest or oldest received first, drafts last) have
            # their indexes on PostgreSQL only, made by migration 0008
            # (referral_received_drafts_last, referral_received_oldest_first): SQLite cannot
            # index NULLS LAST.
            models.Index(fields=["state", "decision_due_at"], name="referral_queue"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_categories_display(self) -> list[str]:
        labels = dict(Category.choices)
        return [labels.get(value, value) for value in self.categories]


class ReferenceSerial(models.Model):
    """The last number given under a reference stem (PREFIX-YEAR-): the next referral takes
    the next one. Its row is locked while a number is taken, so referrals made at the same
    moment queue for a moment each instead of colliding on the reference's unique index."""

    stem = models.CharField(max_length=40, primary_key=True)
    last = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.stem}{self.last:04d}"


class HouseholdMember(models.Model):
    """Someone in the child's family or household, named on a referral."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="household")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="household_members", null=True
    )
    full_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    lives_with_child = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.relationship} of child {self.child_id}"


class ReferralTransition(models.Model):
    """One move in a referral's life: who, when, from what to what, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField(max_length=32)
    from_state = models.CharField(max_length=24, choices=ReferralState.choices)
    to_state = models.CharField(max_length=24, choices=ReferralState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral}: {self.from_state} -> {self.to_state}"


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class ChildMatchQuerySet(models.QuerySet):
    def of_referred_children(self) -> "ChildMatchQuerySet":
        """Matches whose candidate is a child with a referral that has left draft: the only
        ones a screener may see (an older suggestion of a draft's child stays hidden)."""
        return self.filter(
            Exists(Referral.objects.left_draft().filter(child=OuterRef("candidate")))
        )


class ChildMatch(models.Model):
    """A likely existing record of the referred child, for the screener to confirm or reject."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="matches")
    candidate = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    referred_child = models.ForeignKey(
        Child,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The referral's own record of the child, as its referrer gave it, kept when "
        "the match was confirmed and the referral joined the candidate's record.",
    )
    reasons = models.CharField(max_length=300)
    score = models.FloatField()
    status = models.CharField(
        max_length=16, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    objects = ChildMatchQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "candidate"], name="childmatch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.referral} may be child {self.candidate_id}"


class ChildRecordChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("A child's record history is append-only: it cannot be updated.")

    def delete(self):
        raise PermissionError("A child's record history is append-only: it cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("A child's record history is append-only: it cannot be updated.")


class ChildRecordChange(models.Model):
    """One change to one field of a child's record: the old and new value, who, when, why and
    the referral it came from. Written only by referrals.child_record.child_update."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="record_changes")
    field = models.CharField(max_length=50)
    old_value = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    new_value = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_record_changes",
        help_text="The referral the new value came from, where there is one.",
    )

    objects = ChildRecordChangeQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["child", "changed_at"], name="childrecordchange_child")]

    def __str__(self) -> str:
        return f"{self.field} of child {self.child_id}"


class RedClockCounting(models.TextChoices):
    WORKING_HOURS = "working_hours", "In working hours"
    ROUND_THE_CLOCK = "round_the_clock", "Round the clock"


class ScreeningClocks(models.Model):
    """A hub's or panel's screening clocks per RAG rating, its decision clock and its working
    day. A blank working day start or end is the setting WORKING_DAY_START or _END."""

    panel = models.OneToOneField(
        "panels.Panel", on_delete=models.PROTECT, related_name="screening_clocks"
    )
    red_hours = models.PositiveSmallIntegerField(default=4, validators=[MinValueValidator(1)])
    red_counting = models.CharField(
        max_length=16,
        choices=RedClockCounting.choices,
        default=RedClockCounting.WORKING_HOURS,
        help_text="In working hours, or round the clock: through nights, weekends and bank "
        "holidays.",
    )
    amber_working_days = models.PositiveSmallIntegerField(default=1)
    green_working_days = models.PositiveSmallIntegerField(default=3)
    decision_working_days = models.PositiveSmallIntegerField(default=1)
    working_day_start = models.TimeField(
        null=True, blank=True, help_text="Blank: the WORKING_DAY_START setting (09:00)."
    )
    working_day_end = models.TimeField(
        null=True, blank=True, help_text="Blank: the WORKING_DAY_END setting (17:00)."
    )

    class Meta:
        verbose_name_plural = "screening clocks"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(working_day_start__isnull=True)
                | models.Q(working_day_end__isnull=True)
                | models.Q(working_day_start__lt=models.F("working_day_end")),
                name="screeningclocks_start_before_end",
            )
        ]

    def __str__(self) -> str:
        return f"Clocks of {self.panel}"

    def clean(self) -> None:
        start, end = working_day_bounds(self.working_day_start, self.working_day_end)
        if start >= end:
            message = f"The working day must end after it starts ({format_time(start)})."
            raise ValidationError({"working_day_end": message})


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
    lawful_basis = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.agency} on {self.referral}"


class ContributionRequest(models.Model):
    """The coordinator asks an agency what it knows; answered, or declined with a reason."""

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="contribution_requests"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency"], name="contributionrequest_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} asked about {self.referral}"


class Attachment(models.Model):
    """A file on a referral: stored under a generated name, served only through the policy."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def kind(self) -> FileKind:
        """The type the content was found to be when stored: the file is served as that."""
        return kind_of(self.content_type)

    @property
    def download_name(self) -> str:
        """The name given, with the extension of the stored type (also for files stored
        before names were made to match their content)."""
        return self.kind.file_name(self.original_name)


class IdempotencyKey(models.Model):
    """An API client's Idempotency-Key: the same key and body create one referral."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotencykey_unique")
        ]

    def __str__(self) -> str:
        return self.key


class ApiToken(models.Model):
    """A person's key for the API, kept only as its SHA-256: the key is shown once, when
    issued (referrals.api.tokens), so a copy of the database cannot call the API."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"API token of {self.user}"


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
