"""Reporting a child missing, recognising the child, recording the return and corrections."""

from datetime import timedelta

import pytest

import access
from agencies.models import AuditAction, AuditEvent
from missing import services
from missing.models import EpisodeChange
from tests.missing.conftest import a_child, at, report


def test_a_police_report_makes_an_episode_with_a_reference_and_an_audit_row(borough):
    episode = report(borough["officer"], borough["police"], since=at(2026, 3, 6, 21))

    assert episode.reference.startswith("MIS-2026-")
    assert episode.is_missing
    row = AuditEvent.objects.get(action=AuditAction.CREATED, object_id=str(episode.pk))
    assert row.child == episode.child and row.actor == borough["officer"]


def test_the_same_nhs_number_finds_the_same_child(borough):
    first = report(borough["officer"], borough["police"], since=at(2026, 3, 1))
    second = report(
        borough["school_lead"],
        borough["school"],
        child=a_child(first_name="Kez", date_of_birth=None),
        since=at(2026, 3, 3),
    )

    assert second.child == first.child


def test_the_same_name_and_date_of_birth_find_the_same_child(borough):
    first = report(borough["officer"], borough["police"], since=at(2026, 3, 1))
    second = report(
        borough["officer"], borough["police"], child=a_child(nhs_number=""), since=at(2026, 3, 2)
    )

    assert second.child == first.child


def test_a_merely_similar_name_makes_a_record_of_its_own(borough):
    first = report(borough["officer"], borough["police"], since=at(2026, 3, 1))
    second = report(
        borough["officer"],
        borough["police"],
        child=a_child(nhs_number="", first_name="Kestral"),
        since=at(2026, 3, 2),
    )

    assert second.child != first.child


@pytest.mark.parametrize("who", ["board", "coordinator"])
def test_only_a_referrer_or_lead_reports_for_their_own_agency(borough, who):
    with pytest.raises(access.ForbiddenForUser):
        report(borough[who], borough["police"], since=at(2026, 3, 1))


def test_an_officer_cannot_report_for_another_agency(borough):
    with pytest.raises(access.ForbiddenForUser):
        report(borough["officer"], borough["school"], since=at(2026, 3, 1))


def test_a_return_before_the_child_went_missing_is_refused(borough):
    with pytest.raises(services.MissingError, match="after the child went missing"):
        report(
            borough["officer"],
            borough["police"],
            since=at(2026, 3, 2),
            returned_at=at(2026, 3, 1),
        )


def test_recording_the_return_starts_the_interview_clock(borough):
    episode = report(borough["officer"], borough["police"], since=at(2026, 3, 1))

    services.episode_return(
        actor=borough["officer"],
        episode=episode,
        returned_at=at(2026, 3, 2, 8),
        found_where="Bus station",
        found_by="PC Tarn",
    )

    interview = episode.return_interview
    assert interview.due_at == at(2026, 3, 5, 8)
    assert interview.team == borough["team"]


def test_a_correction_keeps_the_old_value_who_when_and_why(borough):
    episode = report(borough["officer"], borough["police"], since=at(2026, 3, 1), risk="low")

    services.episode_correct(
        actor=borough["police_lead"],
        episode=episode,
        changes={"risk_grading": "medium"},
        reason="Regraded by the duty inspector.",
    )

    change = EpisodeChange.objects.get(episode=episode)
    assert (change.field, change.old_value, change.new_value) == ("risk_grading", "low", "medium")
    assert change.changed_by == borough["police_lead"]
    assert change.reason == "Regraded by the duty inspector."
    episode.refresh_from_db()
    assert episode.risk_grading == "medium"


def test_a_correction_needs_a_reason(borough):
    episode = report(borough["officer"], borough["police"], since=at(2026, 3, 1))

    with pytest.raises(services.MissingError, match="reason"):
        services.episode_correct(
            actor=borough["officer"], episode=episode, changes={"found_by": "x"}, reason=" "
        )


def test_corrections_are_never_deleted_or_rewritten(borough):
    episode = report(borough["officer"], borough["police"], since=at(2026, 3, 1))
    services.episode_correct(
        actor=borough["officer"],
        episode=episode,
        changes={"missing_since": at(2026, 3, 1) - timedelta(hours=2)},
        reason="Carer gave the time.",
    )

    with pytest.raises(PermissionError):
        EpisodeChange.objects.all().delete()
    with pytest.raises(PermissionError):
        EpisodeChange.objects.update(reason="")
    change = EpisodeChange.objects.get()
    change.reason = "Rewritten."
    with pytest.raises(PermissionError):
        change.save()  # nor one row at a time (panels.models.ImmutableModel)
    with pytest.raises(PermissionError):
        change.delete()


def test_another_officer_reads_but_may_not_correct_a_colleagues_episode(borough):
    episode = report(borough["officer"], borough["police"], since=at(2026, 3, 1))

    assert not access.can_view_missing_episode(borough["other_officer"], episode)
    assert access.can_change_missing_episode(borough["police_lead"], episode)
    with pytest.raises(access.ForbiddenForUser):
        services.episode_correct(
            actor=borough["school_lead"], episode=episode, changes={"found_by": "x"}, reason="r"
        )


def test_who_may_read_an_episode_agrees_with_the_list(borough):
    episode = report(
        borough["officer"], borough["police"], since=at(2026, 3, 1), returned_at=at(2026, 3, 2)
    )
    for name, user in borough.items():
        if not hasattr(user, "is_authenticated"):
            continue
        assert (
            episode in access.visible_missing_episodes(user)
        ) is access.can_view_missing_episode(user, episode), name
    readers = {
        name
        for name, user in borough.items()
        if hasattr(user, "is_authenticated") and access.can_view_missing_episode(user, episode)
    }
    assert readers == {"officer", "police_lead", "coordinator", "interviewer"}
