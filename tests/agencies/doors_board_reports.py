"""Rows of the access matrix for the board's quarterly reports and themes report (issue 17):
making a report (board members overseeing the panel, its chair or coordinator), its
download and web page (the same 404 for everyone else, signed in or not), and the themes
report (whoever sees the dashboard)."""

from board import services
from board.models import QuarterlyReport
from tests.agencies.doors_casework import DASHBOARD, world_casework
from tests.agencies.matrix import only

REPORTERS = {"board": 200, "chair": 200}  # board oversees panel P; its chair runs it


def world_report(world) -> QuarterlyReport:
    """Panel P's report of 2026-Q3, made once per world by the scheduled run."""
    world_casework(world)
    report = QuarterlyReport.objects.filter(panel=world.meeting.panel).first()
    if report is None:
        report, _ = services.quarterly_report_make(
            actor=None, panel=world.meeting.panel, quarter="2026-Q3"
        )
    return report


def _version(world, suffix: str) -> str:
    report = world_report(world)
    return f"/board/reports/{report.panel_id}/{report.quarter}/v{report.version}{suffix}"


def _document(allowed: dict) -> dict:
    """A document is the same 404 for everyone it is not for, signed in or not."""
    return only(allowed) | {"anonymous": 404}


BOARD_REPORT_DOORS = {
    "board:report-make": (
        "post",
        lambda w: (world_casework(w), f"/board/reports/{w.meeting.panel_id}/make/")[1],
        # The quarter left out: refused as incomplete even when allowed; nothing is made.
        {"quarter": ""},
        only({"board": 302, "chair": 302}),
    ),
    "board:report-download": (
        "get",
        lambda w: _version(w, ".pdf"),
        None,
        _document(REPORTERS),
    ),
    "board:report-page": ("get", lambda w: _version(w, "/"), None, _document(REPORTERS)),
    "board:themes": (
        "get",
        lambda w: (world_casework(w), "/board/themes/")[1],
        None,
        only(dict.fromkeys(DASHBOARD, 200), default=403),
    ),
    "board:themes-pdf": (
        "get",
        lambda w: (world_casework(w), "/board/themes.pdf")[1],
        None,
        _document(dict.fromkeys(DASHBOARD, 200)),
    ),
}
