"""The return home interview: 72 clock hours from the return, through weekends and bank
holidays; held later counts as late; reminders before, escalation after."""

from datetime import timedelta

import pytest

import access
from missing import reminders, services, trigger
from missing.models import InterviewOutcome
from notifications.models import Notification, NotificationKind
from tests.missing.conftest import at, report


def test_the_clock_runs_72_clock_hours_across_a_weekend():
    returned = at(2026, 3, 6, 18)  # a Friday evening

    due = trigger.interview_due_at(returned)

    assert due == at(2026, 3, 9, 18)  # Monday evening: the weekend counts
    assert due - returned == timedelta(hours=72)


def test_the_clock_runs_72_clock_hours_across_a_bank_holiday():
    returned = at(2026, 4, 4, 10)  # Easter Saturday; Monday 6 April 2026 is a bank holiday

    due = trigger.interview_due_at(returned)

    assert due == at(2026, 4, 7, 10)
    assert due - returned == timedelta(hours=72)


def _returned_episode(borough, returned_at):
    return report(
        borough["officer"],
        borough["police"],
        since=returned_at - timedelta(hours=20),
        returned_at=returned_at,
    )


def _record(borough, episode, *, outcome, held_after_hours=None, **more):
    returned = episode.returned_at
    return services.return_interview_record(
        actor=borough["interviewer"],
        interview=episode.return_interview,
        record=services.InterviewRecord(
            outcome=outcome,
            offered_at=returned + timedelta(hours=2),
            held_at=returned + timedelta(hours=held_after_hours) if held_after_hours else None,
            **more,
        ),
    )


def test_an_interview_held_at_73_hours_counts_as_late(borough):
    episode = _returned_episode(borough, at(2026, 1, 2, 9))

    interview = _record(
        borough,
        episode,
        outcome=InterviewOutcome.ACCEPTED,
        held_after_hours=73,
        childs_account="I stayed at a friend's.",
    )

    assert interview.offered_in_time
    assert not interview.held_in_time


def test_an_interview_held_at_72_hours_is_in_time(borough):
    episode = _returned_episode(borough, at(2026, 1, 2, 9))

    interview = _record(
        borough,
        episode,
        outcome=InterviewOutcome.ACCEPTED,
        held_after_hours=72,
        childs_account="I stayed at a friend's.",
        push_factors="Rows at home",
        pull_factors="Older friends",
        risks="Unknown adults",
        actions="Refer to the panel",
    )

    assert interview.held_in_time
    assert interview.held_by == borough["interviewer"]


def test_a_held_interview_needs_the_childs_own_words(borough):
    episode = _returned_episode(borough, at(2026, 1, 2, 9))

    with pytest.raises(services.MissingError, match="own words"):
        _record(borough, episode, outcome=InterviewOutcome.ACCEPTED, held_after_hours=10)


def test_a_declined_interview_needs_the_reason_and_is_final(borough):
    episode = _returned_episode(borough, at(2026, 1, 2, 9))
    with pytest.raises(services.MissingError, match="declined"):
        _record(borough, episode, outcome=InterviewOutcome.DECLINED)

    _record(
        borough, episode, outcome=InterviewOutcome.DECLINED, declined_reason="Did not want to talk."
    )

    with pytest.raises(services.MissingError, match="already"):
        _record(borough, episode, outcome=InterviewOutcome.OFFERED)


@pytest.mark.parametrize("who", ["officer", "school_lead", "board"])
def test_only_the_interview_team_or_a_coordinator_records_it(borough, who):
    episode = _returned_episode(borough, at(2026, 1, 2, 9))

    with pytest.raises(access.ForbiddenForUser):
        services.return_interview_record(
            actor=borough[who],
            interview=episode.return_interview,
            record=services.InterviewRecord(
                outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 1, 2, 10)
            ),
        )


def test_the_team_is_reminded_before_the_clock_runs_out_once(borough):
    episode = _returned_episode(borough, at(2026, 1, 2, 9))
    now = at(2026, 1, 4, 10)  # 23 hours left

    made = reminders.return_interview_reminders(now=now)
    again = reminders.return_interview_reminders(now=now)

    assert made == 1 and again == 0
    notification = Notification.objects.get(kind=NotificationKind.ACTION_DUE_SOON)
    assert notification.recipient == borough["interviewer"]
    assert episode.reference in notification.message
    assert "Kestrel" not in notification.message


def test_an_overdue_interview_is_escalated_to_the_team_leads_and_coordinators(borough):
    _returned_episode(borough, at(2026, 1, 2, 9))

    reminders.return_interview_reminders(now=at(2026, 1, 5, 10))

    told = set(
        Notification.objects.filter(kind=NotificationKind.ACTION_ESCALATED).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"interviewer", "council_lead", "coordinator"}


def test_a_held_interview_raises_no_reminder(borough):
    episode = _returned_episode(borough, at(2026, 1, 2, 9))
    _record(
        borough,
        episode,
        outcome=InterviewOutcome.ACCEPTED,
        held_after_hours=5,
        childs_account="Fine.",
    )

    assert reminders.return_interview_reminders(now=at(2026, 1, 5, 10)) == 0
