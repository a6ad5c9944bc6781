"""Who hears about an action: its owner, their agency's leads, and on escalation the panel's
coordinators; never anyone who may not read the case the action is about."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from access.referrals import can_view_referral, visible_referrals
from access.roles import roles_of
from agencies.models import Membership, Role
from panels.models import INCOMPLETE_ACTION_STATUSES, Action, PanelMembership, PanelRole

User = get_user_model()


def _who_may_read(people, referral) -> list:
    """Those of `people` who may read the case; an action on a standard item (no child) is
    no case, so everyone named is told."""
    if referral is None:
        return list(people)
    return [person for person in people if can_view_referral(person, referral)]


def _agency_leads(agency_id) -> QuerySet:
    lead_ids = (
        Membership.objects.active()
        .filter(role=Role.AGENCY_LEAD, agency_id=agency_id, agency__is_active=True)
        .values("user_id")
    )
    return User.objects.filter(pk__in=lead_ids, is_active=True)


def users_to_tell_of_action(action) -> list:
    """The owner when one is named (and still acts for the owning agency), otherwise the
    owning agency's leads; only those who may read the case."""
    owner = action.owner_person
    if (
        owner is not None
        and owner.is_active
        and Membership.objects.active().filter(user=owner, agency=action.owner_agency).exists()
    ):
        return _who_may_read([owner], action.referral)
    return _who_may_read(list(_agency_leads(action.owner_agency_id)), action.referral)


def users_to_escalate_action_to(action) -> list:
    """An action long overdue goes to the owning agency's leads and the panel's coordinators."""
    coordinator_ids = (
        PanelMembership.objects.active()
        .filter(panel_id=action.meeting.panel_id, role=PanelRole.COORDINATOR)
        .values("user_id")
    )
    people = list(_agency_leads(action.owner_agency_id)) + list(
        User.objects.filter(pk__in=coordinator_ids, is_active=True)
    )
    unique = list({person.pk: person for person in people}.values())
    return _who_may_read(unique, action.referral)


def agencies_acting_for(user) -> list[int]:
    """The agencies the person acts for now, in any role."""
    return list(
        Membership.objects.active()
        .filter(user=user, agency__is_active=True)
        .values_list("agency_id", flat=True)
    )


def visible_actions(user):
    """Actions on cases the person may read, and actions on a standard item (about no
    child), that are theirs, their agency's, or (for a panel coordinator) every one: the
    action log's three views start here."""
    if not getattr(user, "is_authenticated", False):
        return Action.objects.none()
    # Asked per action (EXISTS), not as "IN (every visible referral)": with the OR below,
    # PostgreSQL would read the whole visible set first (seconds at 100,000 referrals for a
    # coordinator, however few actions there are; benchmarks/README.md, issue 13).
    on_readable_case = Exists(
        visible_referrals(user).filter(pk=OuterRef("agenda_item__referral_id"))
    )
    readable = Action.objects.filter(on_readable_case | Q(agenda_item__referral__isnull=True))
    if roles_of(user).has(Role.PANEL_COORDINATOR):
        return readable
    return readable.filter(Q(owner_person=user) | Q(owner_agency_id__in=agencies_acting_for(user)))


def can_view_action(user, action) -> bool:
    """Exactly when it is in visible_actions(user)."""
    return visible_actions(user).filter(pk=action.pk).exists()


def actions_updatable_by(user):
    """Open or in-progress actions the person may read and move on: their own, their agency's
    (acting for it in a role that may change things), or every one for a panel coordinator.
    A read-only role (quality auditor, board member, data protection officer) updates none,
    even as the named owner."""
    roles = roles_of(user)
    writing = roles.writing_agencies
    readable = visible_actions(user).filter(status__in=INCOMPLETE_ACTION_STATUSES)
    if not writing:
        return readable.none()
    if roles.has(Role.PANEL_COORDINATOR):
        return readable
    return readable.filter(Q(owner_person=user) | Q(owner_agency_id__in=writing))


def can_update_action(user, action) -> bool:
    """Exactly when it is in actions_updatable_by(user)."""
    return actions_updatable_by(user).filter(pk=action.pk).exists()
