"""The board's reports: making a panel's quarterly performance report (a POST from the
dashboard), downloading a version as the bytes that were made or reading it as its web page
(behind the documents' door: a 404 to anyone it is not for, the second factor again when the
last is old, every reading audited), and the themes report as a page and a PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

import access
from agencies import audit
from board import documents, services, themes
from board.charts import bar_chart
from board.periods import last_complete_quarter, period_from, recent_periods
from board.report_data import figures_from_data
from board.selectors import Filters, filter_choices
from panels.minutes_views import pdf_door
from panels.pdf.board_reports import render_board_report
from panels.pdf.layout import MARKING


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def charted(figures) -> list[tuple]:
    """(figure, its SVG chart, no CSV address) for board/_figure.html."""
    return [
        (
            figure,
            bar_chart(
                chart_id=f"chart-{figure.key}",
                title=figure.title,
                series=figure.chart,
                unit=figure.unit,
                target=figure.target,
            ),
            "",
        )
        for figure in figures
    ]


# --- The quarterly performance report ---------------------------------------------------------


@login_required
@require_POST
def report_make(request, panel: int):
    """Make the panel's report of the chosen ended quarter: a new version only when a figure
    changed since the last one."""
    panel = access.get_panel_to_report_on(request.user, panel)
    try:
        report, made = services.quarterly_report_make(
            actor=request.user, panel=panel, quarter=request.POST.get("quarter", "")
        )
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        label = period_from(report.quarter).label
        if made:
            messages.success(
                request, f"{panel.name}, {label}: version {report.version} of the report made."
            )
        else:
            messages.info(
                request,
                f"{panel.name}, {label}: no figure has changed since version {report.version}, "
                "so no new version was made.",
            )
    return redirect(reverse("board:dashboard") + "#reports")


@pdf_door
@require_GET
def report_download(request, panel: int, quarter: str, number: int):
    """A version's PDF, as the bytes that were made."""
    report = access.get_quarterly_report_for(
        request.user, panel_pk=panel, quarter=quarter, number=number
    )
    services.quarterly_report_read_record(
        actor=request.user, report=report, origin=audit.origin_of(request), as_page=False
    )
    response = _pdf_response(report.pdf, report.filename)
    response["ETag"] = f'"{report.sha256}"'
    return response


@pdf_door
@require_GET
def report_page(request, panel: int, quarter: str, number: int):
    """A version as a web page (the PDF is not tagged), drawn from the figures it printed."""
    report = access.get_quarterly_report_for(
        request.user, panel_pk=panel, quarter=quarter, number=number
    )
    services.quarterly_report_read_record(
        actor=request.user, report=report, origin=audit.origin_of(request), as_page=True
    )
    response = render(
        request,
        "board/report.html",
        {
            "marking": MARKING,
            "report": report,
            "period": period_from(report.quarter),
            "figures": charted(figures_from_data(report.figures)),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# --- The themes report ------------------------------------------------------------------------


def _themes_filters(request, oversight) -> tuple[Filters, list, list]:
    """The dashboard's filters; the period is the year of the last ended quarter unless
    chosen (themes are read over time)."""
    panels, agencies = filter_choices(oversight)

    def choice(name, allowed):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and int(value) in allowed else None

    key = request.GET.get("period") or last_complete_quarter()[:4]
    filters = Filters(
        oversight,
        period_from(key),
        choice("panel", {p.pk for p in panels}),
        choice("agency", {a.pk for a in agencies}),
    )
    return filters, panels, agencies


def _scope(filters: Filters, panels, agencies) -> str:
    panel = next((p.name for p in panels if p.pk == filters.panel_id), "")
    agency = next((a.name for a in agencies if a.pk == filters.agency_id), "")
    parts = [panel or "The panels and agencies you oversee", agency]
    return ", ".join(p for p in parts if p)


@login_required
@require_GET
def themes_page(request):
    oversight = access.require_can_view_themes_report(request.user)
    filters, panels, agencies = _themes_filters(request, oversight)
    return render(
        request,
        "board/themes.html",
        {
            "figures": charted(themes.themes_report(filters)),
            "filters": filters,
            "panels": panels,
            "agencies": agencies,
            "periods": recent_periods(),
            "scope": _scope(filters, panels, agencies),
            "pdf_query": request.GET.urlencode(),
        },
    )


@pdf_door
@require_GET
def themes_pdf(request):
    """The themes report as a PDF, made now from the records."""
    oversight = access.themes_report_pdf_oversight(request.user)
    filters, panels, agencies = _themes_filters(request, oversight)
    figures = themes.themes_report(filters)
    scope = _scope(filters, panels, agencies)
    doc = documents.themes_report_doc(
        scope=scope, period=filters.period, made_on=timezone.localdate()
    )
    pdf = render_board_report(doc, figures)
    services.themes_report_pdf_record(
        actor=request.user, period=filters.period, scope=scope, origin=audit.origin_of(request)
    )
    return _pdf_response(pdf, f"themes-report-{filters.period.key}.pdf")
