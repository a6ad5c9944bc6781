"""The generic question, `allows(user, action, obj)`, and its 403, `require()`: one table of
every action the policy knows; an action it does not know is refused."""

from django.contrib.auth.models import AbstractBaseUser

from access.audit_trails import can_view_audit_trail
from access.board import can_make_quarterly_report, can_view_quarterly_report
from access.casework import (
    can_allocate,
    can_grade_review,
    can_manage_team,
    can_record_review_changes,
    can_respond_to_review,
    can_review_referral,
    can_update_learning_action,
    can_view_review,
)
from access.documents import (
    can_approve_minutes,
    can_download_action_log,
    can_download_document,
    can_edit_minutes,
    can_view_minutes,
    can_view_minutes_draft,
)
from access.errors import ForbiddenForUser
from access.intelligence import can_change_subject, can_link_subject, can_view_subject
from access.meetings import can_join_meeting, can_run_meeting, can_run_panel, can_view_panel
from access.missing import (
    can_change_missing_episode,
    can_decide_child_flag,
    can_record_return_interview,
    can_view_missing_episode,
)
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
    # Missing episodes, their return home interviews and the trigger's tasks.
    "view_missing_episode": can_view_missing_episode,
    "change_missing_episode": can_change_missing_episode,
    "record_return_interview": can_record_return_interview,
    "decide_child_flag": can_decide_child_flag,
    # Persons, places, vehicles and online accounts of concern.
    "view_subject": can_view_subject,
    "change_subject": can_change_subject,
    "link_subject": can_link_subject,
    # Casework: teams, allocation, independent review and learning actions.
    "manage_team": can_manage_team,
    "allocate": can_allocate,
    "review_referral": can_review_referral,
    "view_review": can_view_review,
    "grade_review": can_grade_review,
    "respond_to_review": can_respond_to_review,
    "record_review_changes": can_record_review_changes,
    "update_learning_action": can_update_learning_action,
    # The board's quarterly reports (the object is a panel to make one, a version to read it).
    "make_quarterly_report": can_make_quarterly_report,
    "view_quarterly_report": can_view_quarterly_report,
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
