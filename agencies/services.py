"""Every write about agencies and people's memberships."""

from django.contrib.auth.models import Group
from django.db import transaction

from agencies.models import Agency


@transaction.atomic
def agency_ensure_permission_group(*, agency: Agency) -> Group:
    """The guardian group that holds object permissions granted to this agency."""
    if agency.permission_group_id:
        return agency.permission_group
    group, _ = Group.objects.get_or_create(name=f"agency:{agency.pk}")
    agency.permission_group = group
    agency.save(update_fields=["permission_group"])
    return group


@transaction.atomic(durable=True)
def membership_end(*, actor, membership, reason: str, request=None):
    """End a membership now: the access it gave ends at once (the policy reads live rows)."""
    from django.utils import timezone

    from agencies import audit

    if membership.ended_at is not None:
        return membership
    membership.ended_at = timezone.now()
    membership.ended_by = actor
    membership.end_reason = reason.strip()
    membership.save(update_fields=["ended_at", "ended_by", "end_reason"])
    _tell_meeting_rooms_access_changed(membership.user_id)
    audit.record(
        actor=actor,
        action=audit.Action.MEMBERSHIP_ENDED,
        obj=membership,
        request=request,
        reason=membership.end_reason,
        detail=f"{membership.user} as {membership.get_role_display()} of {membership.agency}",
    )
    return membership


def _tell_meeting_rooms_access_changed(user_id: int) -> None:
    """Open meeting sockets of this person check their access again after commit (and close
    if it is gone), rather than at their next command."""
    from panels import events
    from panels.models import Meeting, MeetingStatus

    live = Meeting.objects.exclude(status=MeetingStatus.CLOSED).values_list("pk", flat=True)
    events.publish_access_changed(meeting_ids=list(live), user_ids=[user_id])
