"""Panel and meeting pages. The meeting room is complete without JavaScript: GET shows the
state, each command is a POST of the same command table the WebSocket uses, answered with a
redirect back to the room (post/redirect/get)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

import access
from agencies import audit
from panels import commands, selectors, services
from panels.models import AttendanceStatus, MeetingStatus, RiskLevel
from referrals import clocks_for
from referrals.models import ContributionSensitivity


@login_required
@require_GET
def meeting_list(request):
    return render(request, "panels/meeting_list.html", selectors.meetings_for(user=request.user))


@login_required
@require_GET
def meeting_room(request, pk: int):
    meeting = access.get_meeting_for(request.user, pk)
    state = selectors.room_state(
        user=request.user, meeting=meeting, viewed_within=audit.VIEW_AUDIT_WINDOW
    )
    # Each command redirects back here: only a first opening in the window is a new reading.
    if not state.viewed_recently:
        services.meeting_view_record(
            actor=request.user, meeting=meeting, request=request, shown=state.shown
        )
    context = {
        "state": state,
        "meeting": meeting,
        "panel": meeting.panel,
        # A callable: the template calls it at each use, so each form gets its own id.
        "new_request_id": _new_request_id,
    }
    if state.can_run and meeting.status != MeetingStatus.CLOSED:
        context |= _runner_context(state)
    return render(request, "panels/meeting_room.html", context)


def _new_request_id() -> str:
    return uuid.uuid4().hex


def _runner_context(state) -> dict:
    """What the chair's and coordinator's forms need: choices, and each agency's update with
    the version an edit is made from (all read with the room state)."""
    agencies = state.member_agencies
    updates = {
        (update.item_id, update.agency_id): update
        for item in state.items
        for update in item.updates.all()
    }
    for item in state.items:
        item.update_forms = [
            {"agency": agency, "update": updates.get((item.pk, agency.pk))} for agency in agencies
        ]
    return {
        "member_agencies": agencies,
        "risk_levels": RiskLevel.choices,
        "sensitivities": ContributionSensitivity.choices,
        "attendance_statuses": AttendanceStatus.choices,
        "invitable": state.invitable,
    }


# What a form carries besides the command's fields: not part of the change a request id names.
_ENVELOPE = ("csrfmiddlewaretoken", "request_id")


@login_required
@require_POST
def meeting_command(request, pk: int):
    """One command from a plain form. The form's hidden `request_id` (fresh on each page) makes
    a second copy of the same post (a double click, a browser sending it again) change nothing
    and be answered as the first was; a form without one (an older page) is applied as sent."""
    meeting = access.get_meeting_to_run(request.user, pk)
    name = request.POST.get("command", "")
    room = reverse("panels:meeting", args=[meeting.pk])
    anchor = f"#item-{request.POST['item']}" if request.POST.get("item", "").isdigit() else ""
    request_id = request.POST.get("request_id", "") or None
    if request_id is not None and len(request_id) > commands.REQUEST_ID_MAX:
        messages.error(request, "The form was malformed: load the page again and retry.")
        return redirect(room + anchor)
    data = request.POST.copy()
    for key in _ENVELOPE:
        data.pop(key, None)
    try:
        done = commands.run_command(
            actor=request.user, meeting_id=meeting.pk, name=name, data=data, request_id=request_id
        )
    except commands.CommandInvalid as exc:
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
    except services.StaleEdit as exc:
        messages.error(request, f"{exc} Your text was: {request.POST.get('text', '')}")
    except services.MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(room + anchor)


@login_required
@require_GET
def panel_detail(request, pk: int):
    panel = access.get_panel_for(request.user, pk)
    seats = panel.memberships.active().select_related("user", "agency").order_by("role", "agency")
    meetings = panel.meetings.order_by("-starts_at")[:12]
    visible = set(access.meetings_visible_to(request.user).values_list("pk", flat=True))
    return render(
        request,
        "panels/panel_detail.html",
        {
            "panel": panel,
            "seats": seats,
            "meetings": meetings,
            "visible_meeting_ids": visible,
            "can_run": access.can_run_panel(request.user, panel),
            "screening_clocks": clocks_for.clocks_summary(panel)
            if clocks_for.is_hub(panel)
            else None,
            "can_set_clocks": access.can_manage_screening_clocks(request.user, panel),
        },
    )


@login_required
@require_POST
def panel_schedule(request, pk: int):
    panel = access.get_panel_for(request.user, pk)
    if not access.can_run_panel(request.user, panel):
        raise access.ForbiddenForUser(action="schedule", object_type="panel", object_id=panel.pk)
    try:
        created = services.panel_schedule_meetings(actor=request.user, panel=panel)
    except services.MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{len(created)} meetings scheduled from the panel's cycle.")
    return redirect("panels:panel", pk=panel.pk)
