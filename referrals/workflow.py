"""A referral's life as an explicit state machine: the only place that says which move is
allowed from which state. Services ask it before every transition."""

from dataclasses import dataclass

from referrals.models import ReferralState as S


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[str]
    target: str
    label: str
    needs_reason: bool = True


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


class TransitionNotAllowed(Exception):
    """The referral's state does not allow this move; the message says why, for a person."""


def transition_for(*, name: str, state: str) -> Transition:
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(f"There is no step called {name!r}.")
    if state not in transition.source:
        raise TransitionNotAllowed(
            f"A referral that is {S(state).label.lower()} cannot be moved to "
            f"{S(transition.target).label.lower()}."
        )
    return transition


def allowed_transitions(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.source]
