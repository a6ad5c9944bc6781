"""The generic question, `allows(user, action, obj)`, and its 403, `require()`: one table of
every action the policy knows; an action it does not know is refused."""

from django.contrib.auth.models import AbstractBaseUser

from access.audit_trails import can_view_audit_trail
from access.documents import (
    can_approve_minutes,
    can_download_action_log,
    can_download_document,
    can_edit_minutes,
    can_view_minutes,
    can_view_minutes_draft,
)
from access.errors import ForbiddenForUser
from access.meetings import can_join_meeting, can_run_meeting, can_run_panel, can_view_panel
from access.referrals import (
    can_add_attachment,
    can_break_glass,
    can_change_referral,
    can_move_referral,
    can_request_contributions,
    can_share_referral,
    can_view_contribution,
    can_view_referral,
)
from access.roles import signed_in
from referrals.models import Referral

_OBJECT_RULES = {
    "view_referral": can_view_referral,
    "change_referral": can_change_referral,
    "share_referral": can_share_referral,
    "break_glass": can_break_glass,
    "view_audit_trail": can_view_audit_trail,
    "view_contribution": can_view_contribution,
    "add_attachment": can_add_attachment,
    "request_contributions": can_request_contributions,
    "submit": lambda user, referral: can_move_referral(user, referral, "submit"),
    "withdraw": lambda user, referral: can_move_referral(user, referral, "withdraw"),
    "screen": lambda user, referral: can_move_referral(user, referral, "screen"),
    "no_further_action": lambda user, referral: can_move_referral(
        user, referral, "no_further_action"
    ),
    "early_help": lambda user, referral: can_move_referral(user, referral, "early_help"),
    "list_for_panel": lambda user, referral: can_move_referral(user, referral, "list_for_panel"),
    "escalate": lambda user, referral: can_move_referral(user, referral, "escalate"),
    "close": lambda user, referral: can_move_referral(user, referral, "close"),
    # Panels and meetings.
    "view_panel": can_view_panel,
    "run_panel": can_run_panel,
    "join_meeting": can_join_meeting,
    "run_meeting": can_run_meeting,
    # Minutes and their documents.
    "edit_minutes": can_edit_minutes,
    "approve_minutes": can_approve_minutes,
    "view_minutes": can_view_minutes,
    "view_minutes_draft": can_view_minutes_draft,
    "download_document": can_download_document,
    "download_action_log": can_download_action_log,
}


def allows(user: AbstractBaseUser, action: str, obj) -> bool:
    """The generic question. An action this module does not know is refused."""
    rule = _OBJECT_RULES.get(action)
    if rule is None or not signed_in(user):
        return False
    return bool(rule(user, obj))


def require(user, action: str, referral: Referral) -> None:
    """403 for a person who may see the referral but not do this to it."""
    if not allows(user, action, referral):
        raise ForbiddenForUser(
            action=action.replace("_", " "),
            object_type="referral",
            object_id=referral.pk,
            referral_id=referral.pk,
        )
