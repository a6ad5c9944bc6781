"""The action log pages: my actions, my agency's, and every action (panel coordinator)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

import access
from agencies import audit
from panels import actions as action_services
from panels.models import INCOMPLETE_ACTION_STATUSES, ActionStatus

VIEWS = {
    "mine": "My actions",
    "agency": "My agency's actions",
    "panels": "Actions of panels I run",
    "all": "All actions",
}


@login_required
def action_list(request):
    is_coordinator = access.can_screen(request.user)
    view = request.GET.get("view", "mine")
    if view not in VIEWS or (view == "all" and not is_coordinator):
        view = "mine"
    actions = access.visible_actions(request.user).select_related(
        "owner_agency", "owner_person", "agenda_item__referral__child", "meeting__panel"
    )
    if view == "mine":
        actions = actions.filter(owner_person=request.user)
    elif view == "agency":
        actions = actions.filter(owner_agency_id__in=access.agencies_acting_for(request.user))
    elif view == "panels":
        actions = actions.filter(meeting__panel__in=access.panels_run_by(request.user))
    status = request.GET.get("status", "incomplete")
    if status == "incomplete":
        actions = actions.filter(status__in=INCOMPLETE_ACTION_STATUSES)
    elif status in ActionStatus.values:
        actions = actions.filter(status=status)
    today = timezone.localdate()
    rows = [(action, action.days_overdue(today)) for action in actions.order_by("due_date")[:500]]
    if request.GET.get("overdue") == "1":
        rows = [(action, overdue) for action, overdue in rows if overdue > 0]
    context = {
        "rows": rows,
        "view": view,
        "views": {
            k: v
            for k, v in VIEWS.items()
            if (k != "all" or is_coordinator) and (k != "panels" or view == "panels")
        },
        "status": status,
        "statuses": [("incomplete", "Open or in progress"), *ActionStatus.choices],
        "overdue_only": request.GET.get("overdue") == "1",
    }
    return render(request, "panels/actions/list.html", context)


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
