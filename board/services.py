"""Writes of the board: making a quarterly performance report's next version, and the audit
rows of reading a report and exporting the dashboard's figures."""

import hashlib
import io

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

import access
from agencies import audit
from agencies.models import AuditAction
from board import documents, selectors
from board.models import QuarterlyReport
from board.periods import has_ended, period_from, quarter_key
from board.report_data import figures_sha256, figures_to_data
from panels.models import Panel


class ReportError(ValueError):
    """A report refused for a reason the person can act on; the message says what to do."""


def report_filters(*, panel: Panel, quarter: str) -> selectors.Filters:
    """A panel's report reads every record of the panel over the quarter: the dashboard's
    figures for someone who oversees that panel alone, narrowed to it."""
    oversight = access.Oversight(panel_ids=frozenset({panel.pk}))
    return selectors.Filters(oversight, period_from(quarter), panel_id=panel.pk)


def _name(user) -> str:
    return user.get_full_name() or user.username


@transaction.atomic(durable=True)
def quarterly_report_make(
    *, actor: AbstractBaseUser | None, panel: Panel, quarter: str, today=None
) -> tuple[QuarterlyReport, bool]:
    """The panel's report of an ended quarter: a new version when a figure differs from the
    last version's, else the last version (and False). `actor` None is the scheduled
    command; a person must be one who may make the panel's report."""
    if actor is not None:
        panel = access.get_panel_to_report_on(actor, panel.pk)
    key = quarter_key(quarter)
    today = today or timezone.localdate()
    if key is None:
        raise ReportError("Choose a quarter, for example 2026-Q3.")
    if not has_ended(key, today=today):
        raise ReportError(f"{period_from(key).label} has not ended yet: report on it after.")
    # One maker at a time per panel: the second waits, then finds the first's version.
    Panel.objects.select_for_update().filter(pk=panel.pk).first()
    figures = selectors.dashboard(report_filters(panel=panel, quarter=key), today=today)
    data = figures_to_data(figures)
    digest = figures_sha256(data)
    last = (
        QuarterlyReport.objects.filter(panel=panel, quarter=key)
        .defer("pdf")
        .order_by("-version")
        .first()
    )
    if last is not None and last.figures_sha256 == digest:
        return last, False
    number = last.version + 1 if last else 1
    doc = documents.quarterly_report_doc(
        panel_id=panel.pk,
        panel_name=panel.name,
        period=period_from(key),
        number=number,
        made_on=today,
        made_by=_name(actor) if actor is not None else "the scheduled run",
    )
    pdf = documents.render_quarterly_report(doc, figures)
    report = QuarterlyReport.objects.create(
        panel=panel,
        quarter=key,
        version=number,
        figures=data,
        figures_sha256=digest,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        pages=len(PdfReader(io.BytesIO(pdf)).pages),
        made_by=actor,
        made_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATED,
        obj=report,
        detail=f"Quarterly report of {panel.name}, {key}, version {number}, "
        f"sha256 {report.sha256[:16]}",
    )
    return report, True


# --- Readings and exports, each in the audit trail ---------------------------------------------


@transaction.atomic(durable=True)
def dashboard_csv_record(
    *, actor: AbstractBaseUser, title: str, period_label: str, origin: audit.Origin
) -> None:
    """Each download of a dashboard figure as CSV."""
    audit.record(
        actor=actor,
        action=audit.Action.EXPORTED_CSV,
        origin=origin,
        detail=f"Board dashboard: {title}, {period_label}",
    )


@transaction.atomic(durable=True)
def quarterly_report_read_record(
    *, actor: AbstractBaseUser, report: QuarterlyReport, origin: audit.Origin, as_page: bool
) -> None:
    """Each reading of a report's version, as its PDF or as its web page."""
    detail = (
        f"Quarterly report of {report.panel.name}, {report.quarter}, version "
        f"{report.version}, sha256 {report.sha256[:16]}"
    )
    audit.record(
        actor=actor,
        action=AuditAction.EXPORTED_PDF,
        obj=report,
        origin=origin,
        detail=detail + (", read as its web page" if as_page else ""),
    )


@transaction.atomic(durable=True)
def themes_report_pdf_record(
    *, actor: AbstractBaseUser, period, scope: str, origin: audit.Origin
) -> None:
    """Each themes report made as a PDF."""
    audit.record(
        actor=actor,
        action=AuditAction.EXPORTED_PDF,
        origin=origin,
        object_type="board.themes_report",
        object_id=period.key,
        detail=f"Themes report, {period.label}: {scope}",
    )
