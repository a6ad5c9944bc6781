"""Forms of the casework pages: each parses what a person typed; the services decide."""

from django import forms
from django.contrib.auth import get_user_model

from agencies.models import Membership
from casework.models import Grade, LearningKind, Theme
from referrals.forms import GovDateField

YES_NO = [("yes", "Yes"), ("no", "No")]


# A select sizes itself to its longest option ("Front Door (MASH) (Fenmarsh Council...)"):
# as wide as its column instead, so the page fits a 360 px phone.
FULL_WIDTH_SELECT = {"class": "govuk-select app-select-full"}


class AllocateForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=None, empty_label=None, widget=forms.Select(attrs=FULL_WIDTH_SELECT)
    )
    worker = forms.ModelChoiceField(
        queryset=None, empty_label=None, widget=forms.Select(attrs=FULL_WIDTH_SELECT)
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}), max_length=2000
    )

    def __init__(self, *args, teams, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda u: u.get_full_name() or u.username


class CloseAllocationForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}), max_length=2000
    )


class TargetForm(forms.Form):
    per_worker = forms.IntegerField(min_value=1, max_value=99, label="Cases per worker")


class SampleForm(forms.Form):
    size = forms.IntegerField(min_value=1, max_value=50, initial=5, label="How many cases")
    red = forms.BooleanField(required=False, label="Red only")
    repeat = forms.BooleanField(required=False, label="Repeat referrals only")
    past_clock = forms.BooleanField(required=False, label="Past their clock only")
    team = forms.IntegerField(required=False, widget=forms.HiddenInput)
    agency = forms.IntegerField(required=False, widget=forms.HiddenInput)


class GradeForm(forms.Form):
    decision_appropriate = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Was the decision appropriate?"
    )
    decision_timely = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Was it timely?"
    )
    voice_of_child_recorded = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Is the voice of the child recorded?"
    )
    information_shared = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="Was information shared with the right agencies?",
    )
    risk_assessed = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Was risk assessed?"
    )
    grade = forms.ChoiceField(choices=Grade.choices, widget=forms.RadioSelect)
    feedback = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    themes = forms.CharField(
        required=False,
        max_length=600,
        help_text="Themes, separated by commas (for example: voice of the child; drift).",
    )

    def answers(self) -> dict:
        data = self.cleaned_data
        yes = {
            name: data[name] == "yes"
            for name in (
                "decision_appropriate",
                "decision_timely",
                "voice_of_child_recorded",
                "information_shared",
                "risk_assessed",
            )
        }
        themes = [t for t in data.get("themes", "").split(",") if t.strip()]
        return {**yes, "grade": data["grade"], "feedback": data["feedback"], "themes": themes}


class RespondForm(forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class ChangesForm(forms.Form):
    changes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label="What changes"
    )


class LearningActionForm(forms.Form):
    theme = forms.ModelChoiceField(queryset=Theme.objects.all(), empty_label=None)
    kind = forms.ChoiceField(choices=LearningKind.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    owner = forms.ModelChoiceField(queryset=None, empty_label=None)
    due_date = GovDateField(label="Due date", help_text="For example, 27 3 2027")

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due is None:
            raise forms.ValidationError("Enter the date it is due")
        return due

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username


class CompleteLearningForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def learning_owners():
    """Anyone with a live role may own a learning action (a practice lead, a trainer)."""
    live = Membership.objects.active().values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=live)
        .order_by("first_name", "last_name", "username")
    )
