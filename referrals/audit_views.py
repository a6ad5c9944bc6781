"""The data protection officer's audit pages: find a record's trail by its reference, and the
recent break-glass uses and refusals across the service, filtered and a page at a time."""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

import access
from agencies.models import Agency, AuditAction, AuditEvent
from referrals.models import Referral

PAGE_SIZE = 50
WATCHED = [
    (AuditAction.BREAK_GLASS, "Break-glass uses"),
    (AuditAction.REFUSED, "Access refused"),
    (AuditAction.EXPORTED_CSV, "Exports as CSV"),
    (AuditAction.EXPORTED_PDF, "Exports as PDF"),
]


class FindForm(forms.Form):
    reference = forms.CharField(
        label="Referral reference",
        max_length=40,
        error_messages={"required": "Enter a referral reference, like FEN-2026-0001"},
    )

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if not Referral.objects.filter(reference__iexact=reference).exists():
            raise forms.ValidationError("There is no referral with that reference")
        return reference


class EventFilterForm(forms.Form):
    action = forms.ChoiceField(label="What happened", choices=WATCHED, required=False)
    days = forms.TypedChoiceField(
        label="In the last",
        choices=[(7, "7 days"), (30, "30 days"), (90, "90 days")],
        coerce=int,
        required=False,
        empty_value=30,
    )
    agency = forms.ModelChoiceField(
        label="Agency of the person",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Any agency",
    )


@login_required
def audit_lookup(request):
    if not access.can_look_up_audit_trails(request.user):
        raise access.ForbiddenForUser(action="look up", object_type="audit trail", object_id="")
    find = FindForm(request.GET if "reference" in request.GET else None)
    if find.is_bound and find.is_valid():
        referral = Referral.objects.get(reference__iexact=find.cleaned_data["reference"])
        return redirect("referrals:audit", pk=referral.pk)
    filters = EventFilterForm(request.GET if "action" in request.GET else None)
    action, days, agency = AuditAction.BREAK_GLASS, 30, None
    if filters.is_bound and filters.is_valid():
        action = filters.cleaned_data["action"] or action
        days = filters.cleaned_data["days"] or days
        agency = filters.cleaned_data["agency"]
    events = AuditEvent.objects.filter(
        action=action, at__gte=timezone.now() - timedelta(days=days)
    ).select_related("actor", "actor_agency", "referral")
    if agency is not None:
        events = events.filter(actor_agency=agency)
    page = Paginator(events.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "find": find,
        "filters": filters if filters.is_bound else EventFilterForm(initial={"action": action}),
        "page": page,
        "events": page.object_list,
        "watched": dict(WATCHED)[action],
        "days": days,
        "query": query.urlencode(),
    }
    return render(request, "referrals/audit_lookup.html", context)
