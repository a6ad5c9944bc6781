"""A referral's life as an explicit state machine: the only place that says which move is
allowed from which state. Services ask it before every transition. Written as every state
machine here is: a table of `Transition` rows checked by one helper (agencies/state_machine.py)."""

from agencies.state_machine import StateMachine, Transition, TransitionNotAllowed
from referrals.models import ReferralState as S

__all__ = [
    "REFERRAL",
    "TRANSITIONS",
    "Transition",
    "TransitionNotAllowed",
    "allowed_transitions",
    "transition_for",
]

TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", frozenset({S.DRAFT}), S.SUBMITTED, "Submit", needs_reason=False),
        Transition("screen", frozenset({S.SUBMITTED}), S.SCREENED, "Record the screening"),
        Transition(
            "no_further_action", frozenset({S.SCREENED}), S.NO_FURTHER_ACTION, "No further action"
        ),
        Transition("early_help", frozenset({S.SCREENED}), S.EARLY_HELP, "Signpost to early help"),
        Transition("list_for_panel", frozenset({S.SCREENED}), S.LISTED_FOR_PANEL, "List for panel"),
        Transition(
            "escalate", frozenset({S.SCREENED, S.LISTED_FOR_PANEL}), S.ESCALATED, "Escalate"
        ),
        Transition(
            "close",
            frozenset({S.NO_FURTHER_ACTION, S.EARLY_HELP, S.LISTED_FOR_PANEL, S.ESCALATED}),
            S.CLOSED,
            "Close with outcome",
        ),
        Transition("withdraw", frozenset({S.DRAFT, S.SUBMITTED}), S.WITHDRAWN, "Withdraw"),
    ]
}


REFERRAL = StateMachine(noun="referral", states=S, transitions=TRANSITIONS.values(), field="state")


def transition_for(*, name: str, state: str) -> Transition:
    return REFERRAL.transition_for(name=name, state=state)


def allowed_transitions(state: str) -> list[Transition]:
    return REFERRAL.allowed(state)
