"""seed_demo's minutes, board and inboxes: the earlier closed meeting's minutes approved as
version 1 and corrected as version 2, the last meeting's submitted to the chair, the board
members overseeing the panel, and an unread notification that is true for each demo login
some real event reaches."""

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

import access
from agencies import demo as agency_demo
from agencies.models import Role
from notifications.models import EmailDelivery, Notification, NotificationKind
from panels import demo
from panels.models import (
    DocumentKind,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesDocument,
    MinutesHistory,
    MinutesStatus,
    MinutesStep,
    MinutesVersion,
    Panel,
    PanelOversight,
)
from referrals.models import ContributionRequest, Referral

# Demo logins no real event reaches in the demo: referrers whose referrals are on no panel
# and whose agencies own no panel action, the chair of the MASH screening panel (which has no
# meetings), the quality auditors, the data protection officers and the system administrator.
NO_EVENT_REACHES = {
    "nadia.coombe",  # chairs the MASH hub, which holds no meetings in the demo
    "irene.voss",  # quality auditors and the administrator: no event concerns them
    "kwame.asante",
    "admin.fenmarsh",
    "nia.castell",  # holds no role yet: her first one waits for owen.price's approval
}


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins")
    panel = Panel.objects.get(name=demo.PANEL)
    earlier, last = panel.meetings.filter(status=MeetingStatus.CLOSED).order_by("starts_at")
    people = {user.username: user for user in get_user_model().objects.all()}
    return {"panel": panel, "earlier": earlier, "last": last, "people": people}


def steps(minutes: Minutes) -> list[str]:
    return list(minutes.history.order_by("at", "pk").values_list("step", flat=True))


def test_the_past_meetings_minutes_are_approved_as_version_1_and_corrected_as_version_2(seeded):
    minutes = Minutes.objects.get(meeting=seeded["earlier"])

    assert minutes.status == MinutesStatus.APPROVED
    assert steps(minutes) == [
        MinutesStep.DRAFTED,
        MinutesStep.EDITED,
        MinutesStep.SUBMITTED,
        MinutesStep.RETURNED,
        MinutesStep.EDITED,
        MinutesStep.SUBMITTED,
        MinutesStep.APPROVED,
        MinutesStep.CORRECTION_STARTED,
        MinutesStep.EDITED,
        MinutesStep.SUBMITTED,
        MinutesStep.APPROVED,
    ]
    returned = minutes.history.get(step=MinutesStep.RETURNED)
    assert returned.by.username == demo.CHAIR and returned.comment
    v1, v2 = minutes.versions.order_by("number")
    assert (v1.number, v2.number) == (1, 2)
    assert v1.correction_reason == ""
    assert v2.correction_reason.startswith("Due date misrecorded")
    decision = {v.number: v.content["items"][0]["decision"] for v in (v1, v2)}
    assert "within five working days" in decision[1]
    assert "within three working days" in decision[2]
    for version in (v1, v2):
        assert version.approved_by.username == demo.CHAIR
        documents = list(version.documents.all())
        assert len(documents) >= 4
        kinds = [document.kind for document in documents]
        assert kinds.count(DocumentKind.MINUTES) == kinds.count(DocumentKind.BOARD_COPY) == 1
        assert kinds.count(DocumentKind.AGENCY_EXTRACT) >= 2
        for document in documents:
            pdf = bytes(document.pdf)
            assert pdf.startswith(b"%PDF")
            assert document.sha256 == hashlib.sha256(pdf).hexdigest()
            assert document.size == len(pdf) and document.pages >= 1


def test_the_last_meetings_minutes_wait_for_the_chair(seeded):
    minutes = Minutes.objects.get(meeting=seeded["last"])
    alan = seeded["people"][demo.CHAIR]

    assert minutes.status == MinutesStatus.SUBMITTED
    assert steps(minutes) == [MinutesStep.DRAFTED, MinutesStep.EDITED, MinutesStep.SUBMITTED]
    assert not minutes.versions.exists()
    assert access.can_approve_minutes(alan, seeded["last"])
    waiting = Notification.objects.filter(
        recipient=alan, kind=NotificationKind.MINUTES_FOR_APPROVAL, read_at__isnull=True
    )
    # Only what still waits for him is unread: the requests he answered were read.
    assert list(waiting.values_list("link", flat=True)) == [
        f"/meetings/{seeded['last'].pk}/minutes/"
    ]
    coordinator = seeded["people"][demo.COORDINATOR]
    assert not Notification.objects.filter(
        recipient=coordinator, kind=NotificationKind.MINUTES_RETURNED, read_at__isnull=True
    ).exists()


def test_board_members_oversee_the_panel_and_are_sent_its_board_copies(seeded):
    board = [
        seeded["people"][person.username]
        for person in agency_demo.PEOPLE
        if any(role == Role.BOARD_MEMBER for _key, role, _title in person.roles)
    ]

    assert len(board) >= 2
    for member in board:
        assert member.email
        assert PanelOversight.objects.active().filter(panel=seeded["panel"], user=member).exists()
        assert access.can_receive_board_copy(member, seeded["panel"])
        assert access.board_copies_visible_to(member).count() == 2
        told = Notification.objects.filter(
            recipient=member, kind=NotificationKind.MINUTES_APPROVED, read_at__isnull=True
        )
        assert set(told.values_list("link", flat=True)) == {"/board/"}
        assert told.count() == 2
        assert EmailDelivery.objects.filter(notification__in=told).count() == 2


def test_each_demo_login_some_event_reaches_has_an_unread_notification_true_for_them(seeded):
    people = seeded["people"]
    usernames = {person.username for person in agency_demo.PEOPLE}

    assert NO_EVENT_REACHES.issubset(usernames)
    for username in sorted(usernames - NO_EVENT_REACHES):
        assert Notification.objects.filter(
            recipient=people[username], read_at__isnull=True
        ).exists(), username
    # Each notification goes to someone the access policy lets read what it is about.
    for notification in Notification.objects.select_related("recipient", "referral"):
        person = notification.recipient
        if notification.referral_id:
            assert access.can_view_referral(person, notification.referral), notification
        if notification.link.startswith("/meetings/"):
            meeting = Meeting.objects.get(pk=notification.link.split("/")[2])
            assert access.can_join_meeting(person, meeting), notification
        if notification.link.endswith("/audit/"):
            referral = Referral.objects.get(pk=notification.link.split("/")[2])
            assert access.can_view_audit_trail(person, referral), notification
        if notification.link.startswith("/actions/") and notification.link != "/actions/":
            pk = notification.link.split("/")[2]
            assert access.visible_actions(person).filter(pk=pk).exists(), notification
        if notification.link == "/board/":
            assert access.oversees_any_panel(person), notification
    owen = people["owen.price"]
    assert ContributionRequest.objects.filter(
        referral__reference=demo.SCHOOL_REQUEST[0], agency__name=demo.SCHOOL_REQUEST[1]
    ).exists()
    assert Notification.objects.filter(
        recipient=owen, kind=NotificationKind.CONTRIBUTION_REQUESTED, read_at__isnull=True
    ).exists()


def test_seeding_the_demo_again_creates_nothing_new(seeded):
    def counts():
        return {
            model.__name__: model.objects.count()
            for model in (
                Minutes,
                MinutesVersion,
                MinutesDocument,
                MinutesHistory,
                Notification,
                EmailDelivery,
                PanelOversight,
                ContributionRequest,
                Meeting,
            )
        } | {"unread": Notification.objects.filter(read_at__isnull=True).count()}

    first = counts()
    call_command("seed_demo", "--quiet-logins")

    assert counts() == first
