"""Forms of the referral pages: each parses and checks what a person typed, and shows GOV.UK
errors; the services decide everything else."""

import re
from dataclasses import replace
from datetime import date, datetime

from crispy_forms.utils import TEMPLATE_PACK
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import (
    Button,
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fieldset,
    Fixed,
    Fluid,
    Layout,
    Size,
)
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from agencies.models import Agency
from referrals import completeness, validators
from referrals.attachments import ALLOWED_LABELS
from referrals.intake import (
    CHILD_FIELDS,
    REFERRAL_FIELDS,
    ChildDetails,
    HouseholdDetails,
    ReferralDetails,
)
from referrals.models import (
    Category,
    Consent,
    ContributionSensitivity,
    FamilyAware,
    Gender,
    Rag,
)
from referrals.workflow import TRANSITIONS


def _helper(*fields, button: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*fields, Button("submit", button))
    return helper


class ViewReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reading this case?",
        help_text="Your reason is recorded with this view for the data protection officer.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter the reason you are reading this case"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason", rows=3), button="Read the case")


class ShareForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency to share with",
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency to share this referral with"},
    )
    reason = forms.CharField(
        label="Reason for sharing",
        help_text="Recorded with the share. Sharing to protect a child does not need consent.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason for sharing this referral"},
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies
        self.helper = _helper(
            Field.select("agency"), Field.textarea("reason", rows=3), button="Share referral"
        )


class WithdrawShareForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawing the share",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Enter the reason for withdrawing this share"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason", rows=2), button="Withdraw share")
        self.helper.form_tag = False


class BreakGlassForm(forms.Form):
    reference = forms.CharField(
        label="Referral reference",
        max_length=20,
        error_messages={"required": "Enter the referral reference"},
    )
    reason = forms.CharField(
        label="Why do you need this case now?",
        help_text="The case's own agency lead is told, and your access ends after a few hours.",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        error_messages={
            "required": "Enter why you need this case now",
            "min_length": "Explain why you need this case now (at least 10 characters)",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("reference"), Field.textarea("reason", rows=3), button="Open the case"
        )


class GovDateField(DateInputField):
    """The GOV.UK date input (day, month, year), with messages that name the date."""

    def __init__(self, *, label: str, help_text: str = "", **kwargs):
        super().__init__(
            label=label, help_text=help_text, required=False, require_all_fields=False, **kwargs
        )
        self.noun = label.removesuffix(" (optional)")
        for part, name in zip(self.fields, ("day", "month", "year"), strict=True):
            part.error_messages["incomplete"] = f"{self.noun} must include a {name}"
            part.validators = [
                RegexValidator(r"^\s*[0-9]+\s*$", f"{self.noun} must be a real date")
            ]

    def compress(self, data_list):
        day, month, year = (str(value or "").strip() for value in data_list)
        if not (day and month and year):
            return None
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="year_length")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date", code="invalid") from None


class GovDateTimeWidget(forms.MultiWidget):
    """The GOV.UK date input with a fourth box for the time (hours and minutes), drawn by
    crispy-forms-gds's date template: day, month, year and time in one row."""

    template_name = "gds/widgets/date.html"

    def __init__(self, attrs=None):
        parts = (("Day", 2), ("Month", 2), ("Year", 4), ("Time", 5))
        super().__init__(
            [
                forms.TextInput(
                    attrs={
                        "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
                        "label": label,
                    }
                )
                for label, width in parts
            ],
            attrs,
        )

    def decompress(self, value):
        if not value:
            return [None, None, None, None]
        local = timezone.localtime(value)
        return [local.day, local.month, local.year, local.strftime("%H:%M")]


class GovDateTimeField(forms.MultiValueField):
    """A moment typed as the GOV.UK date input plus a time ("21:30"), in the service's time
    zone, with messages that name it."""

    widget = GovDateTimeWidget
    TIME = re.compile(r"^\s*([01]?[0-9]|2[0-3])[:.]([0-5][0-9])\s*$")

    def __init__(self, *, label: str, help_text: str = "", required: bool = True, **kwargs):
        self.noun, self.needed = label, required
        parts = [forms.CharField() for _ in range(4)]
        for part, name in zip(parts, ("day", "month", "year", "time"), strict=True):
            part.error_messages["incomplete"] = f"{label} must include a {name}"
        super().__init__(
            fields=parts,
            label=label,
            help_text=help_text,
            required=False,
            require_all_fields=False,
            **kwargs,
        )

    def clean(self, value):
        moment = super().clean(value)
        if moment is None and self.needed:
            raise ValidationError(f"Enter {self.noun.lower()}", code="required")
        return moment

    def compress(self, data_list):
        if not data_list or not all(str(v or "").strip() for v in data_list):
            return None
        day, month, year, time = (str(v).strip() for v in data_list)
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"{self.noun} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="year_length")
        clock = self.TIME.match(time)
        if clock is None:
            raise ValidationError(
                f"{self.noun}: enter the time in hours and minutes, for example 21:30",
                code="invalid_time",
            )
        try:
            naive = datetime(int(year), int(month), int(day), int(clock[1]), int(clock[2]))
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date", code="invalid") from None
        return timezone.make_aware(naive)


