"""Who sees the board's dashboard, and over what.

- A board member sees the figures of the panels they oversee (a live oversight and a live
  board member role in an active agency).
- A panel's chair or coordinator (a live seat) sees the figures of the panels they run.
- An agency safeguarding lead sees the figures of the agencies they lead.
A record counts for a person when it belongs to a panel they oversee or to an agency they
lead. Figures are aggregates only: no page or export of the dashboard names a child.

The quarterly performance report is a panel's: a person makes and reads the reports of the
panels whose figures they see (as a board member overseeing it, or its chair or
coordinator). An agency lead's figures are their agencies', and a panel's report covers
every agency of the panel, so leading an agency alone gives no report. The themes report is
read over the same oversight as the dashboard.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from access.errors import NotFoundForUser, refusal
from access.meetings import panels_run_by
from access.roles import roles_of, signed_in
from agencies.models import Membership, Role
from board.models import QuarterlyReport
from panels.models import Panel, PanelOversight


@dataclass(frozen=True)
class Oversight:
    """The panels and agencies whose figures a person sees."""

    panel_ids: frozenset[int] = frozenset()
    agency_ids: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.panel_ids or self.agency_ids)


def _overseen_panel_ids(user) -> set[int]:
    board_role = Membership.objects.active().filter(
        user=OuterRef("user_id"), role=Role.BOARD_MEMBER, agency__is_active=True
    )
    return set(
        PanelOversight.objects.active()
        .filter(Exists(board_role), user=user, user__is_active=True)
        .values_list("panel_id", flat=True)
    )


def dashboard_oversight(user) -> Oversight:
    """The panels and agencies whose figures the person sees; empty for everyone else."""
    if not signed_in(user):
        return Oversight()
    roles = roles_of(user)
    panels: set[int] = set()
    if roles.has(Role.BOARD_MEMBER):
        panels |= _overseen_panel_ids(user)
    if roles.has(Role.PANEL_COORDINATOR) or roles.has(Role.PANEL_CHAIR):
        panels |= set(panels_run_by(user).values_list("pk", flat=True))
    return Oversight(frozenset(panels), roles.agencies(Role.AGENCY_LEAD))


def can_view_dashboard(user) -> bool:
    """Anyone who oversees at least one panel or leads at least one agency."""
    return bool(dashboard_oversight(user))


def require_can_view_dashboard(user) -> Oversight:
    """The person's oversight, or a 403 for a person who oversees nothing."""
    oversight = dashboard_oversight(user)
    if not oversight:
        raise refusal("see", "board dashboard")
    return oversight


# --- The quarterly performance report and the themes report ----------------------------------


def panels_reportable_by(user) -> QuerySet[Panel]:
    """The panels whose quarterly report the person may make and read: those whose figures
    they see as a board member overseeing it or as its chair or coordinator."""
    return Panel.objects.filter(pk__in=list(dashboard_oversight(user).panel_ids))


def can_make_quarterly_report(user, panel: Panel) -> bool:
    """A person may make a panel's quarterly report when it is one of panels_reportable_by."""
    return panel.pk in dashboard_oversight(user).panel_ids


def get_panel_to_report_on(user, pk) -> Panel:
    """The panel, or the same 404 whether it is missing or not one the person reports on."""
    panel = panels_reportable_by(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if panel is None:
        raise NotFoundForUser(object_type="panel", object_id=pk)
    return panel


def visible_quarterly_reports(user) -> QuerySet[QuarterlyReport]:
    """Every version of the quarterly reports of the panels the person reports on."""
    return QuarterlyReport.objects.filter(panel_id__in=list(dashboard_oversight(user).panel_ids))


def can_view_quarterly_report(user, report: QuarterlyReport) -> bool:
    """A person reads a version when they may make the report of its panel."""
    return report.panel_id in dashboard_oversight(user).panel_ids


def get_quarterly_report_for(user, *, panel_pk: int, quarter: str, number: int) -> QuarterlyReport:
    """A version, or the same 404 whether it is missing or hidden from the person."""
    report = (
        visible_quarterly_reports(user)
        .select_related("panel", "made_by")
        .filter(panel_id=panel_pk, quarter=quarter, version=number)
        .first()
    )
    if report is None:
        raise NotFoundForUser(object_type="quarterly report", object_id=f"{panel_pk}/{quarter}")
    return report


def can_view_themes_report(user) -> bool:
    """The themes report is read by whoever sees the board's dashboard, over the same scope."""
    return can_view_dashboard(user)


def require_can_view_themes_report(user) -> Oversight:
    """The person's oversight for the themes page, or a 403 (as the dashboard's)."""
    oversight = dashboard_oversight(user)
    if not oversight:
        raise refusal("see", "themes report")
    return oversight


def themes_report_pdf_oversight(user) -> Oversight:
    """The person's oversight for the themes PDF, or the 404 every PDF gives to anyone it is
    not for."""
    oversight = dashboard_oversight(user)
    if not oversight:
        raise NotFoundForUser(object_type="themes report", object_id="")
    return oversight
