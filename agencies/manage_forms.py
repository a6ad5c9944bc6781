"""Forms of the management pages: each parses and checks what a person typed and shows GOV.UK
errors; the services decide everything else (who may, duplicates, the two-person rule)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout, Size
from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

import access
from agencies.models import Agency, AgencyType, Role, Team
from panels.models import Panel, PanelRole
from referrals.models import RedClockCounting


def _helper(*fields, button: str, method: str = "post") -> FormHelper:
    """The template writes the <form> and its CSRF token; the helper writes the fields."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.form_method = method
    helper.layout = Layout(*fields, Button("submit", button))
    return helper


class ErrorLinksMixin:
    """The GOV.UK error summary's links: each message to the input that fixes it (the first
    radio of a set of radios, which crispy-forms-gds numbers from 1)."""

    @property
    def error_links(self) -> list[tuple[str, str]]:
        if not self.is_bound:
            return []
        anchors = {
            bound.name: f"{bound.auto_id}_1"
            if isinstance(bound.field.widget, forms.RadioSelect)
            else bound.auto_id
            for bound in self.visible_fields()
        }
        first = next(iter(anchors.values()), "main-content")
        links = [(f"#{first}", message) for message in self.non_field_errors()]
        for name, anchor in anchors.items():
            links += [(f"#{anchor}", message) for message in self[name].errors]
        return links


def _reason_field(label: str, required_message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": required_message},
    )