class AuditFilterForm(forms.Form):
    person = forms.CharField(label="Person (username or name)", required=False, max_length=150)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.all(), required=False, empty_label="Any agency"
    )
    since = GovDateField(label="From", help_text="For example, 27 3 2026")
    until = GovDateField(label="To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("person"),
            Field.select("agency"),
            Field("since", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field("until", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Button("filter", "Filter"),
        )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date")
        return cleaned


# --- Referral pages: GOV.UK errors -------------------------------------------------------


class PageForm(forms.Form):
    """A form whose error summary links each message to the input to fix."""

    # Radios revealing conditional questions are numbered from 0 by crispy-forms-gds.
    conditional_radios: tuple[str, ...] = ()

    def anchor_for(self, name: str) -> str:
        bound = self[name]
        widget = bound.field.widget
        if isinstance(widget, forms.RadioSelect):  # radios, and checkboxes
            return f"id_{bound.html_name}_{0 if name in self.conditional_radios else 1}"
        if isinstance(widget, forms.MultiWidget):
            return f"{bound.auto_id}_0"
        return bound.auto_id

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """(href, message) for the GOV.UK error summary, in the order of the page."""
        if not self.is_bound:
            return []
        names = [bound.name for bound in self.visible_fields()]
        first = f"#{self.anchor_for(names[0])}" if names else "#main-content"
        links = [(first, message) for message in self.non_field_errors()]
        for name in names:
            bound, seen = self[name], []
            for index, part in enumerate(getattr(bound.field, "fields", ())):
                for message in getattr(part.widget, "errors", []):
                    links.append((f"#{bound.auto_id}_{index}", message))
                    seen.append(message)
            links += [(f"#{self.anchor_for(name)}", m) for m in bound.errors if m not in seen]
        return links

    @staticmethod
    def _helper(*fields) -> FormHelper:
        """The template writes the <form> and its buttons, so a step can offer several."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(*fields)
        return helper


class QuestionRadios(ConditionalRadios):
    """Radios revealing follow-up questions, their legend sized like the page's other questions."""

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        with context.push(legend_size=Size.for_legend(Size.MEDIUM)):
            return super().render(form, context, template_pack, **kwargs)


def _revealed(field: str) -> Field:
    """A date revealed under a radio: a smaller legend than the question it answers."""
    return Field(field, context={"legend_size": Size.for_legend(Size.SMALL)})


YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _radios(field: str, size=Size.MEDIUM, **kwargs) -> Field:
    return Field.radios(field, legend_size=size, **kwargs)


# --- Referral pages: the steps of a new referral ---------------------------------------------


class ChildForm(PageForm):
    """Step 1: the child. A draft keeps anything well formed; Continue needs the essentials."""

    conditional_radios = ("born",)

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Which agency are you referring for?",
        error_messages={"required": "Select the agency you are referring for"},
    )
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    aliases = forms.CharField(
        label="Other names the child is known by (optional)",
        help_text="One name on each line, for example a nickname or a previous surname",
        widget=forms.Textarea,
        max_length=1000,
        required=False,
    )
    born = forms.ChoiceField(
        label="Has the child been born?",
        choices=[("yes", "Yes"), ("no", "No, the child is unborn")],
        widget=forms.RadioSelect,
        required=False,
    )
    date_of_birth = GovDateField(label="Date of birth", help_text="For example, 27 3 2012")
    expected_date_of_birth = GovDateField(
        label="Expected date of birth", help_text="For example, 14 9 2026"
    )
    gender = forms.ChoiceField(
        label="Gender (optional)", choices=Gender.choices, widget=forms.RadioSelect, required=False
    )
    address = forms.CharField(
        label="Address (optional)", widget=forms.Textarea, max_length=1000, required=False
    )
    postcode = forms.CharField(label="Postcode (optional)", max_length=10, required=False)
    school = forms.CharField(
        label="School, college or nursery (optional)", max_length=200, required=False
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        help_text="10 digits, for example 999 000 0018",
        max_length=20,
        required=False,
    )
    upn = forms.CharField(
        label="Unique Pupil Number (UPN) (optional)",
        help_text="13 characters: a letter, then 12 numbers, for example J801200100003",
        max_length=20,
        required=False,
    )
    ethnicity = forms.CharField(label="Ethnicity (optional)", max_length=100, required=False)
    first_language = forms.CharField(
        label="First language (optional)", max_length=100, required=False
    )
    disability = forms.CharField(
        label="Disability or special educational needs (optional)",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, agencies, complete: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        agencies = list(agencies)
        self.only_agency = agencies[0] if len(agencies) == 1 else None
        if self.only_agency is not None:
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        fields = [] if self.only_agency else [_radios("agency")]
        self.helper = self._helper(
            *fields,
            Fieldset(
                Field.text("first_name", field_width=Fluid.TWO_THIRDS),
                Field.text("last_name", field_width=Fluid.TWO_THIRDS),
                Field.textarea("aliases", rows=2),
                legend="Name",
                legend_size=Size.MEDIUM,
            ),
            QuestionRadios(
                "born",
                ConditionalQuestion("Yes", _revealed("date_of_birth")),
                ConditionalQuestion("No, the child is unborn", _revealed("expected_date_of_birth")),
            ),
            _radios("gender", small=True),
            Fieldset(
                Field.textarea("address", rows=3),
                Field.text("postcode", field_width=Fixed.TEN),
                Field.text("school"),
                legend="Where the child lives and learns",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("nhs_number", field_width=Fixed.TEN, inputmode="numeric"),
                Field.text("upn", field_width=Fixed.TWENTY, spellcheck="false"),
                Field.text("ethnicity", field_width=Fluid.TWO_THIRDS),
                Field.text("first_language", field_width=Fluid.TWO_THIRDS),
                Field.textarea("disability", rows=3),
                legend="Other details",
                legend_size=Size.MEDIUM,
            ),
        )

    @classmethod
    def initial_from(cls, referral) -> dict:
        child = referral.child
        born = None
        if child.is_unborn:
            born = "no"
        elif child.date_of_birth:
            born = "yes"
        return {
            "agency": referral.agency_id,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "aliases": "\n".join(child.aliases or []),
            "born": born,
            "date_of_birth": child.date_of_birth,
            "expected_date_of_birth": child.expected_date_of_birth,
            "gender": child.gender if child.gender != Gender.NOT_KNOWN else None,
            "address": child.address,
            "postcode": child.postcode,
            "school": child.school,
            "nhs_number": child.nhs_number,
            "upn": child.upn,
            "ethnicity": child.ethnicity,
            "first_language": child.first_language,
            "disability": child.disability,
        }

    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()

    def clean_aliases(self):
        lines = (line.strip() for line in self.cleaned_data["aliases"].splitlines())
        return [line for line in lines if line]

    def clean_postcode(self):
        value = self.cleaned_data["postcode"].strip()
        if value:
            validators.validate_uk_postcode(value)
            return validators.normalise_postcode(value)
        return ""

    def clean_nhs_number(self):
        value = self.cleaned_data["nhs_number"].strip()
        if value:
            validators.validate_nhs_number(value)
            return validators.normalise_nhs_number(value)
        return ""

    def clean_upn(self):
        value = self.cleaned_data["upn"].strip()
        if value:
            validators.validate_upn(value)
            return validators.normalise_upn(value)
        return ""

    def clean(self):
        cleaned = super().clean()
        if self.complete and not cleaned.get("born"):
            self.add_error("born", "Select yes if the child has been born")
        unborn = cleaned.get("born") == "no"
        applies, other = (
            ("expected_date_of_birth", "date_of_birth")
            if unborn
            else ("date_of_birth", "expected_date_of_birth")
        )
        # The date hidden behind the other answer is not asked, so it cannot be wrong.
        self._errors.pop(other, None)
        for part in self.fields[other].fields:
            part.widget.errors = []
        cleaned[other] = None
        value = cleaned.get(applies)
        if value is not None:
            try:
                validators.validate_date_of_birth(value, unborn=unborn)
            except ValidationError as error:
                self.add_error(applies, error)
        if self.complete:
            problems = completeness.child_problems(
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                is_unborn=unborn,
                date_of_birth=cleaned.get("date_of_birth"),
                expected_date_of_birth=cleaned.get("expected_date_of_birth"),
            )
            for problem in problems:
                # Until "born" is answered, the page asks that first rather than for a date.
                undated = problem.field == applies and not cleaned.get("born")
                if problem.field not in self.errors and not undated:
                    self.add_error(problem.field, problem.message)
        return cleaned

    @property
    def chosen_agency(self):
        return self.only_agency or self.cleaned_data["agency"]

    def child_details(self) -> ChildDetails:
        data = self.cleaned_data
        unborn = data.get("born") == "no"
        return ChildDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            aliases=data["aliases"],
            date_of_birth=None if unborn else data.get("date_of_birth"),
            is_unborn=unborn,
            expected_date_of_birth=data.get("expected_date_of_birth") if unborn else None,
            gender=data.get("gender") or Gender.NOT_KNOWN,
            address=data["address"].strip(),
            postcode=data["postcode"],
            school=data["school"].strip(),
            nhs_number=data["nhs_number"],
            upn=data["upn"],
            ethnicity=data["ethnicity"].strip(),
            first_language=data["first_language"].strip(),
            disability=data["disability"].strip(),
        )


class HouseholdMemberForm(PageForm):
    """One row of step 2. A row left blank is skipped; a row begun needs a name and relation."""

    full_name = forms.CharField(label="Full name", max_length=200, required=False)
    relationship = forms.CharField(
        label="Relationship to the child",
        help_text="For example, mother, stepfather, older brother, lodger",
        max_length=100,
        required=False,
    )
    date_of_birth = GovDateField(
        label="Date of birth (optional)", help_text="For example, 4 11 1988"
    )
    lives_with_child = forms.ChoiceField(
        label="Do they live with the child?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        self.helper = self._helper(
            Field.text("full_name", field_width=Fluid.TWO_THIRDS),
            Field.text("relationship", field_width=Fluid.TWO_THIRDS),
            Field("date_of_birth"),
            _radios("lives_with_child", size=Size.SMALL, inline=True),
        )

    @staticmethod
    def initial_from(member) -> dict:
        return {
            "full_name": member.full_name,
            "relationship": member.relationship,
            "date_of_birth": member.date_of_birth,
            "lives_with_child": _yes_no(member.lives_with_child),
        }

    def clean(self):
        cleaned = super().clean()
        self.is_blank = (
            not cleaned.get("full_name", "").strip()
            and not cleaned.get("relationship", "").strip()
            and cleaned.get("date_of_birth") is None
            and "date_of_birth" not in self.errors
        )
        if self.is_blank:
            return cleaned
        if not cleaned.get("full_name", "").strip():
            self.add_error("full_name", f"Enter the full name of person {self.number}")
        if not cleaned.get("relationship", "").strip():
            self.add_error(
                "relationship", f"Enter how person {self.number} is related to the child"
            )
        born = cleaned.get("date_of_birth")
        if born is not None and born > timezone.localdate():
            self.add_error(
                "date_of_birth", f"Date of birth of person {self.number} must be in the past"
            )
        return cleaned

    def household_details(self) -> HouseholdDetails:
        data = self.cleaned_data
        return HouseholdDetails(
            full_name=data["full_name"].strip(),
            relationship=data["relationship"].strip(),
            date_of_birth=data.get("date_of_birth"),
            lives_with_child=data.get("lives_with_child") != "no",
        )


class ConcernForm(PageForm):
    """Step 3: what the concern is."""

    categories = forms.MultipleChoiceField(
        label="What is the concern about?",
        help_text="Select all that apply",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    concern = forms.CharField(
        label="Describe the concern",
        help_text=(
            "What happened, when, who was involved, and what the child said in their own "
            "words. Say where something is your opinion."
        ),
        widget=forms.Textarea,
        max_length=20000,
        required=False,
    )
    immediate_risk = forms.ChoiceField(
        label="Is the child at immediate risk of harm?",
        help_text="If a child is in immediate danger, call 999 first.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, complete: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        self.helper = self._helper(
            Field.checkboxes("categories", legend_size=Size.MEDIUM, small=True),
            Field.textarea("concern", label_size=Size.MEDIUM, rows=8),
            _radios("immediate_risk", inline=True),
        )

    @staticmethod
    def initial_from(referral) -> dict:
        started = bool(referral.concern or referral.categories)
        return {
            "categories": referral.categories,
            "concern": referral.concern,
            "immediate_risk": _yes_no(referral.immediate_risk) if started else None,
        }

    def clean(self):
        cleaned = super().clean()
        if self.complete:
            problems = completeness.concern_problems(
                categories=cleaned.get("categories", []), concern=cleaned.get("concern", "")
            )
            for problem in problems:
                if problem.field not in self.errors:
                    self.add_error(problem.field, problem.message)
            if not cleaned.get("immediate_risk"):
                self.add_error(
                    "immediate_risk", "Select yes if the child is at immediate risk of harm"
                )
        return cleaned

    def referral_details(self, base: ReferralDetails) -> ReferralDetails:
        data = self.cleaned_data
        return replace(
            base,
            categories=data["categories"],
            concern=data["concern"].strip(),
            immediate_risk=data.get("immediate_risk") == "yes",
        )


class ConsentForm(PageForm):
    """Step 4: consent, the lawful basis for sharing without it, and whether the family knows."""

    conditional_radios = ("consent",)
    WITHOUT_CONSENT = (Consent.REFUSED, Consent.NOT_SOUGHT)

    consent = forms.ChoiceField(
        label="Has the family consented to this referral?",
        help_text="Sharing information to protect a child does not need consent.",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    lawful_basis_refused = forms.CharField(
        label="Lawful basis for sharing without consent",
        help_text="For example, Children Act 1989 section 47; UK GDPR Article 6(1)(e)",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )
    reason_refused = forms.CharField(
        label="Why are you sharing without consent?",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )
    lawful_basis_not_sought = forms.CharField(
        label="Lawful basis for sharing without consent",
        help_text="For example, Children Act 1989 section 47; UK GDPR Article 6(1)(e)",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )
    reason_not_sought = forms.CharField(
        label="Why was consent not sought?",
        help_text="For example, asking would place the child at greater risk",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )
    family_aware = forms.ChoiceField(
        label="Does the family know about this referral?",
        choices=FamilyAware.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, complete: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        self.helper = self._helper(
            QuestionRadios(
                "consent",
                Consent.GIVEN.label,
                ConditionalQuestion(
                    Consent.REFUSED.label,
                    Field.textarea("lawful_basis_refused", rows=2),
                    Field.textarea("reason_refused", rows=3),
                ),
                ConditionalQuestion(
                    Consent.NOT_SOUGHT.label,
                    Field.textarea("lawful_basis_not_sought", rows=2),
                    Field.textarea("reason_not_sought", rows=3),
                ),
            ),
            _radios("family_aware"),
        )

    @staticmethod
    def initial_from(referral) -> dict:
        initial = {
            "consent": referral.consent or None,
            "family_aware": referral.family_aware if referral.consent else None,
        }
        if referral.consent in ConsentForm.WITHOUT_CONSENT:
            initial[f"lawful_basis_{referral.consent}"] = referral.lawful_basis
            initial[f"reason_{referral.consent}"] = referral.reason_without_consent
        return initial

    def clean(self):
        cleaned = super().clean()
        consent = cleaned.get("consent")
        if self.complete:
            # The page asks for the basis and the reason under each answer without consent.
            asked_as = {
                "lawful_basis": f"lawful_basis_{consent}",
                "reason_without_consent": f"reason_{consent}",
            }
            problems = completeness.consent_problems(
                consent=consent or "",
                lawful_basis=cleaned.get(asked_as["lawful_basis"], ""),
                reason_without_consent=cleaned.get(asked_as["reason_without_consent"], ""),
            )
            for problem in problems:
                name = asked_as.get(problem.field, problem.field)
                if name not in self.errors:
                    self.add_error(name, problem.message)
            if not cleaned.get("family_aware"):
                self.add_error(
                    "family_aware", "Select whether the family knows about this referral"
                )
        return cleaned

    def referral_details(self, base: ReferralDetails) -> ReferralDetails:
        data = self.cleaned_data
        consent = data.get("consent") or ""
        without = consent in self.WITHOUT_CONSENT
        return replace(
            base,
            consent=consent,
            lawful_basis=data[f"lawful_basis_{consent}"].strip() if without else "",
            reason_without_consent=data[f"reason_{consent}"].strip() if without else "",
            family_aware=data.get("family_aware") or FamilyAware.NOT_KNOWN,
        )


class AttachmentForm(PageForm):
    file = forms.FileField(
        label="Upload a file",
        help_text=f"A {ALLOWED_LABELS}, smaller than 10MB",
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper(Field("file"))


def child_details_of(child) -> ChildDetails:
    return ChildDetails(**{name: getattr(child, name) for name in CHILD_FIELDS})


def referral_details_of(referral) -> ReferralDetails:
    return ReferralDetails(**{name: getattr(referral, name) for name in REFERRAL_FIELDS})


# --- Referral pages: what happens to a submitted referral ----------------------------------


def _reason(label: str, message: str, *, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": message},
    )


class ScreenForm(PageForm):
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=[
            Choice(Rag.RED, "Red", hint="High risk: decide within hours"),
            Choice(Rag.AMBER, "Amber", hint="Medium risk: decide within 1 working day"),
            Choice(Rag.GREEN, "Green", hint="Lower risk: decide within a few working days"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a RAG rating"},
    )
    reason = _reason("Reason for the rating", "Enter the reason for the rating")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper(
            _radios("rag", size=Size.SMALL), Field.textarea("reason", rows=3)
        )


class DecideForm(PageForm):
    decision = forms.ChoiceField(
        label="What happens next?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happens next"},
    )
    reason = _reason("Reason for the decision", "Enter the reason for the decision")

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(name, TRANSITIONS[name].label) for name in decisions]
        self.helper = self._helper(
            _radios("decision", size=Size.SMALL), Field.textarea("reason", rows=3)
        )


class CloseForm(PageForm):
    outcome = _reason(
        "Outcome",
        "Enter the outcome before closing the referral",
        help_text="What was done and where the child is now. Closing records who, when and why.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper(Field.textarea("outcome", rows=3))


class WithdrawForm(PageForm):
    reason = _reason(
        "Why are you withdrawing this referral?",
        "Enter the reason for withdrawing the referral",
        help_text="A withdrawn referral is kept, with who withdrew it, when and why.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper(Field.textarea("reason", rows=3))


class MatchDecisionForm(PageForm):
    decision = forms.ChoiceField(
        label="Is this the same child?",
        choices=[
            ("confirm", "Yes, this is the same child"),
            ("reject", "No, this is a different child"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether this is the same child"},
    )
    reason = forms.CharField(
        label="Reason (optional)", widget=forms.Textarea, max_length=2000, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper(
            _radios("decision", size=Size.SMALL), Field.textarea("reason", rows=2)
        )


class ContributionRequestForm(PageForm):
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        label="Which agencies should say what they know?",
        help_text="Each agency is sent the referral and its safeguarding leads are told.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one agency"},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        # Read once: the page asks whether anyone is left to ask, then shows the boxes.
        self.fields["agencies"].choices = [(agency.pk, str(agency)) for agency in agencies]
        self.helper = self._helper(Field.checkboxes("agencies", legend_size=Size.SMALL, small=True))

    @property
    def has_agencies(self) -> bool:
        return bool(self.fields["agencies"].choices)


class ContributionForm(PageForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Which agency is this from?",
        error_messages={"required": "Select the agency this information is from"},
    )
    text = _reason("What does your agency know?", "Enter what your agency knows")
    sensitivity = forms.ChoiceField(
        label="Who may read this?",
        choices=[
            Choice(
                ContributionSensitivity.NORMAL,
                ContributionSensitivity.NORMAL.label,
                hint="Everyone who may read the referral",
            ),
            Choice(
                ContributionSensitivity.NOT_FOR_FAMILY,
                ContributionSensitivity.NOT_FOR_FAMILY.label,
                hint="Never in a summary for the family",
            ),
            Choice(
                ContributionSensitivity.PANEL_ONLY,
                ContributionSensitivity.PANEL_ONLY.label,
                hint="The panel, your agency and the quality auditor only; never in board papers",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who may read this information"},
    )
    lawful_basis = forms.CharField(
        label="Lawful basis for sharing",
        help_text="For example, Crime and Disorder Act 1998 section 115",
        max_length=2000,
        error_messages={"required": "Enter the lawful basis for sharing this information"},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        self.only_agency = agencies[0] if len(agencies) == 1 else None
        if self.only_agency is not None:
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        self.helper = self._helper(
            *([] if self.only_agency else [_radios("agency", size=Size.SMALL)]),
            Field.textarea("text", rows=5),
            _radios("sensitivity", size=Size.SMALL),
            Field.text("lawful_basis"),
        )

    @property
    def chosen_agency(self):
        return self.only_agency or self.cleaned_data["agency"]


class DeclineForm(PageForm):
    reason = _reason(
        "Why is your agency not sharing?", "Enter the reason your agency is not sharing"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper(Field.textarea("reason", rows=2))


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, NHS number or reference",
        max_length=200,
        required=False,
    )
