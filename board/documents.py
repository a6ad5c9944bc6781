"""The board's reports as documents: the words around the figures, and their web pages'
addresses printed on the PDFs (`panels.pdf.board_reports` lays them out)."""

from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from board.periods import Period
from board.selectors import Figure
from panels.pdf.board_reports import BoardReportDoc, render_board_report
from panels.pdf.layout import long_date


def report_twin_path(*, panel_id: int, quarter: str, number: int) -> str:
    """A version's web page, addressed by what is known before its row is written."""
    return reverse("board:report-page", args=[panel_id, quarter, number])


def _full(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _last_day(period: Period) -> date:
    return timezone.localtime(period.end).date() - timedelta(days=1)


def quarterly_report_doc(
    *, panel_id: int, panel_name: str, period: Period, number: int, made_on: date, made_by: str
) -> BoardReportDoc:
    first = long_date(timezone.localtime(period.start).date())
    return BoardReportDoc(
        title=f"Quarterly performance report: {panel_name}, {period.label}",
        subtitle=f"Version {number}, made on {long_date(made_on)} by {made_by}",
        footer_label=f"Quarterly report of {panel_name}, {period.label}, version {number}, "
        f"made {long_date(made_on)}",
        made_on=made_on,
        introduction=f"Figures for {first} to {long_date(_last_day(period))}: the referrals "
        f"to {panel_name}, its meetings and actions, and the caseloads and independent reviews "
        "of its cases, counted from the records. Figures marked “now” were read on "
        f"{long_date(made_on)}; overdue actions are counted on the quarter's last day.",
        twin_url=_full(report_twin_path(panel_id=panel_id, quarter=period.key, number=number)),
    )


def render_quarterly_report(doc: BoardReportDoc, figures: list[Figure]) -> bytes:
    return render_board_report(doc, figures)


def themes_report_doc(*, scope: str, period: Period, made_on: date) -> BoardReportDoc:
    return BoardReportDoc(
        title=f"Themes report: {period.label}",
        subtitle=f"{scope}. Made on {long_date(made_on)}.",
        footer_label=f"Themes report, {period.label}, made {long_date(made_on)}",
        made_on=made_on,
        introduction="The grades independent reviewers gave live cases and the themes they "
        "found, month by month; teams and agencies benchmarked by the share of their reviews "
        "graded good or better; and the learning actions the themes started.",
        twin_url=_full(reverse("board:themes") + f"?period={period.key}"),
    )
