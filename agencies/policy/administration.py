"""Who manages people, agencies, teams, roles and panel seats, and the two-person rule.

Part of the one access policy: imported at the end of agencies/policy/__init__.py, so
`policy.can_decide_grant(...)` works like every other rule. The rules, as docs/access.md
states them:

- The system administrator manages people, agencies, teams, roles (memberships) and panel
  seats, reads no case content, and never asks for, approves, refuses, ends or changes a role
  or seat of their own, nor deactivates their own account.
- A grant takes effect only when a second person approves it, except a board member's role
  (it opens no case and no child's details: board papers are redacted). The second person is
  a lead of the grant's agency or another system administrator; for the system
  administrator's own role, another system administrator only. Never the person who asked
  for it, never the grantee. A pending or refused grant gives nothing.
- A role is ended by a system administrator; a seat by a system administrator or its panel's
  chair or coordinator. Never one's own.
- A hub's screening clocks are set by a system administrator or the panel's chair or
  coordinator.
- The agency's data protection officers are told of every grant, approval, refusal, change
  and end; those who may decide a pending grant are asked to.

Grants and seats are known (else 404) to those who may decide or end them: every one to a
system administrator, an agency's to its leads, a panel's seats to its chair and coordinator.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from agencies.models import Agency, GrantStatus, Membership, Role, Team
from agencies.policy import (
    ForbiddenForUser,
    NotFoundForUser,
    _people_with_role_in,
    _signed_in,
    can_administer,
    roles_of,
)
from panels.models import Panel, PanelMembership

__all__ = [
    "TAKES_EFFECT_AT_ONCE",
    "agencies_deactivatable_by",
    "can_deactivate_agency",
    "can_change_access_of",
    "can_decide_grant",
    "can_decide_grants_at_all",
    "can_decide_seat",
    "can_end_grant",
    "can_end_seat",
    "can_manage_screening_clocks",
    "get_agency_to_manage",
    "get_grant_for",
    "get_panel_to_set_clocks",
    "get_person_to_manage",
    "get_seat_for",
    "get_team_to_manage",
    "grant_needs_approval",
    "grants_endable_by",
    "grants_to_decide",
    "grants_visible_to",
    "panels_whose_clocks_may_change",
    "people_whose_access_may_change",
    "require_can_administer",
    "require_can_change_access_of",
    "require_can_decide_grant",
    "require_can_decide_grants_at_all",
    "require_can_deactivate_agency",
    "require_can_decide_seat",
    "require_can_end_grant",
    "require_can_end_seat",
    "seats_endable_by",
    "seats_to_decide",
    "seats_visible_to",
    "users_to_ask_to_decide_grant",
    "users_to_ask_to_decide_seat",
    "users_to_tell_of_access_change",
]

# Opens no case content and no child's details (board copies are redacted), so one person's
# word is enough; the data protection officers are still told.
TAKES_EFFECT_AT_ONCE = frozenset({Role.BOARD_MEMBER})


def _users():
    return get_user_model().objects.all()


def _refuse(action: str, object_type: str, object_id="") -> ForbiddenForUser:
    return ForbiddenForUser(action=action, object_type=object_type, object_id=object_id)


# --- Managing at all --------------------------------------------------------------------------


def require_can_administer(user) -> None:
    """Only a system administrator opens the pages that manage people, agencies and teams."""
    if not can_administer(user):
        raise _refuse("manage", "administration")


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
        raise _refuse("change the access of", "person", person.pk)


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
        raise _refuse("deactivate", "agency", agency.pk)


def grant_needs_approval(role: str) -> bool:
    """Every role needs a second person's approval except a board member's, which opens no case."""
    return role not in TAKES_EFFECT_AT_ONCE


# --- Roles (agency memberships) ------------------------------------------------------------


def grants_visible_to(user) -> QuerySet[Membership]:
    """A system administrator knows every grant; an agency lead knows the grants of their agency."""
    roles = roles_of(user)
    if roles.has(Role.SYSTEM_ADMINISTRATOR):
        return Membership.objects.all()
    return Membership.objects.filter(agency_id__in=roles.agencies(Role.AGENCY_LEAD))


def get_grant_for(user, pk) -> Membership:
    """The grant, or the same 404 whether it is missing or unknown to this person."""
    grant = (
        grants_visible_to(user).select_related("user", "agency", "team").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if grant is None:
        raise NotFoundForUser(object_type="membership", object_id=pk)
    return grant


def _decided_by_someone_else(grants: QuerySet, user) -> QuerySet:
    """Never the grantee, never the person who asked for it (who may be unknown: old rows)."""
    return grants.exclude(user=user).exclude(requested_by=user)


def grants_to_decide(user) -> QuerySet[Membership]:
    """Pending grants a person may approve or refuse: as a lead of the grant's agency (not the
    administrator's role) or as a system administrator; never their own or one they asked for."""
    if not _signed_in(user):
        return Membership.objects.none()
    roles = roles_of(user)
    pending = Membership.objects.pending()
    if not roles.has(Role.SYSTEM_ADMINISTRATOR):
        leads = roles.agencies(Role.AGENCY_LEAD)
        pending = pending.filter(agency_id__in=leads).exclude(role=Role.SYSTEM_ADMINISTRATOR)
    return _decided_by_someone_else(pending, user)


