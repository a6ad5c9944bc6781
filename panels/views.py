"""Panel and meeting pages. The meeting room is complete without JavaScript: GET shows the
state, each command is a POST of the same command table the WebSocket uses, answered with a
redirect back to the room (post/redirect/get)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

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
    return render(request, "panels/meeting_room.html", _room_context(request, meeting))


@login_required
@require_GET
def meeting_live(request, pk: int):
    """The changing part of the room (status, agenda, current item, attendance) on its own,
    for the room's script to put in place of what it shows after a change: the same person,
    the same access and the same audited reading as the whole page."""
    meeting = access.get_meeting_for(request.user, pk)
    return render(request, "panels/_room_live.html", _room_context(request, meeting))


def _room_context(request, meeting, *, failed_action: dict | None = None) -> dict:
    state = selectors.room_state(
        user=request.user, meeting=meeting, viewed_within=audit.VIEW_AUDIT_WINDOW
    )
    # Each command redirects back here: only a first opening in the window is a new reading.
    if not state.viewed_recently:
        services.meeting_view_record(
            actor=request.user, meeting=meeting, request=request, shown=state.shown
        )
    current_index = next((index for index, item in enumerate(state.items) if item.is_current), None)
    closed = meeting.status == MeetingStatus.CLOSED
    for index, item in enumerate(state.items):
        item.number = index + 1
        if index == current_index:
            item.when = "now"
        elif closed or (current_index is not None and index < current_index):
            item.when = "earlier"
        else:
            item.when = "later"
        item.action_form = None
    context = {
        "state": state,
        "meeting": meeting,
        "panel": meeting.panel,
        "current": state.items[current_index] if current_index is not None else None,
        "is_last_item": current_index is not None and current_index == len(state.items) - 1,
        "attendance_unrecorded": sum(1 for person in state.participants if not person.attendance),
        # A callable: the template calls it at each use, so each form gets its own id.
        "new_request_id": _new_request_id,
        "error_links": [],
    }
    if state.can_run and meeting.status != MeetingStatus.CLOSED:
        context |= _runner_context(state)
        if failed_action is not None:
            context["error_links"] = _show_failed_action(state, failed_action)
    return context


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


# The add-action form's inputs, by field: the id of the input an error links to.
_ACTION_INPUTS = {
    "text": "action-text-{item}",
    "owner_agency": "action-agency-{item}",
    "owner_person": "action-person-{item}",
    "due_date": "action-due-{item}-{part}",
}


def _show_failed_action(state, failed: dict) -> list[tuple[str, str]]:
    """Put what the person typed and the errors back on the item's add-action form; the
    error summary's links, in the order of the form."""
    item = next((item for item in state.items if item.pk == failed["item"]), None)
    if item is None:
        return []
    errors = {name: messages[0] for name, messages in failed["errors"].items()}
    # GOV.UK marks only the boxes left empty when some were filled, else all three.
    typed = [str(failed["values"].get(f"due_date_{index}", "")).strip() for index in range(3)]
    due_parts = [
        part for part, value in zip(("day", "month", "year"), typed, strict=True) if not value
    ]
    if not any(typed) or not due_parts:
        due_parts = ["day", "month", "year"]
    item.action_form = {
        "values": failed["values"],
        "errors": errors,
        "due_error_parts": due_parts if "due_date" in errors else [],
    }
    links = []
    for name, pattern in _ACTION_INPUTS.items():
        if name in errors:
            anchor = pattern.format(item=item.pk, part=due_parts[0] if due_parts else "day")
            links.append((f"#{anchor}", errors[name]))
    links += [(f"#item-{item.pk}", m) for n, m in errors.items() if n not in _ACTION_INPUTS]
    return links


# What a form carries besides the command's fields: not part of the change a request id names.
_ENVELOPE = ("csrfmiddlewaretoken", "request_id")


@login_required
@require_POST
def meeting_command(request, pk: int):
    """One command from a plain form. The form's hidden `request_id` (fresh on each page) makes
    a second copy of the same post (a double click, a browser sending it again) change nothing
    and be answered as the first was; a form without one (an older page) is applied as sent.

    An action refused for what was typed in it is shown again on the room, with the GOV.UK
    error summary and each message at its input; other refusals are said in a banner."""
    meeting = access.get_meeting_to_run(request.user, pk)
    name = request.POST.get("command", "")
    room = reverse("panels:meeting", args=[meeting.pk])
    item_id = request.POST.get("item", "")
    anchor = f"#item-{item_id}" if item_id.isdigit() else ""
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
        if name == "add_action" and item_id.isdigit() and "item" not in exc.errors:
            failed = {"item": int(item_id), "errors": exc.errors, "values": data.dict()}
            context = _room_context(request, meeting, failed_action=failed)
            return render(request, "panels/meeting_room.html", context)
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
@require_http_methods(["GET", "POST"])
def meeting_close(request, pk: int):
    """Closing the meeting, behind a page that says what closing now would leave undone: a
    meeting short of its quorum, or people whose attendance is not recorded. The POST runs the
    same command as the room's forms and socket (once per request id)."""
    meeting = access.get_meeting_to_run(request.user, pk)
    room = reverse("panels:meeting", args=[meeting.pk])
    if request.method == "POST":
        request_id = request.POST.get("request_id", "") or None
        if request_id is not None and len(request_id) > commands.REQUEST_ID_MAX:
            request_id = None
        try:
            done = commands.run_command(
                actor=request.user,
                meeting_id=meeting.pk,
                name="close",
                data={},
                request_id=request_id,
            )
        except (commands.CommandInvalid, services.MeetingError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return redirect(room)
    state = selectors.room_state(user=request.user, meeting=meeting)
    unrecorded = [person for person in state.participants if not person.attendance]
    return render(
        request,
        "panels/meeting_close.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "state": state,
            "unrecorded": unrecorded,
            "request_id": _new_request_id(),
            "can_close": meeting.status == MeetingStatus.IN_PROGRESS,
        },
    )


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
