"""The pages' forms. The rules of a valid episode and a complete interview are the services'
(`episode_problems`, `interview_problems`): the forms only parse and show them by field."""

from django import forms

from missing.models import InterviewOutcome, MissingFrom, RiskGrading, TriggerDecision
from referrals.forms import GovDateField, GovDateTimeField


def when(label: str, *, required: bool = True, help_text: str = "") -> GovDateTimeField:
    """A moment as the GOV.UK date input and its time."""
    return GovDateTimeField(
        label=label,
        required=required,
        help_text=help_text or "For example, 7 3 2026 and 21:30",
    )


class ChildForm(forms.Form):
    first_name = forms.CharField(max_length=100, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(max_length=100, error_messages={"required": "Enter a last name"})
    date_of_birth = GovDateField(
        label="Date of birth",
        help_text="For example, 15 6 2011. With the name (or the NHS number) it finds the "
        "child's record.",
    )
    nhs_number = forms.CharField(label="NHS number", max_length=20, required=False)


class EpisodeForm(ChildForm):
    agency = forms.ModelChoiceField(queryset=None, empty_label=None, label="Reporting agency")
    missing_from = forms.ChoiceField(choices=MissingFrom.choices, widget=forms.RadioSelect)
    missing_since = when("When missing")
    risk_grading = forms.ChoiceField(
        label="Police risk grading", choices=RiskGrading.choices, widget=forms.RadioSelect
    )
    thought_to_be = forms.CharField(
        label="Where the child is thought to be or to have been",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    with_whom = forms.CharField(
        label="Who the child is thought to be with",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    circumstances = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    returned_at = when("When found or returned", required=False, help_text="If back already.")
    found_where = forms.CharField(label="Where found", max_length=2000, required=False)
    found_by = forms.CharField(label="Found by", max_length=200, required=False)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies

    def clean_nhs_number(self):
        from referrals.validators import normalise_nhs_number, validate_nhs_number

        value = self.cleaned_data["nhs_number"].strip()
        if not value:
            return ""
        validate_nhs_number(value)
        return normalise_nhs_number(value)


class ReturnForm(forms.Form):
    returned_at = when("When found or returned")
    found_where = forms.CharField(label="Where found", max_length=2000, required=False)
    found_by = forms.CharField(label="Found by", max_length=200, required=False)


class CorrectionForm(forms.Form):
    missing_from = forms.ChoiceField(choices=MissingFrom.choices)
    missing_since = when("When missing")
    risk_grading = forms.ChoiceField(label="Police risk grading", choices=RiskGrading.choices)
    thought_to_be = forms.CharField(
        label="Where thought to have been", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    with_whom = forms.CharField(
        label="Who they were with", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    circumstances = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    returned_at = when("When found or returned", required=False)
    found_where = forms.CharField(label="Where found", required=False)
    found_by = forms.CharField(label="Found by", max_length=200, required=False)
    reason = forms.CharField(
        label="Why are you correcting this?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Give the reason for the correction"},
    )


class InterviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=[
            (InterviewOutcome.OFFERED, "Offered, waiting for the child's answer"),
            (InterviewOutcome.ACCEPTED, "Accepted and held"),
            (InterviewOutcome.DECLINED, "Declined"),
        ],
        widget=forms.RadioSelect,
    )
    offered_at = when("When offered")
    held_at = when("When held", required=False)
    declined_reason = forms.CharField(
        label="Why declined", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    childs_account = forms.CharField(
        label="What the child said, in their own words",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    push_factors = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    pull_factors = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    risks = forms.CharField(
        label="Risks found", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    actions = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FlagDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=TriggerDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give the reason for the decision"},
    )