def can_decide_grant(user, grant: Membership) -> bool:
    """Exactly when the grant is in grants_to_decide(user)."""
    return grants_to_decide(user).filter(pk=grant.pk).exists()


def require_can_decide_grant(user, grant: Membership) -> None:
    """403 for a person who knows the grant but may not decide it."""
    if not can_decide_grant(user, grant):
        raise _refuse("decide", "membership", grant.pk)


def users_to_ask_to_decide_grant(grant: Membership) -> QuerySet:
    """The people who may approve or refuse this pending grant (the pair of grants_to_decide)."""
    approvers = _people_with_role_in(Role.SYSTEM_ADMINISTRATOR)
    if grant.role != Role.SYSTEM_ADMINISTRATOR:
        approvers |= _people_with_role_in(Role.AGENCY_LEAD, [grant.agency_id])
    if grant.status != GrantStatus.PENDING:
        return approvers.none()
    return approvers.exclude(pk__in=[grant.user_id, grant.requested_by_id]).distinct()


def grants_endable_by(user) -> QuerySet[Membership]:
    """Approved roles not yet ended that a system administrator may end: anyone's but their own."""
    if not can_administer(user):
        return Membership.objects.none()
    return Membership.objects.filter(status=GrantStatus.APPROVED, ended_at__isnull=True).exclude(
        user=user
    )


def can_end_grant(user, grant: Membership) -> bool:
    """Exactly when the grant is in grants_endable_by(user)."""
    return grants_endable_by(user).filter(pk=grant.pk).exists()


def require_can_end_grant(user, grant: Membership) -> None:
    """403 for a person who knows the grant but may not end it (their own, above all)."""
    if not can_end_grant(user, grant):
        raise _refuse("end", "membership", grant.pk)


# --- Panel seats ---------------------------------------------------------------------------


def _panels_run_by(user) -> QuerySet[Panel]:
    from agencies.policy.meetings import panels_run_by

    return panels_run_by(user)


def seats_visible_to(user) -> QuerySet[PanelMembership]:
    """A system administrator knows every seat; an agency lead the seats of their agency; a
    panel's chair and coordinator the seats of their panel."""
    if not _signed_in(user):
        return PanelMembership.objects.none()
    roles = roles_of(user)
    if roles.has(Role.SYSTEM_ADMINISTRATOR):
        return PanelMembership.objects.all()
    return PanelMembership.objects.filter(
        Q(agency_id__in=roles.agencies(Role.AGENCY_LEAD))
        | Q(panel__in=_panels_run_by(user).values("pk"))
    )


