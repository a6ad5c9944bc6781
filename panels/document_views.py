"""The documents as accessible web pages ("twins"): the full minutes, the board copy, an
agency's extract and the action log, built from the same view-model as each PDF, behind the
same door (`minutes_views.pdf_door`), the same policy question and the same audit row.

ReportLab cannot write tagged PDF, so a screen reader or a phone reads these instead; each
PDF prints the address of its twin on its first page.
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

import access
from agencies import audit
from panels import minutes as minutes_services
from panels.documents import action_log_doc_for
from panels.minutes_views import pdf_door
from panels.models import DocumentKind, Minutes
from panels.pdf import board_copy
from panels.pdf.documents import (
    BOARD_NOTE,
    SENSITIVITY_LABEL,
    THEME_NOT_IN_BOARD_COPY,
    action_log_groups,
    action_log_subtitle,
    approval_sentence,
    extract_rows,
    status_sentence,
)
from panels.pdf.layout import MARKING, long_date
from panels.pdf.model import MeetingDoc, Rag, Sensitivity
from panels.pdf.serialize import meeting_doc_from_data

_MEETING_KINDS = (DocumentKind.MINUTES, DocumentKind.BOARD_COPY)
_TITLES = {
    DocumentKind.MINUTES: "Minutes",
    DocumentKind.BOARD_COPY: "Board copy of minutes",
}


def _headers(response):
    response["Cache-Control"] = "no-store"
    return response


def _meeting_page(request, doc: MeetingDoc, *, kind: str, agency_name: str = ""):
    """The page of a meeting's document: minutes, board copy or one agency's extract."""
    if kind == DocumentKind.BOARD_COPY:
        doc = doc if doc.is_board_copy else board_copy(doc)[0]
    context = {
        "marking": MARKING,
        "doc": doc,
        "kind": kind,
        "meeting_day": long_date(doc.meeting_date),
        "next_meeting": long_date(doc.next_meeting),
        "status": status_sentence(doc),
        "approval": approval_sentence(doc),
        "board_note": BOARD_NOTE if doc.is_board_copy else "",
        "theme_not_in_board_copy": THEME_NOT_IN_BOARD_COPY,
    }
    if kind == DocumentKind.AGENCY_EXTRACT:
        agreed, carried = extract_rows(doc, agency_name)
        context |= {
            "title": f"Actions for {agency_name}",
            "agency_name": agency_name,
            "agreed": agreed,
            "carried": carried,
        }
        template = "panels/documents/agency_extract.html"
    else:
        initials = {item.reference: item.initials for item in doc.items}
        context |= {
            "title": f"{_TITLES[kind]}: {doc.panel_name}",
            "items": [
                {
                    "item": item,
                    "updates": [
                        (update, SENSITIVITY_LABEL.get(update.sensitivity, ""))
                        for update in item.agency_updates
                        if not doc.is_board_copy or update.sensitivity is Sensitivity.NORMAL
                    ],
                }
                for item in doc.items
            ],
            "carried": [
                (
                    f"{a.case_reference} ({initials[a.case_reference]})"
                    if a.case_reference in initials
                    else a.case_reference,
                    a,
                )
                for a in doc.carried_forward
            ],
        }
        template = "panels/documents/meeting_document.html"
    return _headers(render(request, template, context))


@pdf_door
@require_GET
def approved_twin(request, pk: int, number: int, kind: str, agency: int | None = None):
    """An approved document's web page, from the version's stored view-model."""
    if kind not in (*_MEETING_KINDS, DocumentKind.AGENCY_EXTRACT) or (
        (kind == DocumentKind.AGENCY_EXTRACT) != (agency is not None)
    ):
        raise access.NotFoundForUser(object_type="minutes document", object_id=pk)
    document = access.get_document_by_number_for(
        request.user, meeting_pk=pk, number=number, kind=kind, agency_pk=agency
    )
    minutes_services.document_read_record(
        actor=request.user, document=document, origin=audit.origin_of(request), as_web_page=True
    )
    doc = meeting_doc_from_data(document.version.content)
    return _meeting_page(
        request, doc, kind=kind, agency_name=document.agency.name if document.agency_id else ""
    )


@pdf_door
@require_GET
def preview_twin(request, pk: int, kind: str):
    """The draft's web page, for the chair and coordinator (as the draft PDF previews)."""
    meeting = access.get_meeting_for(request.user, pk)
    if not access.can_view_minutes_draft(request.user, meeting):
        raise access.NotFoundForUser(object_type="minutes draft", object_id=meeting.pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or kind not in _MEETING_KINDS:
        raise access.NotFoundForUser(object_type="minutes draft", object_id=meeting.pk)
    minutes_services.draft_read_record(
        actor=request.user,
        minutes=minutes,
        kind=kind,
        origin=audit.origin_of(request),
        as_web_page=True,
    )
    return _meeting_page(request, minutes_services.minutes_doc(minutes), kind=kind)


@pdf_door
@require_GET
def action_log_twin(request, pk: int):
    """The panel's open actions as a web page, built now (as the action log PDF)."""
    panel = access.get_panel_for_action_log(request.user, pk)
    log = action_log_doc_for(panel=panel)
    minutes_services.action_log_read_record(
        actor=request.user, panel=panel, origin=audit.origin_of(request), as_web_page=True
    )
    groups = action_log_groups(log)
    rags = (Rag.RED, Rag.AMBER, Rag.GREEN)
    summary = [
        {
            "agency": agency,
            "open": len(actions),
            "overdue": sum(1 for a in actions if a.days_overdue > 0),
            "rag": [sum(1 for a in actions if a.rag is rag) for rag in rags],
            "most": max((a.days_overdue for a in actions), default=0),
        }
        for agency, actions in [*groups, ("All agencies", list(log.actions))]
    ]
    return _headers(
        render(
            request,
            "panels/documents/action_log.html",
            {
                "marking": MARKING,
                "log": log,
                "title": f"Action log: {log.panel_name}",
                "subtitle": action_log_subtitle(log),
                "groups": [
                    (agency, actions, sum(1 for a in actions if a.days_overdue > 0))
                    for agency, actions in groups
                ],
                "summary": summary,
            },
        )
    )
