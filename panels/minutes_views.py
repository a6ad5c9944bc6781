"""Pages for a meeting's minutes, the PDFs, and the board's papers. Each view asks the policy,
calls one service or selector, and renders; every PDF that leaves is audited."""

from dataclasses import replace
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
from agencies import audit, two_factor
from agencies.two_factor_middleware import step_up_redirect
from notifications.models import Notification
from panels import minutes as minutes_services
from panels import minutes_rendering
from panels.documents import (
    action_log_doc_for,
    action_log_twin_path,
    preview_documents_address,
    twin_url,
)
from panels.models import (
    DocumentKind,
    MeetingStatus,
    Minutes,
    MinutesDocument,
    MinutesStatus,
    MinutesStep,
    RiskLevel,
)
from panels.pdf import render_action_log, render_board_copy, render_minutes
from panels.pdf.fonts import unprintable_characters
from panels.pdf.redaction import RedactionFlag, flag_key

# The minutes first, then the board copy, then the agencies' extracts by name.
DOCUMENT_ORDER = [DocumentKind.MINUTES, DocumentKind.BOARD_COPY, DocumentKind.AGENCY_EXTRACT]


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_door(view):
    """A PDF is a 404 to anyone it is not for, signed in or not: an address that does not
    lead to sign-in says nothing about whether the document exists. An export: the second
    factor is asked again when the last is older than SECOND_FACTOR_STEP_UP_SECONDS."""

    @wraps(view)
    def door(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise access.NotFoundForUser(object_type="document", object_id=request.path)
        if not two_factor.verified_recently(request.session):
            return step_up_redirect(request)
        return view(request, *args, **kwargs)

    return door


def _minutes_page(meeting) -> str:
    return reverse("minutes:page", args=[meeting.pk])


def _board_sends(versions) -> list[Notification]:
    """Each board member's notice of each version, with its email's delivery."""
    if not versions:
        return []
    sent = Q()
    for version in versions:
        sent |= Q(dedupe_key__startswith=f"minutes-version-{version.pk}-board:")
    return list(
        Notification.objects.filter(sent)
        .select_related("recipient", "email_delivery")
        .order_by("-created_at", "recipient__last_name")
    )


# --- The minutes page ---------------------------------------------------------------------------


def _versions(user, minutes: Minutes) -> list:
    """The approved versions, newest first, each with the documents this person may download
    (`downloads`) and whether its documents are stored yet (`prepared`: they are rendered
    after the approval, panels/minutes_rendering.py)."""
    versions = list(
        minutes.versions.select_related("approved_by")
        .annotate(prepared=Exists(MinutesDocument.objects.filter(version=OuterRef("pk"))))
        .order_by("-number")
    )
    downloadable = {}
    for document in (
        access.documents_visible_to(user)
        .filter(version__minutes=minutes)
        .select_related("agency")
        .defer("pdf")
    ):
        downloadable.setdefault(document.version_id, []).append(document)
    for version in versions:
        version.downloads = sorted(
            downloadable.get(version.pk, []),
            key=lambda d: (DOCUMENT_ORDER.index(d.kind), d.agency.name if d.agency_id else ""),
        )
    return versions


def _preparing(versions) -> object | None:
    """The newest version whose documents are still being rendered, if any."""
    return next((version for version in versions if not version.prepared), None)


@login_required
@require_GET
def minutes_page(request, pk: int):
    meeting = access.get_meeting_for(request.user, pk)
    user = request.user
    minutes = Minutes.objects.filter(meeting=meeting).first()
    minutes_services.minutes_view_record(
        actor=user, meeting=meeting, minutes=minutes, address=audit.client_address(request)
    )
    may_edit = access.can_edit_minutes(user, meeting)
    may_approve = access.can_approve_minutes(user, meeting)
    sees_draft = access.can_view_minutes_draft(user, meeting)
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "may_edit": may_edit,
        "may_approve": may_approve,
        "sees_draft": sees_draft,
        "can_draft": may_edit and minutes is None and meeting.status == MeetingStatus.CLOSED,
        "meeting_closed": meeting.status == MeetingStatus.CLOSED,
    }
    if minutes is not None:
        versions = _versions(user, minutes)
        context["versions"] = versions
        context["preparing"] = _preparing(versions)
        if sees_draft:
            context["doc"] = minutes_services.minutes_doc(minutes)
            if minutes.status != MinutesStatus.APPROVED:
                # Redaction costs ~0.2 s on a 40-case meeting: only while someone must check.
                context["flags"] = [
                    RedactionFlag(key=flag_key(flag), text=flag)
                    for flag in minutes_services.redaction_flags(minutes)
                ]
                context["unprintable"] = unprintable_characters(context["doc"])
            context["history"] = minutes.history.select_related("by")
            if minutes.status == MinutesStatus.RETURNED:
                context["returned"] = (
                    minutes.history.filter(step=MinutesStep.RETURNED)
                    .select_related("by")
                    .order_by("-at", "-pk")
                    .first()
                )
            context["board_sent"] = _board_sends(versions)
    return render(request, "panels/minutes/page.html", context)


