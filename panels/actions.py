"""Writes about an action after its meeting: the owner (or the coordinator) records progress."""

from django.db import transaction

import access
from agencies import audit
from agencies.state_machine import StateMachine, Transition
from notifications import services as notification_services
from notifications.models import NotificationKind
from panels.models import Action, ActionStatus, ActionUpdate

# What an action's notifications asked for is done once the action is done or cancelled.
ACTION_TASKS = [
    NotificationKind.ACTION_ASSIGNED,
    NotificationKind.ACTION_DUE_SOON,
    NotificationKind.ACTION_OVERDUE,
    NotificationKind.ACTION_ESCALATED,
]


class ActionError(Exception):
    """A refused update the person can act on; the message says what to do."""


# The moves of an action after its meeting, named by the status they lead to.
ACTION = StateMachine(
    noun="action",
    states=ActionStatus,
    transitions=[
        Transition("in_progress", frozenset({ActionStatus.OPEN}), ActionStatus.IN_PROGRESS),
        Transition("open", frozenset({ActionStatus.IN_PROGRESS}), ActionStatus.OPEN),
        Transition(
            "done", frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS}), ActionStatus.DONE
        ),
        Transition(
            "cancelled",
            frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS}),
            ActionStatus.CANCELLED,
        ),
    ],
    refusal=ActionError,
)


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
    ACTION.transition_for(name=status, state=action.status)  # ActionError when refused
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
    if status in (ActionStatus.DONE, ActionStatus.CANCELLED):
        notification_services.notifications_mark_done(
            kinds=ACTION_TASKS, link=f"/actions/{action.pk}/"
        )
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