class ReasonForm(ErrorLinksMixin, forms.Form):
    """One reason, for deactivating and ending: who, when and why are kept."""

    reason = _reason_field("Reason", "Enter the reason")

    def __init__(self, *args, label: str, required_message: str, button: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message
        self.fields["reason"].help_text = "Recorded in the audit trail with your name."
        self.helper = _helper(Field.textarea("reason", rows=3), button=button)


# --- People ----------------------------------------------------------------------------------


class PeopleFilterForm(ErrorLinksMixin, forms.Form):
    STATUSES = [("active", "Active accounts"), ("inactive", "Deactivated accounts"), ("all", "All")]

    q = forms.CharField(label="Name, username or email", required=False, max_length=150)
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.all(), required=False, empty_label="Any agency"
    )
    status = forms.ChoiceField(label="Accounts", choices=STATUSES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        self.helper = _helper(
            Field.text("q", field_width=Fluid.TWO_THIRDS),
            Field.select("agency"),
            Field.select("status"),
            button="Filter",
            method="get",
        )


class PersonForm(ErrorLinksMixin, forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter the last name"}
    )
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What they sign in with, for example firstname.lastname. Letters, digits and "
        "@ . + - _ only.",
        validators=[UnicodeUsernameValidator()],
        error_messages={"required": "Enter a username"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="Their work address: the link to set their password is sent there.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("username", "email"):
            self.fields[name].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
        self.helper = _helper(
            Field.text("first_name", field_width=Fluid.TWO_THIRDS),
            Field.text("last_name", field_width=Fluid.TWO_THIRDS),
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            button="Create account and email the link",
        )


# --- Agencies and teams -----------------------------------------------------------------


class AgencyForm(ErrorLinksMixin, forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the agency's name"}
    )
    agency_type = forms.ChoiceField(
        label="Type of agency",
        choices=AgencyType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of agency"},
    )
    ods_code = forms.CharField(
        label="ODS code (optional)",
        max_length=10,
        required=False,
        help_text="Health bodies: the NHS ODS code.",
    )
    urn = forms.CharField(
        label="URN (optional)",
        max_length=8,
        required=False,
        help_text="Schools: the Unique Reference Number.",
    )

    def __init__(self, *args, button: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.radios("agency_type", legend_size=Size.SMALL),
            Field.text("ods_code", field_width=Fluid.ONE_THIRD),
            Field.text("urn", field_width=Fluid.ONE_THIRD),
            button=button,
        )


class TeamForm(ErrorLinksMixin, forms.Form):
    name = forms.CharField(
        label="Team name", max_length=200, error_messages={"required": "Enter the team's name"}
    )

    def __init__(self, *args, button: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("name", field_width=Fluid.TWO_THIRDS), button=button)


# --- Grants ----------------------------------------------------------------------------------


def _role_choices():
    at_once = "takes effect at once: it opens no case"
    waits = "needs a second person's approval"
    return [
        (value, f"{label} ({at_once if value in access.TAKES_EFFECT_AT_ONCE else waits})")
        for value, label in Role.choices
    ]


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, team):
        return f"{team.name} ({team.agency.name})"


class GrantForm(ErrorLinksMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.filter(is_active=True),
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency the role is in"},
    )
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role"},
    )
    team = TeamChoiceField(
        label="Team (optional)",
        queryset=Team.objects.filter(agency__is_active=True).select_related("agency"),
        required=False,
        empty_label="No team",
        help_text="A team of the agency chosen above.",
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=200, required=False)
    reason = _reason_field(
        "Why do they need this role?",
        "Enter why they need this role",
        help_text="The person who approves it reads this; it is kept in the audit trail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices()
        self.helper = _helper(
            Field.select("agency"),
            Field.radios("role", legend_size=Size.SMALL, small=True),
            Field.select("team"),
            Field.text("job_title", field_width=Fluid.TWO_THIRDS),
            Field.textarea("reason", rows=3),
            button="Ask for this role",
        )


class SeatForm(ErrorLinksMixin, forms.Form):
    panel = forms.ModelChoiceField(
        label="Panel",
        queryset=Panel.objects.filter(is_active=True),
        empty_label="Choose a panel",
        error_messages={"required": "Choose the panel"},
    )
    agency = forms.ModelChoiceField(
        label="Sits for the agency",
        queryset=Agency.objects.filter(is_active=True),
        empty_label="Choose an agency",
        help_text="A member or deputy sits for one of the panel's member agencies.",
        error_messages={"required": "Choose the agency they sit for"},
    )
    role = forms.ChoiceField(
        label="Seat",
        choices=PanelRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the seat"},
    )
    reason = _reason_field(
        "Why do they need this seat?",
        "Enter why they need this seat",
        help_text="A seat opens the cases listed at the panel: a second person approves it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.select("panel"),
            Field.select("agency"),
            Field.radios("role", legend_size=Size.SMALL, small=True),
            Field.textarea("reason", rows=3),
            button="Ask for this seat",
        )


class DecideForm(ErrorLinksMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve: it takes effect now"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select approve or refuse"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed to refuse; kept in the audit trail with your name.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("reason", rows=3),
            button="Save decision",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for refusing")
        return cleaned


# --- A hub's screening clocks -----------------------------------------------------------------


def _days(label: str, noun: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=365,
        error_messages={
            "required": f"Enter the {noun} in working days",
            "invalid": f"Enter the {noun} as a whole number of working days",
        },
    )


def _time(label: str, noun: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H.%M", "%H"],
        help_text=f"For example 08:30. Leave it blank for the service's usual {noun}.",
        error_messages={"invalid": f"Enter the {noun} as a time of day, like 08:30"},
    )


class ScreeningClocksForm(ErrorLinksMixin, forms.Form):
    """What the hub's clocks are; the rules about them (the red clock is at least an hour,
    the working day ends after it starts) are the model's, checked by the service."""

    red_hours = forms.IntegerField(
        label="Red: hours from receipt",
        min_value=0,
        max_value=168,
        error_messages={
            "required": "Enter the red clock in hours",
            "invalid": "Enter the red clock as a whole number of hours",
        },
    )
    red_counting = forms.ChoiceField(
        label="How are the red clock's hours counted?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the red clock's hours are counted"},
    )
    amber_working_days = _days("Amber: working days from receipt", "amber clock")
    green_working_days = _days("Green: working days from receipt", "green clock")
    decision_working_days = _days("Decision: working days from receipt", "decision clock")
    working_day_start = _time("Working day starts (optional)", "start of the working day")
    working_day_end = _time("Working day ends (optional)", "end of the working day")
    reason = _reason_field(
        "Why are the clocks changing?",
        "Enter why the clocks are changing",
        help_text="Recorded in the audit trail. Referrals already received keep their deadlines.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["red_counting"].choices = RedClockCounting.choices
        self.helper = _helper(
            Field.text("red_hours", field_width=Fluid.ONE_QUARTER),
            Field.radios("red_counting", legend_size=Size.SMALL, small=True),
            Field.text("amber_working_days", field_width=Fluid.ONE_QUARTER),
            Field.text("green_working_days", field_width=Fluid.ONE_QUARTER),
            Field.text("decision_working_days", field_width=Fluid.ONE_QUARTER),
            Field.text("working_day_start", field_width=Fluid.ONE_QUARTER),
            Field.text("working_day_end", field_width=Fluid.ONE_QUARTER),
            Field.textarea("reason", rows=3),
            button="Save the clocks",
        )
