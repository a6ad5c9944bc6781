"""The shapes of a referral in the API: what a partner system sends, and what it reads back.

Input is checked with the same validators as the pages (NHS number, UPN, postcode, date of
birth) and the same rules as submission, in the same words (referrals.completeness), so that
a valid request always submits. Identifiers are stored normalised ("943 476 5919" ->
"9434765919", "sw1a1aa" -> "SW1A 1AA"). A field the API does not know is an error, so that a
misspelt field is not silently dropped.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from referrals import completeness
from referrals.completeness import MESSAGES
from referrals.models import (
    Category,
    Child,
    Consent,
    Contribution,
    FamilyAware,
    Gender,
    HouseholdMember,
    Referral,
    ReferralState,
)
from referrals.validators import (
    NHS_NUMBER_FORMAT_MESSAGE,
    POSTCODE_MESSAGE,
    UPN_LENGTH_MESSAGE,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    validate_date_of_birth,
    validate_nhs_number,
    validate_uk_postcode,
    validate_upn,
)

HOUSEHOLD_MAX = 30
ALIASES_MAX = 10


def required_messages(message: str) -> dict:
    return {"required": message, "blank": message, "null": message}


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, alongside any other errors in the same request."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            unknown = {
                name: ["This field is not part of the API: check its name"]
                for name in data
                if name not in self.fields
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


# --- In -----------------------------------------------------------------------------------------


class AnsweredChoiceField(serializers.ChoiceField):
    """A question that must be answered: a blank answer gets the field's "blank" message
    (the rule's own words) rather than "not a valid choice", and the schema offers no blank."""

    def to_internal_value(self, data):
        if data == "":
            self.fail("blank")
        return super().to_internal_value(data)


class ChildInputSerializer(StrictSerializer):
    first_name = serializers.CharField(
        max_length=100, error_messages=required_messages(MESSAGES["first_name"])
    )
    last_name = serializers.CharField(
        max_length=100, error_messages=required_messages(MESSAGES["last_name"])
    )
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=100),
        max_length=ALIASES_MAX,
        required=False,
        default=list,
        help_text="Other names the child is known by.",
    )
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD"},
        help_text="Required unless is_unborn.",
    )
    is_unborn = serializers.BooleanField(required=False, default=False)
    expected_date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the expected date of birth as YYYY-MM-DD"},
        help_text="Required when is_unborn: within the next 10 months.",
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default="not_known")
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"max_length": POSTCODE_MESSAGE},
    )
    school = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    nhs_number = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"max_length": NHS_NUMBER_FORMAT_MESSAGE},
        help_text="10 digits passing the NHS check digit; spaces and hyphens allowed.",
    )
    upn = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"max_length": UPN_LENGTH_MESSAGE},
        help_text="Unique Pupil Number: a check letter and 12 digits (or 11 and a letter).",
    )
    ethnicity = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    first_language = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    disability = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )

    def validate_nhs_number(self, value: str) -> str:
        if not value.strip():
            return ""
        validate_nhs_number(value)
        return normalise_nhs_number(value)

    def validate_upn(self, value: str) -> str:
        if not value.strip():
            return ""
        validate_upn(value)
        return normalise_upn(value)

    def validate_postcode(self, value: str) -> str:
        if not value.strip():
            return ""
        validate_uk_postcode(value)
        return normalise_postcode(value)

    def validate(self, attrs):
        _refuse(
            completeness.child_problems(
                first_name=attrs["first_name"],
                last_name=attrs["last_name"],
                is_unborn=attrs["is_unborn"],
                date_of_birth=attrs["date_of_birth"],
                expected_date_of_birth=attrs["expected_date_of_birth"],
            )
        )
        today = timezone.localdate()
        if attrs["is_unborn"]:
            expected = attrs["expected_date_of_birth"]
            if attrs["date_of_birth"] is not None:
                raise serializers.ValidationError(
                    {"date_of_birth": "An unborn child has no date of birth yet: leave it out"}
                )
            _on_field(
                "expected_date_of_birth", validate_date_of_birth, expected, unborn=True, today=today
            )
        else:
            born = attrs["date_of_birth"]
            if attrs["expected_date_of_birth"] is not None:
                raise serializers.ValidationError(
                    {"expected_date_of_birth": "Give an expected date of birth only if unborn"}
                )
            _on_field("date_of_birth", validate_date_of_birth, born, today=today)
        return attrs


def _refuse(problems: list[completeness.Problem]) -> None:
    """A 400 naming each field a submission still needs, in the words of the pages."""
    if problems:
        raise serializers.ValidationError(
            {problem.field: [problem.message] for problem in problems}
        )


