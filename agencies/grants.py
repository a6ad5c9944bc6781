"""The writes of the two-person rule, shared by agency roles (agencies.services) and panel
seats (panels.services): asking for a grant, deciding it, ending it, and telling people.

Helpers run inside the caller's durable transaction, after the caller asked the policy; the
audit row is written with the change, and notifications ring only after commit. A grant
that starts or ends makes the rest of the request read the person's roles afresh
(`access.forget`).
"""

from django.utils import timezone

import access
from agencies import audit, sockets
from agencies.models import GrantStatus
from notifications import services as notification_services
from notifications.models import NotificationKind

APPROVALS_LINK = "/manage/approvals/"


class AccessChangeError(Exception):
    """A change of access refused for a reason the person can act on; the message says what
    to do."""


def name_of(user) -> str:
    return user.get_full_name() or user.get_username()


def describe(grant) -> str:
    """'Nia Castell as Referrer of Alderbrook Primary School' (a seat also names its panel)."""
    if hasattr(grant, "panel_id"):
        return (
            f"{name_of(grant.user)} as {grant.get_role_display()} of {grant.panel}"
            f" for {grant.agency}"
        )
    return f"{name_of(grant.user)} as {grant.get_role_display()} of {grant.agency}"


def required_reason(reason: str, *, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AccessChangeError(f"Enter the reason for {doing}")
    return reason


def tell_officers(officers, message: str) -> None:
    """Data protection officers hear of a change of access (no case detail: people, roles)."""
    notification_services.notify(
        recipients=officers, kind=NotificationKind.ACCESS_CHANGED, message=message[:300]
    )


def tell_data_protection_officers(*, agency_ids, message: str) -> None:
    """The data protection officers of these agencies hear of it."""
    tell_officers(access.users_to_tell_of_access_change(agency_ids), message)


def ask_for(*, grant, actor, reason: str, needs_approval: bool, address=None):
    """Save a new grant as asked for by `actor`: waiting for a second person, or (a role that
    opens nothing) in effect at once. Audited, and told to the agency's officers; those who
    may decide a waiting grant are asked to."""
    now = timezone.now()
    grant.requested_by = actor
    grant.requested_at = now
    grant.request_reason = required_reason(reason, doing="asking for this access")
    grant.started_at = now
    grant.status = GrantStatus.PENDING if needs_approval else GrantStatus.APPROVED
    grant.save()
    described = describe(grant)
    audit.record(
        actor=actor,
        action=audit.Action.GRANT_REQUESTED if needs_approval else audit.Action.GRANTED,
        obj=grant,
        address=address,
        reason=grant.request_reason,
        detail=described,
    )
    if needs_approval:
        tell_data_protection_officers(
            agency_ids=[grant.agency_id],
            message=f"{name_of(actor)} asked for {described}. It gives nothing until a second "
            "person approves it.",
        )
        notification_services.notify(
            recipients=_approvers(grant),
            kind=NotificationKind.GRANT_TO_DECIDE,
            message=f"{name_of(actor)} asked for {described}: approve or refuse it."[:300],
            link=APPROVALS_LINK,
        )
    else:
        # In effect at once: the rest of this request sees the person's new role.
        access.forget(grant.user_id)
        tell_data_protection_officers(
            agency_ids=[grant.agency_id],
            message=f"{name_of(actor)} made {described} (this role needs no second approval).",
        )
    return grant


def _approvers(grant):
    if hasattr(grant, "panel_id"):
        return access.users_to_ask_to_decide_seat(grant)
    return access.users_to_ask_to_decide_grant(grant)


def decide(*, grant, actor, approve: bool, reason: str = "", address=None):
    """Approve (the grant starts now) or refuse (with a reason) a waiting grant; the row keeps
    who decided, when and why. The caller locked the row and asked the policy."""
    if grant.status != GrantStatus.PENDING:
        raise AccessChangeError(f"This was already {grant.get_status_display().lower()}.")
    if approve and not grant.user.is_active:
        raise AccessChangeError(
            f"{name_of(grant.user)}'s account is deactivated: refuse this grant instead."
        )
    now = timezone.now()
    grant.decided_by = actor
    grant.decided_at = now
    grant.decision_reason = (
        (reason or "").strip() if approve else required_reason(reason, doing="refusing this access")
    )
    grant.status = GrantStatus.APPROVED if approve else GrantStatus.REFUSED
    fields = ["status", "decided_by", "decided_at", "decision_reason"]
    if approve:
        grant.started_at = now
        fields.append("started_at")
    grant.save(update_fields=fields)
    if approve:
        access.forget(grant.user_id)
    described = describe(grant)
    audit.record(
        actor=actor,
        action=audit.Action.GRANT_APPROVED if approve else audit.Action.GRANT_REFUSED,
        obj=grant,
        address=address,
        reason=grant.decision_reason,
        detail=f"{described}, asked for by {name_of(grant.requested_by)}"
        if grant.requested_by
        else described,
    )
    tell_data_protection_officers(
        agency_ids=[grant.agency_id],
        message=f"{name_of(actor)} {'approved' if approve else 'refused'} {described}.",
    )
    return grant


def end(*, grant, actor, reason: str, address=None):
    """End a grant now, keeping who ended it, when and why; the person's open sockets check
    their access again after commit. The caller locked the row and asked the policy."""
    grant.ended_at = timezone.now()
    grant.ended_by = actor
    grant.end_reason = required_reason(reason, doing="ending this access")
    grant.save(update_fields=["ended_at", "ended_by", "end_reason"])
    access.forget(grant.user_id)
    described = describe(grant)
    audit.record(
        actor=actor,
        action=audit.Action.MEMBERSHIP_ENDED,
        obj=grant,
        address=address,
        reason=grant.end_reason,
        detail=described,
    )
    tell_data_protection_officers(
        agency_ids=[grant.agency_id], message=f"{name_of(actor)} ended {described}."
    )
    sockets.recheck_sockets_on_commit(user_ids=[grant.user_id])
    return grant
