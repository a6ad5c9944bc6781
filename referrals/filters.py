"""The referral list's filters and sorting (django-filter).

A filter only narrows the queryset it is given: the view passes the referrals the access
policy lets the person see, and the choices it offers (the agencies among those referrals,
the agencies the person acts for, whether they review cases), so no filter can reach a
referral outside it, and a value the person may not choose is refused as invalid.
"""

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from agencies.models import Agency, AuditAction, AuditEvent
from referrals.forms import GovDateField
from referrals.models import Category, ContributionRequest, Rag, ReferralState

OPEN_STATES = [
    ReferralState.SUBMITTED,
    ReferralState.SCREENED,
    ReferralState.LISTED_FOR_PANEL,
    ReferralState.ESCALATED,
]
DECIDED_STATES = [
    ReferralState.NO_FURTHER_ACTION,
    ReferralState.EARLY_HELP,
    ReferralState.CLOSED,
    ReferralState.WITHDRAWN,
]
STATE_CHOICES = [
    ("open", "Open: waiting for a decision, at panel or escalated"),
    ("decided", "Decided, closed or withdrawn"),
    *[(value, label) for value, label in ReferralState.choices],
]
# Newest received first; a draft (not yet received: no submitted_at) after every received
# referral, in either direction, on PostgreSQL and SQLite alike (the index
# referral_newest_received is in the same order).
NEWEST = F("submitted_at").desc(nulls_last=True)
SORTS = {
    "newest": ("Newest first", [NEWEST, "-created_at", "-pk"]),
    "oldest": ("Oldest first", [F("submitted_at").asc(nulls_last=True), "created_at", "pk"]),
    "reference": ("Reference", ["reference"]),
    "state": ("State", ["state", NEWEST, "-pk"]),
    "rag": ("RAG rating", ["rag", NEWEST, "-pk"]),
    "agency": ("Referring agency", ["agency__name", NEWEST, "-pk"]),
}
REVIEW_CHOICES = [("to_review", "Not yet reviewed by you"), ("reviewed", "Reviewed by you")]


@dataclass(frozen=True, slots=True)
class DrawnField:
    """One filter field as the list draws it (a GOV.UK select, checkbox or date input), its
    values read once from the bound field rather than looked up again for every option."""

    kind: str  # "select", "checkbox" or "date"
    id: str
    name: str
    label: str
    error: str  # the first error, or ""
    options: tuple[tuple[str, str, bool], ...] = ()  # a select's (value, label, selected)
    # The select's <option> elements, drawn here: a select of 60 agencies drawn option by
    # option in the template was most of the page's template variables.
    options_html: SafeString = SafeString("")
    checked: bool = False  # a checkbox's
    parts: tuple[str, str, str] = ("", "", "")  # a date's day, month and year as typed


@dataclass(frozen=True, slots=True)
class DrawnFilters:
    """The filter form in the order the list draws it: the selects and dates, the "Whose"
    checkboxes, then the sort."""

    fields: list[DrawnField]
    whose: list[DrawnField]
    sort: DrawnField


class ReceivedDateField(GovDateField):
    def __init__(self, **kwargs):
        kwargs.pop("required", None)
        super().__init__(**kwargs)


class ReceivedDateFilter(django_filters.DateFilter):
    """A day, month and year in GOV.UK's date input, never the browser's date picker."""

    field_class = ReceivedDateField


class ReferralFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label="State", choices=STATE_CHOICES, empty_label="Any state", method="by_state"
    )
    agency = django_filters.ModelChoiceFilter(
        label="Referring agency", queryset=Agency.objects.none(), empty_label="Any agency"
    )
    category = django_filters.ChoiceFilter(
        label="Category of concern",
        choices=Category.choices,
        empty_label="Any category",
        method="by_category",
    )
    rag = django_filters.ChoiceFilter(
        label="RAG rating", choices=Rag.choices, empty_label="Any rating"
    )
    received_from = ReceivedDateFilter(
        label="Received on or after", field_name="submitted_at", lookup_expr="date__gte"
    )
    received_to = ReceivedDateFilter(
        label="Received on or before", field_name="submitted_at", lookup_expr="date__lte"
    )
    made_by_me = django_filters.BooleanFilter(
        label="Made by me", method="by_me", widget=forms.CheckboxInput
    )
    my_agency = django_filters.BooleanFilter(
        label="My agency's", method="by_my_agency", widget=forms.CheckboxInput
    )
    waiting = django_filters.ChoiceFilter(
        label="Waiting for contributions",
        choices=[("us", "From my agency"), ("any", "From any agency")],
        empty_label="Either",
        method="by_waiting",
    )
    review = django_filters.ChoiceFilter(
        label="Your review", choices=REVIEW_CHOICES, empty_label="All", method="by_review"
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        method="sorted_by",
    )

    def __init__(self, data=None, *args, user, agencies, acting_for, reviews: bool, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.acting_for = list(acting_for)
        self.filters["agency"].queryset = agencies
        if not reviews:
            del self.filters["review"]
        if not self.acting_for:
            del self.filters["my_agency"]

    @property
    def qs(self):
        # Without a sort chosen: newest first, or for a reviewer the oldest first.
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            default = "oldest" if self.form.cleaned_data.get("review") else "newest"
            queryset = queryset.order_by(*SORTS[default][1])
        return queryset

    def drawn(self) -> DrawnFilters:
        """The form's fields as the list draws them."""
        form = self.form
        drawn = {name: _drawn(form[name]) for name in form.fields}
        return DrawnFilters(
            fields=[
                drawn[name]
                for name in (
                    "state",
                    "agency",
                    "category",
                    "rag",
                    "received_from",
                    "received_to",
                    "waiting",
                    "review",
                )
                if name in drawn
            ],
            whose=[drawn[name] for name in ("made_by_me", "my_agency") if name in drawn],
            sort=drawn["sort"],
        )

    def by_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if value == "decided":
            return queryset.filter(state__in=DECIDED_STATES)
        return queryset.filter(state=value)

    def by_category(self, queryset, name, value):
        # The categories are a JSON list: the quoted value matches one element exactly, on
        # SQLite and PostgreSQL alike.
        return queryset.filter(categories__icontains=f'"{value}"')

    def by_me(self, queryset, name, value):
        return queryset.filter(referrer=self.user) if value else queryset

    def by_my_agency(self, queryset, name, value):
        return queryset.filter(agency_id__in=self.acting_for) if value else queryset

    def by_waiting(self, queryset, name, value):
        waiting = ContributionRequest.objects.filter(
            referral=OuterRef("pk"), answered_at__isnull=True
        )
        if value == "us":
            waiting = waiting.filter(agency_id__in=self.acting_for)
        return queryset.filter(Exists(waiting))

    def by_review(self, queryset, name, value):
        reviewed = Exists(
            AuditEvent.objects.filter(
                referral=OuterRef("pk"), actor=self.user, action=AuditAction.VIEWED
            )
        )
        live = queryset.filter(state__in=OPEN_STATES)
        return live.filter(~Q(reviewed) if value == "to_review" else Q(reviewed))

    def sorted_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])


def _drawn(field: forms.BoundField) -> DrawnField:
    errors = field.errors
    common = {
        "id": field.auto_id,
        "name": field.html_name,
        "label": field.label,
        "error": errors[0] if errors else "",
    }
    value = field.value()
    if isinstance(field.field, forms.MultiValueField):
        typed = value if isinstance(value, list | tuple) else ()
        parts = tuple(
            "" if i >= len(typed) or typed[i] is None else str(typed[i]) for i in range(3)
        )
        return DrawnField(kind="date", parts=parts, **common)
    if getattr(field.field.widget, "input_type", None) == "checkbox":
        return DrawnField(kind="checkbox", checked=bool(value), **common)
    chosen = str(value)
    options = tuple((value, label, value == chosen) for value, label in _choices(field.field))
    return DrawnField(
        kind="select",
        options=options,
        # Each value and label escaped by format_html.
        options_html=format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if selected else "", label) for value, label, selected in options),
        ),
        **common,
    )


def _choices(field: forms.ChoiceField):
    """The field's choices as strings. An agency's label is its name (Agency.__str__), read
    as (pk, name) pairs rather than as 60 model instances."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            yield "", str(field.empty_label)
        for pk, name in field.queryset.values_list("pk", "name"):
            yield str(pk), name
        return
    for value, label in field.choices:
        yield str(value), str(label)
