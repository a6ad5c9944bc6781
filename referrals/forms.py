from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from agencies.models import Agency


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


class AuditFilterForm(forms.Form):
    person = forms.CharField(label="Person (username or name)", required=False, max_length=150)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.all(), required=False, empty_label="Any agency"
    )
    since = forms.DateField(label="From (YYYY-MM-DD)", required=False)
    until = forms.DateField(label="To (YYYY-MM-DD)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("person"),
            Field.select("agency"),
            Field.text("since"),
            Field.text("until"),
            Button("filter", "Filter"),
        )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date")
        return cleaned
