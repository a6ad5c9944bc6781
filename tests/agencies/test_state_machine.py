"""One way to write a state machine: a table of allowed moves checked by one helper
(agencies/state_machine.py), used by the referral's workflow and the action log."""

import pytest
from django.db import models

from agencies.state_machine import StateMachine, Transition, TransitionNotAllowed
from panels import actions as action_services
from panels.minutes import MINUTES_STATES, MinutesError
from panels.models import ActionStatus, ActionUpdate
from panels.services import MEETING_STATES, MeetingError
from referrals import workflow
from referrals.models import ReferralState
from tests.agencies.doors_actions import world_action


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"


LIGHT = StateMachine(
    noun="light",
    states=Light,
    transitions=[
        Transition("go", frozenset({Light.RED}), Light.GREEN),
        Transition("slow", frozenset({Light.GREEN}), Light.AMBER),
    ],
)


class Lamp:
    status = Light.RED


def test_a_listed_move_from_its_source_state_is_made():
    lamp = Lamp()

    LIGHT.move(lamp, "go")

    assert lamp.status == Light.GREEN


def test_a_move_from_a_state_the_table_does_not_list_is_refused_and_changes_nothing():
    lamp = Lamp()

    with pytest.raises(TransitionNotAllowed, match="A light that is red cannot be moved to amber"):
        LIGHT.move(lamp, "slow")
    assert lamp.status == Light.RED


def test_a_move_the_table_does_not_know_is_refused():
    with pytest.raises(TransitionNotAllowed, match="There is no step called 'stop'"):
        LIGHT.transition_for(name="stop", state=Light.GREEN)


def test_a_table_naming_a_state_that_does_not_exist_is_refused_when_written():
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine(
            noun="light", states=Light, transitions=[Transition("x", frozenset({"blue"}), "red")]
        )


def test_the_referral_workflow_is_written_with_the_shared_helper():
    assert workflow.TransitionNotAllowed is TransitionNotAllowed
    assert [t.name for t in workflow.allowed_transitions(ReferralState.DRAFT)] == [
        "submit",
        "withdraw",
    ]
    with pytest.raises(TransitionNotAllowed, match="A referral that is closed cannot be moved"):
        workflow.transition_for(name="close", state=ReferralState.CLOSED)


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, True),
        (ActionStatus.OPEN, ActionStatus.DONE, True),
        (ActionStatus.IN_PROGRESS, ActionStatus.OPEN, True),
        (ActionStatus.OPEN, ActionStatus.OPEN, False),
        (ActionStatus.OPEN, ActionStatus.CARRIED_FORWARD, False),
        (ActionStatus.IN_PROGRESS, ActionStatus.IN_PROGRESS, False),
        (ActionStatus.OPEN, "lost", False),
    ],
)
def test_an_action_moves_only_as_its_table_allows(world, start, to, allowed):
    action = world_action(world)
    action.status = start
    action.save(update_fields=["status"])

    if allowed:
        action_services.action_update(
            actor=world.people["lead_b"], action=action, status=to, note="Progress."
        )
        action.refresh_from_db()
        assert action.status == to
    else:
        with pytest.raises(action_services.ActionError):
            action_services.action_update(
                actor=world.people["lead_b"], action=action, status=to, note="Progress."
            )
        action.refresh_from_db()
        assert action.status == start
        assert not ActionUpdate.objects.exists()


# --- A meeting and its minutes move by their tables too ---------------------------------------


@pytest.mark.parametrize(
    ("machine", "state", "step", "target"),
    [
        ("meeting", "scheduled", "start", "in_progress"),
        ("meeting", "in_progress", "close", "closed"),
        ("minutes", "draft", "submit", "submitted"),
        ("minutes", "returned", "submit", "submitted"),
        ("minutes", "submitted", "return", "returned"),
        ("minutes", "submitted", "approve", "approved"),
        ("minutes", "approved", "correct", "draft"),
    ],
)
def test_each_allowed_step_of_a_meeting_and_its_minutes_is_in_its_table(
    machine, state, step, target
):
    table = MEETING_STATES if machine == "meeting" else MINUTES_STATES

    assert table.transition_for(name=step, state=state).target == target


@pytest.mark.parametrize(
    ("machine", "state", "step", "told"),
    [
        ("meeting", "closed", "start", "You cannot start the meeting: the meeting is closed."),
        ("meeting", "scheduled", "close", "You cannot close the meeting: the meeting is sched"),
        ("minutes", "approved", "submit", "The minutes are approved: only a draft or returned"),
        ("minutes", "draft", "approve", "Only minutes submitted by the coordinator"),
        ("minutes", "draft", "correct", "Only approved minutes need a correction"),
        ("minutes", "draft", "delete", "There is no step called 'delete'."),
    ],
)
def test_a_step_the_table_does_not_allow_is_refused_in_words_a_person_reads(
    machine, state, step, told
):
    table = MEETING_STATES if machine == "meeting" else MINUTES_STATES
    refusal = MeetingError if machine == "meeting" else MinutesError

    with pytest.raises(refusal) as refused:
        table.transition_for(name=step, state=state)
    assert str(refused.value).startswith(told)