@login_required
@require_GET
def minutes_documents(request, pk: int):
    """The minutes page's approved versions and their documents, alone: what the page's
    script asks for every 2 s while a version's documents are being prepared. Behind the
    page's own door; not audited again (the page's opening was)."""
    meeting = access.get_meeting_for(request.user, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    versions = _versions(request.user, minutes) if minutes is not None else []
    return render(
        request,
        "panels/minutes/_versions.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "versions": versions,
            "preparing": _preparing(versions),
        },
    )


def _act(request, pk, step, **kwargs):
    """Run one minutes service from a form: what it returns when done, None when refused (a
    refusal becomes a message)."""
    meeting = access.get_meeting_for(request.user, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        messages.error(request, "There are no minutes for this meeting yet.")
        return None
    try:
        return step(actor=request.user, minutes=minutes, request=request, **kwargs)
    except minutes_services.MinutesError as exc:
        messages.error(request, str(exc))
        return None


@login_required
@require_POST
def minutes_draft(request, pk: int):
    meeting = access.get_meeting_for(request.user, pk)
    try:
        minutes_services.minutes_draft(actor=request.user, meeting=meeting, request=request)
    except minutes_services.MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The minutes are drafted from the meeting's record.")
    return redirect(_minutes_page(meeting))


@login_required
@require_POST
def minutes_submit(request, pk: int):
    if _act(request, pk, minutes_services.minutes_submit) is not None:
        messages.success(request, "The minutes are with the chair for approval.")
    return redirect(reverse("minutes:page", args=[pk]))


@login_required
@require_POST
def minutes_return(request, pk: int):
    done = _act(
        request, pk, minutes_services.minutes_return, comments=request.POST.get("comments", "")
    )
    if done is not None:
        messages.success(request, "The minutes are back with the coordinator.")
    return redirect(reverse("minutes:page", args=[pk]))


@login_required
@require_POST
def minutes_approve(request, pk: int):
    revision = request.POST.get("revision", "")
    done = _act(
        request,
        pk,
        minutes_services.minutes_approve,
        revision=int(revision) if revision.isdigit() else -1,
        confirmed_flags=request.POST.getlist("flag"),  # each flag's key, ticked one by one
    )
    if done is not None:
        approved = f"The minutes are approved as version {done.number}."
        if done.documents.exists():  # rendered in the request (MINUTES_RENDERING "inline")
            sent = (
                " The board copy has gone to the board members and the full minutes to the "
                "meeting's participants."
            )
        else:
            sent = (
                " Their documents are being prepared: the board copy goes to the board members "
                "and the full minutes to the meeting's participants when they are ready."
            )
        messages.success(request, approved + sent)
    return redirect(reverse("minutes:page", args=[pk]))


@login_required
@require_POST
def minutes_correct(request, pk: int):
    done = _act(
        request,
        pk,
        minutes_services.minutes_start_correction,
        reason=request.POST.get("reason", ""),
    )
    if done is not None:
        messages.success(request, "A corrected draft is open. The approved versions stay.")
    return redirect(reverse("minutes:page", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def minutes_edit_item(request, pk: int, reference: str):
    meeting = access.get_meeting_for(request.user, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if not access.can_edit_minutes(request.user, meeting):
        raise access.ForbiddenForUser(
            action="edit the minutes of", object_type="meeting", object_id=meeting.pk
        )
    if minutes is None:
        messages.error(request, "There are no minutes for this meeting yet.")
        return redirect(_minutes_page(meeting))
    item = next((i for i in minutes.content["items"] if i["reference"] == reference), None)
    if item is None:
        raise access.NotFoundForUser(object_type="minutes item", object_id=reference)
    error, status = "", 200
    if request.method == "POST":
        updates = {
            update["agency"]: request.POST.get(f"update-{index}", update["text"])
            for index, update in enumerate(item["agency_updates"])
        }
        revision = request.POST.get("revision", "")
        try:
            minutes_services.minutes_edit_item(
                actor=request.user,
                minutes=minutes,
                reference=reference,
                revision=int(revision) if revision.isdigit() else -1,
                summary=request.POST.get("summary", ""),
                discussion=request.POST.get("discussion", ""),
                decision=request.POST.get("decision", ""),
                risk_level=request.POST.get("risk_level", ""),
                updates=updates,
                request=request,
            )
        except minutes_services.MinutesError as exc:
            error = str(exc)
            # 409: someone else saved first; 400: the input itself was refused.
            status = 409 if isinstance(exc, minutes_services.StaleMinutes) else 400
            minutes.refresh_from_db()
            item = next(i for i in minutes.content["items"] if i["reference"] == reference)
        else:
            messages.success(request, f"The minutes of case {reference} are saved.")
            return redirect(_minutes_page(meeting) + f"#case-{reference}")
    risk_value = {label: value for value, label in RiskLevel.choices}.get(item["risk_level"], "")
    return render(
        request,
        "panels/minutes/edit_item.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "item": item,
            "updates": list(enumerate(item["agency_updates"])),
            "risk_levels": RiskLevel.choices,
            "risk_value": risk_value,
            "error": error,
            "editable": minutes.is_editable,
        },
        status=status,
    )


# --- PDFs ----------------------------------------------------------------------------------------


@pdf_door
@require_GET
def minutes_preview(request, pk: int, kind: str):
    """The draft as a PDF (watermarked DRAFT) for the chair and coordinator."""
    meeting = access.get_meeting_for(request.user, pk)
    if not access.can_view_minutes_draft(request.user, meeting):
        raise access.NotFoundForUser(object_type="minutes draft", object_id=meeting.pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or kind not in (DocumentKind.MINUTES, DocumentKind.BOARD_COPY):
        raise access.NotFoundForUser(object_type="minutes draft", object_id=meeting.pk)
    doc = minutes_services.minutes_doc(minutes)
    doc = replace(doc, document_address=preview_documents_address(meeting_id=meeting.pk))
    pdf = render_minutes(doc) if kind == DocumentKind.MINUTES else render_board_copy(doc)
    minutes_services.draft_read_record(
        actor=request.user, minutes=minutes, kind=kind, origin=audit.origin_of(request)
    )
    label = "minutes" if kind == DocumentKind.MINUTES else "board"
    return _pdf_response(pdf, f"{label}-draft-meeting-{meeting.pk}.pdf")


@pdf_door
@require_GET
def document_download(request, version: int, kind: str, agency: int | None = None):
    """An approved PDF, as the bytes that were approved."""
    if kind not in (DocumentKind.MINUTES, DocumentKind.BOARD_COPY, DocumentKind.AGENCY_EXTRACT):
        raise access.NotFoundForUser(object_type="minutes document", object_id=version)
    document = access.get_document_for(
        request.user, version_pk=version, kind=kind, agency_pk=agency
    )
    minutes_services.document_read_record(
        actor=request.user, document=document, origin=audit.origin_of(request)
    )
    response = _pdf_response(document.pdf, document.filename)
    response["ETag"] = f'"{document.sha256}"'
    return response


@pdf_door
@require_GET
def action_log_download(request, pk: int):
    """The panel's open actions across its meetings, rendered now."""
    panel = access.get_panel_for_action_log(request.user, pk)
    twin = twin_url(action_log_twin_path(panel_id=panel.pk))
    pdf = render_action_log(action_log_doc_for(panel=panel), twin_url=twin)
    minutes_services.action_log_read_record(
        actor=request.user, panel=panel, origin=audit.origin_of(request)
    )
    return _pdf_response(pdf, f"action-log-panel-{panel.pk}.pdf")


# --- The board's papers ---------------------------------------------------------------------------


@login_required
@require_GET
def board_papers(request):
    """Every approved board copy of the panels the person oversees; a version superseded by
    a correction is listed as such."""
    documents = list(access.board_copies_visible_to(request.user))
    latest = {}
    for document in documents:
        minutes_id = document.version.minutes_id
        latest[minutes_id] = max(latest.get(minutes_id, 0), document.version.number)
    for document in documents:
        document.superseded = document.version.number < latest[document.version.minutes_id]
    # Approved a moment ago, rendered after the approval: listed as being prepared.
    preparing = [
        version
        for version in minutes_rendering.versions_without_documents().select_related(
            "minutes__meeting__panel"
        )
        if access.can_receive_board_copy(request.user, version.minutes.meeting.panel)
    ]
    return render(
        request,
        "panels/minutes/board_papers.html",
        {
            "documents": documents,
            "preparing": preparing,
            "oversees": access.oversees_any_panel(request.user),
            "dashboard": access.can_view_dashboard(request.user),
        },
    )
