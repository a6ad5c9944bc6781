"""The administrator rule: who manages people's accounts, agencies, teams and hubs' screening
clocks, and who enters the Django admin. As docs/access.md states it:

- The system administrator manages people, agencies, teams, roles (memberships) and panel
  seats, reads no case content, and never asks for, approves, refuses, ends or changes a role
  or seat of their own, nor deactivates their own account (roles and seats: access.grants).
- A hub's screening clocks are set by a system administrator or the panel's chair or
  coordinator.
- Only the break-fix superuser, holding no role in the service, enters the Django admin.
- A system administrator unlocks sign-in for a username or an address locked after failures.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from access.errors import NotFoundForUser, refusal
from access.meetings import panels_run_by
from access.roles import roles_of, signed_in
from agencies.models import Agency, Membership, Role, Team
from panels.models import Panel


def _users():
    return get_user_model().objects.all()


def can_administer(user) -> bool:
    """A system administrator manages people, agencies and panels (and sees no case content)."""
    return roles_of(user).has(Role.SYSTEM_ADMINISTRATOR)


def can_use_django_admin(user) -> bool:
    """Only an active superuser holding no role in the service (the break-fix account made with
    `createsuperuser` on the server) enters the Django admin; no role, not even administrator."""
    return signed_in(user) and user.is_superuser and not roles_of(user).by_role


def can_unlock_sign_in(user) -> bool:
    """A system administrator unlocks a username or an address locked after failed sign-ins."""
    return can_administer(user)


def require_can_unlock_sign_in(user) -> None:
    """403 for anyone but a system administrator."""
    if not can_unlock_sign_in(user):
        raise refusal("unlock", "sign-in")


# --- Managing at all --------------------------------------------------------------------------


def require_can_administer(user) -> None:
    """Only a system administrator opens the pages that manage people, agencies and teams."""
    if not can_administer(user):
        raise refusal("manage", "administration")


def get_person_to_manage(user, pk):
    """A system administrator manages every person's account (404 for one that is missing)."""
    require_can_administer(user)
    person = _users().filter(pk=pk).first() if str(pk).isdigit() else None
    if person is None:
        raise NotFoundForUser(object_type="person", object_id=pk)
    return person


def get_agency_to_manage(user, pk) -> Agency:
    """A system administrator manages every agency (404 for one that is missing)."""
    require_can_administer(user)
    agency = Agency.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if agency is None:
        raise NotFoundForUser(object_type="agency", object_id=pk)
    return agency


def get_team_to_manage(user, pk) -> Team:
    """A system administrator manages every agency's teams (404 for one that is missing)."""
    require_can_administer(user)
    team = (
        Team.objects.select_related("agency").filter(pk=pk).first() if str(pk).isdigit() else None
    )
    if team is None:
        raise NotFoundForUser(object_type="team", object_id=pk)
    return team


def people_whose_access_may_change(user) -> QuerySet:
    """A system administrator asks for grants for, and deactivates, everyone but themselves."""
    if not can_administer(user):
        return _users().none()
    return _users().exclude(pk=user.pk)


def can_change_access_of(user, person) -> bool:
    """Exactly when the person is in people_whose_access_may_change(user)."""
    return people_whose_access_may_change(user).filter(pk=person.pk).exists()


def require_can_change_access_of(user, person) -> None:
    """403 for anyone but a system administrator, and for an administrator's own account."""
    if not can_change_access_of(user, person):
        raise refusal("change the access of", "person", person.pk)


def agencies_deactivatable_by(user) -> QuerySet[Agency]:
    """A system administrator deactivates any active agency except one they act for (that
    would end their own roles)."""
    if not can_administer(user):
        return Agency.objects.none()
    own = Membership.objects.active().filter(user=user).values("agency_id")
    return Agency.objects.filter(is_active=True).exclude(pk__in=own)


def can_deactivate_agency(user, agency: Agency) -> bool:
    """Exactly when the agency is in agencies_deactivatable_by(user)."""
    return agencies_deactivatable_by(user).filter(pk=agency.pk).exists()


def require_can_deactivate_agency(user, agency: Agency) -> None:
    """403 for anyone but a system administrator, and for an agency the administrator acts for."""
    if not can_deactivate_agency(user, agency):
        raise refusal("deactivate", "agency", agency.pk)


# --- Hubs' screening clocks --------------------------------------------------------------------


def panels_whose_clocks_may_change(user) -> QuerySet[Panel]:
    """A system administrator sets the screening clocks of any active panel (clocks are
    configuration, not case content); a panel's chair or coordinator those of their panel."""
    if not signed_in(user):
        return Panel.objects.none()
    if can_administer(user):
        return Panel.objects.filter(is_active=True)
    return Panel.objects.filter(is_active=True, pk__in=panels_run_by(user).values("pk"))


def can_manage_screening_clocks(user, panel: Panel) -> bool:
    """Exactly when the panel is in panels_whose_clocks_may_change(user)."""
    return panels_whose_clocks_may_change(user).filter(pk=panel.pk).exists()


def get_panel_to_set_clocks(user, pk) -> Panel:
    """The panel whose clocks this person may set: 404 when it is missing, 403 when they may
    not set them."""
    panel = Panel.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if panel is None:
        raise NotFoundForUser(object_type="panel", object_id=pk)
    if not can_manage_screening_clocks(user, panel):
        raise refusal("set the screening clocks of", "panel", panel.pk)
    return panel
