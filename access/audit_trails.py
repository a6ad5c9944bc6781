"""Who sees who saw a record: a data protection officer every one, an agency's lead those of
the referrals and children of their agency."""

from access.roles import roles_of
from agencies.models import Role
from referrals.models import Child, Referral


def can_view_audit_trail(user, referral: Referral) -> bool:
    """A data protection officer, or the referring agency's lead, sees who saw a referral."""
    roles = roles_of(user)
    return roles.has(Role.DATA_PROTECTION_OFFICER) or referral.agency_id in roles.agencies(
        Role.AGENCY_LEAD
    )


def can_view_child_audit_trail(user, child: Child) -> bool:
    """A data protection officer, or the lead of an agency that referred the child."""
    roles = roles_of(user)
    if roles.has(Role.DATA_PROTECTION_OFFICER):
        return True
    leads = roles.agencies(Role.AGENCY_LEAD)
    return bool(leads) and child.referrals.filter(agency_id__in=leads).exists()


def can_look_up_audit_trails(user) -> bool:
    """A data protection officer looks up any record's audit trail by its reference."""
    return roles_of(user).has(Role.DATA_PROTECTION_OFFICER)
