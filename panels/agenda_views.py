"""Listing on a meeting's agenda: the coordinator or chair adds a case, and on an
exploitation panel a thematic item. Thin: the forms parse, panels.services writes, and the
policy (access.cases_listable_on / access.themes_listable_on) says what may be offered."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

import access
from agencies import audit
from panels import services
from panels.agenda_forms import ListCaseForm, ListThemeForm
from panels.models import MeetingStatus, PanelKind

OFFERED = 200  # the newest this many of each: the page stays readable on a phone
FORMS = ("case", "theme")


@login_required
@require_http_methods(["GET", "POST"])
def agenda_add(request, pk: int):
    meeting = access.get_meeting_to_run(request.user, pk)
    referrals = access.cases_listable_on(request.user, meeting).select_related("child")
    subjects = access.themes_listable_on(request.user, meeting)
    posted = _form_posted(request) if request.method == "POST" else None
    case_form = ListCaseForm(
        request.POST if posted == "case" else None,
        referrals=referrals.order_by("-pk"),
        prefix="case",
    )
    theme_form = ListThemeForm(
        request.POST if posted == "theme" else None,
        subjects=subjects.order_by("kind", "name", "pk"),
        prefix="theme",
    )
    if posted == "case" and case_form.is_valid():
        referral = case_form.cleaned_data["referral"]
        try:
            services.agenda_item_add_case(actor=request.user, meeting=meeting, referral=referral)
        except services.MeetingError as exc:
            case_form.add_error("referral", str(exc))
        else:
            messages.success(request, f"{referral.reference} is on the agenda.")
            return redirect("panels:meeting", pk=meeting.pk)
    if posted == "theme" and theme_form.is_valid():
        subject = theme_form.cleaned_data["subject"]
        try:
            services.agenda_item_add_theme(
                actor=request.user,
                meeting=meeting,
                subject=subject,
                reason=theme_form.cleaned_data["reason"],
                address=audit.client_address(request),
            )
        except services.MeetingError as exc:
            theme_form.add_error("subject", str(exc))
        else:
            messages.success(request, f"{subject} is on the agenda as a theme.")
            return redirect("panels:meeting", pk=meeting.pk)
    failed = case_form if case_form.errors else theme_form if theme_form.errors else None
    return render(
        request,
        "panels/agenda/add.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "scheduled": meeting.status == MeetingStatus.SCHEDULED,
            "takes_themes": meeting.panel.kind == PanelKind.EXPLOITATION,
            "case_form": case_form,
            "theme_form": theme_form,
            "failed_form": failed,
            "case_count": len(case_form.fields["referral"].queryset[:OFFERED]),
            "theme_count": len(theme_form.fields["subject"].queryset[:OFFERED]),
        },
        status=400 if failed else 200,
    )


def _form_posted(request) -> str:
    """Which of the page's two forms was sent. Each sends its own name and only its own
    fields, so a POST naming neither or both, or carrying the other form's fields, was not
    sent by this page: refused rather than read as one of them."""
    named = request.POST.getlist("what")
    if len(named) != 1 or named[0] not in FORMS:
        raise BadRequest("Send one of the page's forms.")
    other = next(form for form in FORMS if form != named[0])
    if any(key.startswith(f"{other}-") for key in request.POST):
        raise BadRequest("Send one of the page's forms.")
    return named[0]
