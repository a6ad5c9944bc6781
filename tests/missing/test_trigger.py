"""The trigger: three episodes in 30 days (configurable), or one graded high risk, flags the
child and gives the coordinators a task; their decision and reason are in the chronology."""

from datetime import timedelta

import pytest
from django.test import override_settings

from missing import selectors, services
from missing.models import ChildFlag, TriggerDecision, TriggerReason
from notifications.models import Notification
from tests.missing.conftest import at, report


def _episodes_on(borough, days, risk="medium"):
    start = at(2026, 1, 1, 20)
    return [
        report(borough["officer"], borough["police"], since=start + timedelta(days=d), risk=risk)
        for d in days
    ]


def test_three_episodes_in_30_days_trigger(borough):
    episodes = _episodes_on(borough, [0, 15, 30])

    flag = ChildFlag.objects.get()
    assert flag.reason == TriggerReason.REPEATED
    assert flag.episode == episodes[-1]
    assert Notification.objects.filter(recipient=borough["coordinator"]).exists()


def test_three_episodes_in_31_days_do_not(borough):
    _episodes_on(borough, [0, 15, 31])

    assert not ChildFlag.objects.exists()


def test_an_episode_reported_late_inside_the_window_triggers_too(borough):
    _episodes_on(borough, [0, 28, 10])

    assert ChildFlag.objects.count() == 1


def test_a_high_risk_episode_triggers_at_once(borough):
    _episodes_on(borough, [0], risk="high")

    assert ChildFlag.objects.get().reason == TriggerReason.HIGH_RISK


def test_regrading_an_episode_high_triggers(borough):
    (episode,) = _episodes_on(borough, [0], risk="low")
    assert not ChildFlag.objects.exists()

    services.episode_correct(
        actor=borough["officer"],
        episode=episode,
        changes={"risk_grading": "high"},
        reason="New info",
    )

    assert ChildFlag.objects.get().reason == TriggerReason.HIGH_RISK


@override_settings(MISSING_TRIGGER_EPISODES=2, MISSING_TRIGGER_DAYS=7)
def test_the_numbers_are_settings(borough):
    _episodes_on(borough, [0, 7])

    assert ChildFlag.objects.count() == 1


def test_a_waiting_task_is_not_raised_again(borough):
    _episodes_on(borough, [0, 1, 2, 3], risk="high")

    assert ChildFlag.objects.count() == 1


def test_the_coordinators_decision_and_reason_are_in_the_chronology(borough):
    _episodes_on(borough, [0, 15, 30])
    flag = ChildFlag.objects.get()

    services.child_flag_decide(
        actor=borough["coordinator"],
        flag=flag,
        decision=TriggerDecision.EXPLOITATION_PANEL,
        reason="Pattern of going missing with older males.",
    )

    entries = selectors.chronology_entries(user=borough["coordinator"], child=flag.child)
    kinds = [entry.kind for entry in entries]
    assert kinds.count("Missing") == 3
    assert "Missing trigger met" in kinds
    decision = next(e for e in entries if e.kind == "Decision on the missing trigger")
    assert "List for the exploitation panel" in decision.summary
    assert "older males" in decision.summary


def test_the_decision_needs_a_reason_and_a_coordinator(borough):
    _episodes_on(borough, [0], risk="high")
    flag = ChildFlag.objects.get()

    with pytest.raises(services.MissingError):
        services.child_flag_decide(
            actor=borough["coordinator"], flag=flag, decision="strategy_discussion", reason=""
        )
    with pytest.raises(services.access.ForbiddenForUser):
        services.child_flag_decide(
            actor=borough["police_lead"], flag=flag, decision="strategy_discussion", reason="x"
        )


def test_the_chronology_shows_nothing_to_someone_who_may_not_read_the_episodes(borough):
    (episode,) = _episodes_on(borough, [0], risk="high")

    assert selectors.chronology_entries(user=borough["school_lead"], child=episode.child) == []