def get_seat_for(user, pk) -> PanelMembership:
    """The seat, or the same 404 whether it is missing or unknown to this person."""
    seat = (
        seats_visible_to(user).select_related("user", "agency", "panel").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if seat is None:
        raise NotFoundForUser(object_type="panel seat", object_id=pk)
    return seat


def seats_to_decide(user) -> QuerySet[PanelMembership]:
    """Pending seats a person may approve or refuse: as a lead of the seat's agency or as a
    system administrator; never their own or one they asked for."""
    if not _signed_in(user):
        return PanelMembership.objects.none()
    roles = roles_of(user)
    pending = PanelMembership.objects.pending()
    if not roles.has(Role.SYSTEM_ADMINISTRATOR):
        pending = pending.filter(agency_id__in=roles.agencies(Role.AGENCY_LEAD))
    return _decided_by_someone_else(pending, user)


def can_decide_seat(user, seat: PanelMembership) -> bool:
    """Exactly when the seat is in seats_to_decide(user)."""
    return seats_to_decide(user).filter(pk=seat.pk).exists()


def require_can_decide_seat(user, seat: PanelMembership) -> None:
    """403 for a person who knows the seat but may not decide it."""
    if not can_decide_seat(user, seat):
        raise _refuse("decide", "panel seat", seat.pk)


def users_to_ask_to_decide_seat(seat: PanelMembership) -> QuerySet:
    """The people who may approve or refuse this pending seat (the pair of seats_to_decide)."""
    if seat.status != GrantStatus.PENDING:
        return _users().none()
    approvers = _people_with_role_in(Role.SYSTEM_ADMINISTRATOR) | _people_with_role_in(
        Role.AGENCY_LEAD, [seat.agency_id]
    )
    return approvers.exclude(pk__in=[seat.user_id, seat.requested_by_id]).distinct()


def seats_endable_by(user) -> QuerySet[PanelMembership]:
    """Approved seats not yet ended that a system administrator, or the panel's chair or
    coordinator, may end: never their own."""
    if not _signed_in(user):
        return PanelMembership.objects.none()
    live = PanelMembership.objects.filter(status=GrantStatus.APPROVED, ended_at__isnull=True)
    if not can_administer(user):
        live = live.filter(panel__in=_panels_run_by(user).values("pk"))
    return live.exclude(user=user)


def can_end_seat(user, seat: PanelMembership) -> bool:
    """Exactly when the seat is in seats_endable_by(user)."""
    return seats_endable_by(user).filter(pk=seat.pk).exists()


def require_can_end_seat(user, seat: PanelMembership) -> None:
    """403 for a person who knows the seat but may not end it (their own, above all)."""
    if not can_end_seat(user, seat):
        raise _refuse("end", "panel seat", seat.pk)


# --- Hubs' screening clocks --------------------------------------------------------------------


def panels_whose_clocks_may_change(user) -> QuerySet[Panel]:
    """A system administrator sets the screening clocks of any active panel (clocks are
    configuration, not case content); a panel's chair or coordinator those of their panel."""
    if not _signed_in(user):
        return Panel.objects.none()
    if can_administer(user):
        return Panel.objects.filter(is_active=True)
    return Panel.objects.filter(is_active=True, pk__in=_panels_run_by(user).values("pk"))


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
        raise _refuse("set the screening clocks of", "panel", panel.pk)
    return panel


# --- The list of grants waiting --------------------------------------------------------------


def can_decide_grants_at_all(user) -> bool:
    """System administrators and agency leads are the second person of the two-person rule."""
    roles = roles_of(user)
    return roles.has(Role.SYSTEM_ADMINISTRATOR) or roles.has(Role.AGENCY_LEAD)


def require_can_decide_grants_at_all(user) -> None:
    """403 at the list of grants waiting for anyone who can never be the second person."""
    if not can_decide_grants_at_all(user):
        raise _refuse("decide", "grants")


# --- Who is told -----------------------------------------------------------------------------


def users_to_tell_of_access_change(agency_ids) -> QuerySet:
    """The data protection officers of the agencies whose people's access changed."""
    return _people_with_role_in(Role.DATA_PROTECTION_OFFICER, list(agency_ids))
