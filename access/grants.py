"""The two-person rule: who knows, decides and ends a grant of a role or a panel seat, and
who is asked and told. The rules, as docs/access.md states them:

- A grant takes effect only when a second person approves it, except a board member's role
  (it opens no case and no child's details: board papers are redacted). The second person is
  a lead of the grant's agency or another system administrator; for the system
  administrator's own role, another system administrator only. Never the person who asked
  for it, never the grantee. A pending or refused grant gives nothing.
- A role is ended by a system administrator; a seat by a system administrator or its panel's
  chair or coordinator. Never one's own.
- The agency's data protection officers are told of every grant, approval, refusal, change
  and end; those who may decide a pending grant are asked to.

Grants and seats are known (else 404) to those who may decide or end them: every one to a
system administrator, an agency's to its leads, a panel's seats to its chair and coordinator.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from access.administration import can_administer
from access.errors import NotFoundForUser, refusal
from access.meetings import panels_run_by
from access.roles import people_with_role_in, roles_of, signed_in
from agencies.models import GrantStatus, Membership, Role
from panels.models import PanelMembership

# Opens no case content and no child's details (board copies are redacted), so one person's
# word is enough; the data protection officers are still told.
TAKES_EFFECT_AT_ONCE = frozenset({Role.BOARD_MEMBER})


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
    if not signed_in(user):
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
        raise refusal("decide", "membership", grant.pk)


def users_to_ask_to_decide_grant(grant: Membership) -> QuerySet:
    """The people who may approve or refuse this pending grant (the pair of grants_to_decide)."""
    approvers = people_with_role_in(Role.SYSTEM_ADMINISTRATOR)
    if grant.role != Role.SYSTEM_ADMINISTRATOR:
        approvers |= people_with_role_in(Role.AGENCY_LEAD, [grant.agency_id])
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
        raise refusal("end", "membership", grant.pk)


# --- Panel seats ---------------------------------------------------------------------------


def seats_visible_to(user) -> QuerySet[PanelMembership]:
    """A system administrator knows every seat; an agency lead the seats of their agency; a
    panel's chair and coordinator the seats of their panel."""
    if not signed_in(user):
        return PanelMembership.objects.none()
    roles = roles_of(user)
    if roles.has(Role.SYSTEM_ADMINISTRATOR):
        return PanelMembership.objects.all()
    return PanelMembership.objects.filter(
        Q(agency_id__in=roles.agencies(Role.AGENCY_LEAD))
        | Q(panel__in=panels_run_by(user).values("pk"))
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
    if not signed_in(user):
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
        raise refusal("decide", "panel seat", seat.pk)


def users_to_ask_to_decide_seat(seat: PanelMembership) -> QuerySet:
    """The people who may approve or refuse this pending seat (the pair of seats_to_decide)."""
    if seat.status != GrantStatus.PENDING:
        return get_user_model().objects.none()
    approvers = people_with_role_in(Role.SYSTEM_ADMINISTRATOR) | people_with_role_in(
        Role.AGENCY_LEAD, [seat.agency_id]
    )
    return approvers.exclude(pk__in=[seat.user_id, seat.requested_by_id]).distinct()


def seats_endable_by(user) -> QuerySet[PanelMembership]:
    """Approved seats not yet ended that a system administrator, or the panel's chair or
    coordinator, may end: never their own."""
    if not signed_in(user):
        return PanelMembership.objects.none()
    live = PanelMembership.objects.filter(status=GrantStatus.APPROVED, ended_at__isnull=True)
    if not can_administer(user):
        live = live.filter(panel__in=panels_run_by(user).values("pk"))
    return live.exclude(user=user)


def can_end_seat(user, seat: PanelMembership) -> bool:
    """Exactly when the seat is in seats_endable_by(user)."""
    return seats_endable_by(user).filter(pk=seat.pk).exists()


def require_can_end_seat(user, seat: PanelMembership) -> None:
    """403 for a person who knows the seat but may not end it (their own, above all)."""
    if not can_end_seat(user, seat):
        raise refusal("end", "panel seat", seat.pk)


# --- The list of grants waiting --------------------------------------------------------------


def can_decide_grants_at_all(user) -> bool:
    """System administrators and agency leads are the second person of the two-person rule."""
    roles = roles_of(user)
    return roles.has(Role.SYSTEM_ADMINISTRATOR) or roles.has(Role.AGENCY_LEAD)


def require_can_decide_grants_at_all(user) -> None:
    """403 at the list of grants waiting for anyone who can never be the second person."""
    if not can_decide_grants_at_all(user):
        raise refusal("decide", "grants")


# --- Who is told -----------------------------------------------------------------------------


def users_to_tell_of_access_change(agency_ids) -> QuerySet:
    """The data protection officers of the agencies whose people's access changed."""
    return people_with_role_in(Role.DATA_PROTECTION_OFFICER, list(agency_ids))
