"""send_reminders is safe to run every few minutes, and twice at once: each reminder once."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from agencies.models import Role
from notifications import reminders
from notifications.models import Notification, NotificationKind
from referrals import intake
from referrals.models import Referral
from tests.factories import person


@pytest.fixture
def overdue_referral(borough, make_submitted):
    referral = make_submitted()
    Referral.objects.filter(pk=referral.pk).update(
        screening_due_at=timezone.now() - timedelta(minutes=5)
    )
    return referral


def expired_notices():
    return Notification.objects.filter(kind=NotificationKind.SCREENING_CLOCK_EXPIRED)


def test_an_expired_screening_clock_tells_each_coordinator_once(borough, overdue_referral):
    second_coordinator = person(Role.PANEL_COORDINATOR, borough["council"])

    call_command("send_reminders")
    call_command("send_reminders")

    assert sorted(n.recipient.username for n in expired_notices()) == sorted(
        ["coordinator", second_coordinator.username]
    )
    assert overdue_referral.child.last_name not in expired_notices().first().message


def test_a_clock_about_to_expire_warns_and_one_far_off_does_not(borough, make_submitted):
    soon, later = make_submitted(), make_submitted()
    Referral.objects.filter(pk=soon.pk).update(
        screening_due_at=timezone.now() + timedelta(minutes=30)
    )
    Referral.objects.filter(pk=later.pk).update(screening_due_at=timezone.now() + timedelta(days=2))

    reminders.screening_clock_reminders()

    warned = Notification.objects.filter(kind=NotificationKind.SCREENING_CLOCK_DUE)
    assert {n.referral_id for n in warned} == {soon.pk}


def test_a_screened_referral_is_reminded_of_its_decision_clock(borough, make_submitted):
    referral = make_submitted()
    intake.referral_screen(
        actor=borough["coordinator"], referral=referral, rag="red", reason="Risk."
    )
    Referral.objects.filter(pk=referral.pk).update(
        decision_due_at=timezone.now() - timedelta(minutes=1)
    )

    reminders.screening_clock_reminders()

    assert "decision clock" in expired_notices().get().message


@pytest.mark.django_db(transaction=True)
def test_two_copies_running_at_once_on_postgresql_send_each_reminder_once(borough, make_submitted):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent runs need a database that allows concurrent writers")
    for _ in range(5):
        referral = make_submitted()
        Referral.objects.filter(pk=referral.pk).update(
            screening_due_at=timezone.now() - timedelta(minutes=5)
        )
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            call_command("send_reminders")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert expired_notices().count() == 5
