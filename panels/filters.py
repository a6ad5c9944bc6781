"""The action log's filters and sorting (django-filter), like the referral list's.

A filter only narrows the queryset it is given: the view passes the actions the access
policy lets the person see (access.visible_actions) and the choices it offers (the agencies
and panels among those actions, the agencies the person acts for, the panels they run), so
no filter can reach an action outside it, and a value the person may not choose is refused
as invalid. The agency and panel choices are plain (id, name) pairs the view reads in one
query with the rest, not querysets each read again to draw the form.
"""

from datetime import date, timedelta

import django_filters
from django.utils import timezone

from panels.models import INCOMPLETE_ACTION_STATUSES, ActionStatus

WHOSE = {
    "mine": "Mine",
    "agency": "My agency's",
    "panels": "Of panels I run",
    "all": "All you can see",
}
STATUS_CHOICES = [
    ("incomplete", "Open or in progress"),
    *ActionStatus.choices,
    ("any", "Any status"),
]
DUE_CHOICES = [
    ("overdue", "Overdue"),
    ("this_week", "Due this week"),
    ("later", "Due later"),
]
SORTS = {
    "due": ("Due date, soonest first", ["due_date", "pk"]),
    "due_latest": ("Due date, latest first", ["-due_date", "-pk"]),
    "newest": ("Agreed most recently", ["-created_at", "-pk"]),
    "agency": ("Owner agency", ["owner_agency__name", "due_date", "pk"]),
    "status": ("Status", ["status", "due_date", "pk"]),
}
# What the page shows when nothing is asked (the navigation's link): every open action the
# person may see, soonest due (so the overdue) first. The homes link to "mine" and "my
# agency's" by name.
DEFAULTS = {"view": "all", "status": "incomplete", "sort": "due"}


def end_of_week(today: date) -> date:
    """The Sunday of today's week: "due this week" runs from today to then."""
    return today + timedelta(days=6 - today.weekday())


class ActionFilter(django_filters.FilterSet):
    view = django_filters.ChoiceFilter(
        label="Whose actions", choices=[], empty_label=None, method="by_whose"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, empty_label=None, method="by_status"
    )
    owner_agency = django_filters.ChoiceFilter(
        label="Owner agency", field_name="owner_agency_id", choices=[], empty_label="Any agency"
    )
    panel = django_filters.ChoiceFilter(
        label="Panel", field_name="meeting__panel_id", choices=[], empty_label="Any panel"
    )
    due = django_filters.ChoiceFilter(
        label="Due", choices=DUE_CHOICES, empty_label="Any date", method="by_due"
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        method="sorted_by",
    )

    def __init__(
        self,
        data=None,
        *args,
        user,
        agencies: list[tuple[int, str]],
        panels: list[tuple[int, str]],
        acting_for,
        panels_run=None,
        today: date | None = None,
        **kwargs,
    ):
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.acting_for = list(acting_for)
        self.today = today or timezone.localdate()
        self.panels_run = panels_run
        self.filters["owner_agency"].extra["choices"] = agencies
        self.filters["panel"].extra["choices"] = panels
        offered = {
            "mine": True,
            "agency": bool(self.acting_for),
            "panels": panels_run is not None,
            "all": True,
        }
        self.filters["view"].extra["choices"] = [
            (key, label) for key, label in WHOSE.items() if offered[key]
        ]

    @property
    def qs(self):
        # Without a sort chosen: soonest due first.
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["due"][1])
        return queryset

    def by_whose(self, queryset, name, value):
        if value == "mine":
            return queryset.filter(owner_person=self.user)
        if value == "agency":
            return queryset.filter(owner_agency_id__in=self.acting_for)
        if value == "panels":
            return queryset.filter(meeting__panel__in=self.panels_run)
        return queryset

    def by_status(self, queryset, name, value):
        if value == "incomplete":
            return queryset.filter(status__in=INCOMPLETE_ACTION_STATUSES)
        if value == "any":
            return queryset
        return queryset.filter(status=value)

    def by_due(self, queryset, name, value):
        # Overdue as the home counts it: not finished, and the due date has passed.
        if value == "overdue":
            return queryset.filter(status__in=INCOMPLETE_ACTION_STATUSES, due_date__lt=self.today)
        if value == "this_week":
            return queryset.filter(due_date__gte=self.today, due_date__lte=end_of_week(self.today))
        return queryset.filter(due_date__gt=end_of_week(self.today))

    def sorted_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])