def _on_field(name: str, validator, value, **kwargs) -> None:
    """Run a Django validator, reporting its message against the named field."""
    try:
        validator(value, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({name: exc.messages}) from None


class ReferralDetailsInputSerializer(StrictSerializer):
    concern = serializers.CharField(
        max_length=20000, error_messages=required_messages(MESSAGES["concern"])
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices),
        allow_empty=False,
        error_messages={
            **required_messages(MESSAGES["categories"]),
            "empty": MESSAGES["categories"],
        },
    )
    immediate_risk = serializers.BooleanField(required=False, default=False)
    family_aware = serializers.ChoiceField(
        choices=FamilyAware.choices, required=False, default="not_known"
    )
    consent = AnsweredChoiceField(
        choices=Consent.choices,
        error_messages=required_messages(MESSAGES["consent"]),
    )
    lawful_basis = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when consent is not given.",
    )
    reason_without_consent = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when consent is not given.",
    )

    def validate_categories(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def validate(self, attrs):
        _refuse(
            completeness.concern_problems(categories=attrs["categories"], concern=attrs["concern"])
            + completeness.consent_problems(
                consent=attrs["consent"],
                lawful_basis=attrs["lawful_basis"],
                reason_without_consent=attrs["reason_without_consent"],
            )
        )
        return attrs


class HouseholdMemberInputSerializer(StrictSerializer):
    full_name = serializers.CharField(
        max_length=200, error_messages=required_messages("Enter the person's full name")
    )
    relationship = serializers.CharField(
        max_length=100,
        error_messages=required_messages("Enter how the person is related to the child"),
        help_text="e.g. mother, stepfather, lodger.",
    )
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD"},
    )
    lives_with_child = serializers.BooleanField(required=False, default=True)

    def validate_date_of_birth(self, value):
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("Date of birth must be today or in the past")
        return value


class AgencyChoiceField(serializers.PrimaryKeyRelatedField):
    """An agency the caller acts for; the view gives the queryset the policy allows."""

    default_error_messages = {
        "does_not_exist": "Choose an agency you act for",
        "incorrect_type": "Give the agency's id, a number",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Agency.objects.none())
        super().__init__(**kwargs)
        self.agencies = None  # the serializer gives the agencies the view read, in hand

    def to_internal_value(self, data):
        if self.agencies is None:
            return super().to_internal_value(data)
        try:
            if isinstance(data, bool):
                raise TypeError
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        for agency in self.agencies:
            if agency.pk == pk:
                return agency
        self.fail("does_not_exist", pk_value=data)


# --- Out ----------------------------------------------------------------------------------------

STATES = "; ".join(f"{state.value} ({state.label})" for state in ReferralState)


# One named component for every field holding a state (state, from_state, to_state).
@extend_schema_field(
    {"type": "string", "enum": ReferralState.values, "description": STATES},
    component_name="ReferralState",
)
class StateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ReferralState.choices, **kwargs)


class AgencyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name"]


class ChildOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = [
            "id",
            "first_name",
            "last_name",
            "aliases",
            "date_of_birth",
            "is_unborn",
            "expected_date_of_birth",
            "gender",
            "address",
            "postcode",
            "school",
            "nhs_number",
            "upn",
            "ethnicity",
            "first_language",
            "disability",
        ]


class ReferralDetailsOutputSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Category.choices))

    class Meta:
        model = Referral
        fields = [
            "concern",
            "categories",
            "immediate_risk",
            "family_aware",
            "consent",
            "lawful_basis",
            "reason_without_consent",
        ]


class HouseholdMemberOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdMember
        fields = ["full_name", "relationship", "date_of_birth", "lives_with_child"]


class ContributionOutputSerializer(serializers.ModelSerializer):
    agency = AgencyOutputSerializer()

    class Meta:
        model = Contribution
        fields = ["id", "agency", "text", "sensitivity", "lawful_basis", "created_at"]


class PanelOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReferralOutputSerializer(serializers.ModelSerializer):
    """A referral as its reader may see it: contributions only those the policy lets them read."""

    url = serializers.HyperlinkedIdentityField(view_name="api:referral-detail")
    agency = AgencyOutputSerializer()
    child = ChildOutputSerializer()
    details = ReferralDetailsOutputSerializer(source="*")
    household = HouseholdMemberOutputSerializer(many=True, source="api_household")
    contributions = ContributionOutputSerializer(many=True, source="api_contributions")
    hub = PanelOutputSerializer(allow_null=True, help_text="The hub that screens the referral.")
    state = StateField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "url",
            "reference",
            "state",
            "agency",
            "child",
            "details",
            "household",
            "contributions",
            "hub",
            "rag",
            "created_at",
            "submitted_at",
            "screening_due_at",
            "decision_due_at",
            "closed_at",
            "outcome",
        ]
