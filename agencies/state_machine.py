"""One way to write a state machine (issue 13): a table of the allowed moves, and one helper
that checks a move against it before a service makes it.

Each machine is a `StateMachine` built from its `Transition` rows, in the module that owns
the state (`referrals/workflow.py` for a referral, `panels/actions.py` for an action,
`panels/services.py` for a meeting, `panels/minutes.py` for its minutes). A
service locks the row, asks `machine.move(obj, name)` (which refuses any move the table does
not list: deny by default), saves and writes its audit row, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Model, TextChoices


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[str]
    target: str
    label: str = ""
    needs_reason: bool = True
    # What a person is told when the object's state does not allow the move; "{state}" is
    # the state's label. Empty: "A <noun> that is <state> cannot be moved to <target>."
    refused: str = ""


class TransitionNotAllowed(Exception):
    """The object's state does not allow this move; the message says why, for a person."""


class StateMachine:
    """The allowed moves of one kind of object, by name; `field` holds its state."""

    def __init__(
        self,
        *,
        noun: str,
        states: type[TextChoices],
        transitions: Iterable[Transition],
        field: str = "status",
        refusal: type[Exception] = TransitionNotAllowed,
    ):
        self.noun, self.states, self.field, self.refusal = noun, states, field, refusal
        self.transitions: dict[str, Transition] = {t.name: t for t in transitions}
        unknown = {
            state
            for t in self.transitions.values()
            for state in (*t.source, t.target)
            if state not in states.values
        }
        if unknown:
            raise ValueError(f"{noun}: unknown states in the table: {sorted(unknown)}")

    def _label(self, state: str) -> str:
        return self.states(state).label.lower() if state in self.states.values else state

    def transition_for(self, *, name: str, state: str) -> Transition:
        """The move `name` from `state`, or the refusal (any move not in the table)."""
        transition = self.transitions.get(name)
        if transition is None:
            raise self.refusal(f"There is no step called {name!r}.")
        if state not in transition.source:
            if transition.refused:
                raise self.refusal(transition.refused.format(state=self._label(state)))
            raise self.refusal(
                f"{_article(self.noun)} {self.noun} that is {self._label(state)} cannot be moved "
                f"to {self._label(transition.target)}."
            )
        return transition

    def allowed(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.source]

    def move(self, obj: Model, name: str) -> Transition:
        """Check the move against the object's state and set the new state on it (the
        caller, holding the row's lock, saves it and writes the audit row)."""
        transition = self.transition_for(name=name, state=getattr(obj, self.field))
        setattr(obj, self.field, transition.target)
        return transition


def _article(noun: str) -> str:
    return "An" if noun[:1].lower() in "aeiou" else "A"
