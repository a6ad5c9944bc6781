"""Who sees the board's dashboard, and over what.

- A board member sees the figures of the panels they oversee (a live oversight and a live
  board member role in an active agency).
- A panel's chair or coordinator (a live seat) sees the figures of the panels they run.
- An agency safeguarding lead sees the figures of the agencies they lead.
A record counts for a person when it belongs to a panel they oversee or to an agency they
lead. Figures are aggregates only: no page or export of the dashboard names a child.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from access.errors import refusal
from access.meetings import panels_run_by
from access.roles import roles_of, signed_in
from agencies.models import Membership, Role
from panels.models import PanelOversight


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
