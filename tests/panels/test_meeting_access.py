"""Who may see, join and run a meeting: access/meetings.py, asked for every person."""

import pytest
from django.utils import timezone

import access
from agencies.models import Membership
from panels.models import Meeting, MeetingInvitation, PanelMembership

pytestmark = pytest.mark.django_db

JOINERS = {"chair", "coordinator", "police", "health", "school"}
RUNNERS = {"chair", "coordinator"}


@pytest.mark.parametrize(
    "key",
    ["chair", "coordinator", "police", "health", "school", "housing", "uninvited", "stranger"],
)
def test_each_person_may_join_and_run_exactly_as_the_rules_say(room, key):
    person = room.people[key]

    assert access.can_join_meeting(person, room.meeting) is (key in JOINERS)
    assert access.can_run_meeting(person, room.meeting) is (key in RUNNERS)
    assert access.allows(person, "join_meeting", room.meeting) is (key in JOINERS)
    assert access.allows(person, "run_meeting", room.meeting) is (key in RUNNERS)


@pytest.mark.parametrize(
    "key",
    ["chair", "coordinator", "police", "health", "school", "housing", "uninvited", "stranger"],
)
def test_the_pairs_agree_for_everyone(room, key):
    person = room.people[key]

    assert (room.meeting in access.meetings_visible_to(person)) is access.can_join_meeting(
        person, room.meeting
    )
    assert (room.meeting in access.meetings_run_by(person)) is access.can_run_meeting(
        person, room.meeting
    )
    assert (person.pk in access.meeting_participant_ids(room.meeting)) is access.can_join_meeting(
        person, room.meeting
    )
    assert (room.panel in access.panels_visible_to(person)) is access.can_view_panel(
        person, room.panel
    )


def test_the_chair_and_coordinator_join_every_meeting_of_their_panel_without_an_invitation(room):
    another = Meeting.objects.create(panel=room.panel, starts_at=timezone.now())

    assert access.can_join_meeting(room.people["chair"], another)
    assert access.can_join_meeting(room.people["coordinator"], another)
    assert not access.can_join_meeting(room.people["police"], another)


def test_a_withdrawn_invitation_ends_the_right_to_join(room):
    invitation = MeetingInvitation.objects.get(meeting=room.meeting, user=room.people["police"])
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])

    assert not access.can_join_meeting(room.people["police"], room.meeting)


def test_an_ended_seat_ends_the_right_to_join_and_to_run(room):
    PanelMembership.objects.filter(user__in=[room.people["police"], room.people["chair"]]).update(
        ended_at=timezone.now()
    )

    assert not access.can_join_meeting(room.people["police"], room.meeting)
    assert not access.can_run_meeting(room.people["chair"], room.meeting)


def test_a_person_who_no_longer_acts_for_their_agency_loses_their_seat(room):
    Membership.objects.filter(user=room.people["health"]).update(ended_at=timezone.now())

    assert not access.can_join_meeting(room.people["health"], room.meeting)


def test_an_agency_removed_from_the_panel_takes_its_members_out_of_the_meeting(room):
    room.panel.member_agencies.remove(room.agencies["school"])

    assert not access.can_join_meeting(room.people["school"], room.meeting)
    assert access.can_join_meeting(room.people["health"], room.meeting)


def test_a_missing_or_hidden_meeting_is_the_same_404(room):
    for pk in (room.meeting.pk, room.meeting.pk + 1000, "nonsense"):
        with pytest.raises(access.NotFoundForUser):
            access.get_meeting_for(room.people["uninvited"], pk)


def test_a_member_may_follow_but_is_refused_changing_the_meeting(room):
    with pytest.raises(access.ForbiddenForUser):
        access.require_can_run_meeting(room.people["police"], room.meeting)


def test_an_action_the_policy_does_not_know_is_refused(room):
    assert not access.allows(room.people["chair"], "delete_meeting", room.meeting)


def test_the_meeting_to_run_is_found_for_its_runners_refused_to_followers_hidden_from_others(
    room,
):
    assert access.get_meeting_to_run(room.people["coordinator"], room.meeting.pk) == room.meeting
    with pytest.raises(access.ForbiddenForUser):
        access.get_meeting_to_run(room.people["police"], room.meeting.pk)
    for key in ("uninvited", "stranger"):
        with pytest.raises(access.NotFoundForUser):
            access.get_meeting_to_run(room.people[key], room.meeting.pk)
