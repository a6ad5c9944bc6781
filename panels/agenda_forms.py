"""The coordinator's forms for what goes on a meeting's agenda: a case, or a thematic item
(a person, place, vehicle or online account of concern) on an exploitation panel's."""

from django import forms


class ListCaseForm(forms.Form):
    referral = forms.ModelChoiceField(
        queryset=None,
        label="Case",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the case to list",
            "invalid_choice": "That case cannot be listed on this agenda",
        },
    )

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals
        self.fields["referral"].label_from_instance = _case_label


class ListThemeForm(forms.Form):
    subject = forms.ModelChoiceField(
        queryset=None,
        label="Person, place, vehicle or account",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the person, place, vehicle or account to discuss",
            "invalid_choice": "That record cannot be listed on this agenda",
        },
    )
    reason = forms.CharField(
        label="Why the panel should discuss it",
        help_text="For example: linked to three children who went missing this month.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the panel should discuss it"},
    )

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects
        self.fields["subject"].label_from_instance = _theme_label


def _case_label(referral) -> str:
    initials = referral.child.initials if referral.child_id else ""
    return f"{referral.reference} ({initials}), {referral.get_state_display().lower()}"


def _theme_label(subject) -> str:
    return f"{subject}: {subject.name}"
