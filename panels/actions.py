"""Writes about an action after its meeting: the owner (or the coordinator) records progress."""

from django.db import transaction

import access
from agencies import audit
from panels.models import Action, ActionStatus, ActionUpdate


class ActionError(Exception):
    """A refused update the person can act on; the message says what to do."""


ALLOWED_UPDATES = {
    ActionStatus.OPEN: {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.IN_PROGRESS: {ActionStatus.DONE, ActionStatus.CANCELLED, ActionStatus.OPEN},
}


@transaction.atomic(durable=True)
def action_update(*, actor, action: Action, status: str, note: str, request=None) -> Action:
    """Move an open action on (in progress, done, or cancelled with a reason), with a note;
    every update is kept with who and when."""
    action = Action.objects.select_for_update().select_related("agenda_item").get(pk=action.pk)
    if not access.can_update_action(actor, action):
        raise access.ForbiddenForUser(
            action="update",
            object_type="action",
            object_id=action.pk,
            referral_id=action.agenda_item.referral_id,
        )
    if status not in ALLOWED_UPDATES.get(action.status, set()):
        raise ActionError(
            f"An action that is {ActionStatus(action.status).label.lower()} cannot become "
            f"{ActionStatus(status).label.lower() if status in ActionStatus.values else status}."
        )
    note = note.strip()
    if status == ActionStatus.CANCELLED and not note:
        raise ActionError("Give the reason for cancelling the action")
    ActionUpdate.objects.create(
        action=action, from_status=action.status, to_status=status, note=note, by=actor
    )
    action.status = status
    if status == ActionStatus.CANCELLED:
        action.status_reason = note
    action.save(update_fields=["status", "status_reason"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=action,
        referral=action.agenda_item.referral,
        request=request,
        reason=note,
        detail=f"Action {action.pk} now {ActionStatus(status).label.lower()}",
    )
    return action


@transaction.atomic(durable=True)
def action_view_record(*, actor, action: Action, address: str | None = None) -> None:
    """Record that a person opened an action's page, with its case, like reading the case; a
    reopening within audit.VIEW_AUDIT_WINDOW is not a new reading."""
    audit.record_view(
        actor=actor,
        obj=action,
        referral=action.agenda_item.referral,
        address=address,
        detail=f"Action {action.pk}",
    )
