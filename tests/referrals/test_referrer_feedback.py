"""Feedback to the referrer: the person who made a referral is told what became of it (the
decision and the closing), with the reference and the new state, never the reason."""

import pytest
from django.utils import timezone

from agencies.models import Membership
from notifications.models import Notification, NotificationKind
from referrals import intake


@pytest.fixture
def screened(borough, make_submitted):
    referral = make_submitted()
    return intake.referral_screen(
        actor=borough["coordinator"], referral=referral, rag="amber", reason="Pattern of missing."
    )


def told():
    return Notification.objects.filter(kind=NotificationKind.REFERRAL_DECIDED)


def test_the_referrer_is_told_the_decision_and_no_one_else(borough, screened):
    intake.referral_decide(
        actor=borough["coordinator"],
        referral=screened,
        decision="list_for_panel",
        reason="Ashlyn Brackenridge is missing weekly.",
    )

    (notice,) = told()
    assert notice.recipient == borough["referrer"]
    assert notice.message == f"Your referral {screened.reference} is now: listed for panel."
    assert "Ashlyn" not in notice.message and "Brackenridge" not in notice.message
    assert notice.link == f"/referrals/{screened.pk}/"


def test_the_referrer_is_told_when_the_referral_is_closed(borough, screened):
    intake.referral_decide(
        actor=borough["coordinator"], referral=screened, decision="early_help", reason="Support."
    )
    intake.referral_close(
        actor=borough["coordinator"], referral=screened, outcome="Family engaged with support."
    )

    assert [n.message for n in told().order_by("pk")] == [
        f"Your referral {screened.reference} is now: signposted to early help.",
        f"Your referral {screened.reference} is now: closed.",
    ]


def test_a_referrer_who_has_left_the_agency_is_not_told(borough, screened):
    Membership.objects.filter(user=borough["referrer"]).update(ended_at=timezone.now())

    intake.referral_decide(
        actor=borough["coordinator"], referral=screened, decision="escalate", reason="Harm."
    )

    assert not told().exists()
