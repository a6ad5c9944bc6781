"""The action log pages: the actions a person may see, filtered (whose, status, owner agency,
panel, when due), sorted and a page at a time; and one action, with its updates."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

import access
from agencies import audit
from panels import actions as action_services
from panels.filters import DEFAULTS, ActionFilter
from panels.models import ActionStatus

PAGE_SIZE = 25


@login_required
def action_list(request):
    """The actions the person may see, filtered, sorted and a page at a time."""
    visible = access.visible_actions(request.user)
    data = request.GET.copy()
    # The homes link with ?overdue=1 (the word the log used before it had the due filter).
    if data.get("overdue") == "1" and not data.get("due"):
        data["due"] = "overdue"
    for key, value in DEFAULTS.items():
        data.setdefault(key, value)
    agencies, panels = _choices(visible)
    filters = ActionFilter(
        data,
        queryset=visible.select_related(
            "owner_agency", "owner_person", "agenda_item__referral__child", "meeting__panel"
        ),
        user=request.user,
        agencies=agencies,
        panels=panels,
        acting_for=access.roles_of(request.user).all_agencies,
        # "Of panels I run" is offered where a chair's home links to it: asking every person
        # which panels they run would cost each page a query for the few who do (the panel
        # filter offers the same panels to anyone).
        panels_run=access.panels_run_by(request.user) if data["view"] == "panels" else None,
    )
    page = _page(
        filters.qs if filters.is_valid() else visible.none(), request.GET.get("page"), PAGE_SIZE
    )
    today = timezone.localdate()
    query = data.copy()
    query.pop("page", None)
    query.pop("overdue", None)
    context = {
        "filter": filters,
        "page": page,
        "rows": [(action, action.days_overdue(today), action.due_date < today) for action in page],
        "query": query.urlencode(),
        "filtered": any(
            value and DEFAULTS.get(key) != value
            for key, value in data.items()
            if key not in {"page", "sort", "overdue"}
        ),
    }
    return render(request, "panels/actions/list.html", context)


def _choices(visible) -> tuple[list, list]:
    """The owner agencies and the panels among the actions the person may see, by name: one
    query for both of the form's lists."""
    rows = (
        visible.order_by()
        .values_list(
            "owner_agency_id", "owner_agency__name", "meeting__panel_id", "meeting__panel__name"
        )
        .distinct()
    )
    agencies, panels = {}, {}
    for agency_id, agency_name, panel_id, panel_name in rows:
        agencies[agency_id] = agency_name
        panels[panel_id] = panel_name
    return (
        sorted(agencies.items(), key=lambda choice: choice[1]),
        sorted(panels.items(), key=lambda choice: choice[1]),
    )


def _page(queryset, number, size: int) -> Page:
    """One page of the queryset and the count of all of it, read in one query (a window
    count beside each row) rather than Paginator's two; a page past the end is the last."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    rows = list(queryset.annotate(total=Window(Count("pk")))[start : start + size])
    if not rows and number > 1:
        return Paginator(queryset, size).get_page(number)
    paginator = Paginator(queryset, size)
    paginator.count = rows[0].total if rows else 0  # what Paginator would ask the database
    return Page(rows, number, paginator)


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="What is its status now?",
        choices=[
            (ActionStatus.IN_PROGRESS, "In progress"),
            (ActionStatus.DONE, "Done"),
            (ActionStatus.CANCELLED, "Cancelled"),
            (ActionStatus.OPEN, "Open"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status"},
    )
    note = forms.CharField(
        label="Note",
        help_text="What was done, or why it was cancelled. Name no child: the case is linked.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("status"), Field.textarea("note", rows=3), Button("submit", "Save update")
        )


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, pk: int):
    action = (
        access.visible_actions(request.user)
        .select_related("owner_agency", "owner_person", "agenda_item__referral", "meeting__panel")
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise access.NotFoundForUser(object_type="action", object_id=pk)
    can_update = access.can_update_action(request.user, action)
    form = ActionUpdateForm(request.POST or None)
    if request.method == "POST":
        if not can_update:
            raise access.ForbiddenForUser(
                action="update",
                object_type="action",
                object_id=pk,
                referral_id=action.agenda_item.referral_id,
            )
        if form.is_valid():
            try:
                action_services.action_update(
                    actor=request.user,
                    action=action,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except action_services.ActionError as exc:
                # Each refusal beside the input that fixes it: a cancellation's missing reason
                # at the note, a move the action cannot make at its status.
                cancelling = form.cleaned_data["status"] == ActionStatus.CANCELLED
                form.add_error("note" if cancelling else "status", str(exc))
            else:
                messages.success(request, f"Action {action.pk} updated.")
                return redirect("actions:detail", pk=action.pk)
    action_services.action_view_record(
        actor=request.user, action=action, address=audit.client_address(request)
    )
    context = {
        "action": action,
        "overdue": action.days_overdue(),
        "updates": action.updates.select_related("by"),
        "form": form if can_update else None,
    }
    return render(request, "panels/actions/detail.html", context)
