"""The pages' forms for subjects of concern and their links."""

from django import forms

from intelligence.models import Sensitivity, SubjectKind


class SubjectForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is it?", choices=SubjectKind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        max_length=200,
        help_text="A person's name, a place's name, a vehicle's registration, an account's handle.",
        error_messages={"required": "Enter a name, a registration or a handle"},
    )
    approximate_age = forms.CharField(max_length=50, required=False, help_text="People only.")
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    place_type = forms.CharField(
        max_length=100, required=False, help_text="Places: a park, a takeaway, a hotel..."
    )
    vehicle_description = forms.CharField(max_length=200, required=False)
    platform = forms.CharField(max_length=100, required=False, help_text="Online accounts.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    sensitivity = forms.ChoiceField(
        choices=Sensitivity.choices, initial=Sensitivity.PANEL_ONLY, widget=forms.RadioSelect
    )
    holding_agency = forms.ModelChoiceField(queryset=None, empty_label=None)
    panel = forms.ModelChoiceField(
        queryset=None, required=False, label="Take it to a panel", empty_label="Not yet"
    )

    def __init__(self, *args, agencies=None, panels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holding_agency"].queryset = agencies
        self.fields["panel"].queryset = panels


class LinkForm(forms.Form):
    reference = forms.CharField(
        label="Missing episode or referral reference",
        max_length=30,
        help_text="The child is the one the episode or referral is about.",
        error_messages={"required": "Enter a reference"},
    )
    nature = forms.CharField(
        label="Nature of the link",
        max_length=200,
        help_text="For example: seen with, found at, drove, messaged the child.",
    )
    source = forms.CharField(
        max_length=200, help_text="For example: police intelligence, return home interview."
    )


class EndLinkForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Give the reason for ending the link"},
    )
