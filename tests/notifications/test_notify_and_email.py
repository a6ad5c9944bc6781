"""Notifications: made for the people the policy chose, emailed as they prefer, never naming
a child, and a failed email retried rather than lost."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import DeliveryStatus, EmailDelivery, Notification, NotificationKind
from tests.factories import UserFactory


@pytest.fixture
def ana(db):
    return UserFactory(username="ana", email="ana@example.test")


def test_notify_makes_one_notification_per_recipient_and_rings_after_commit(
    ana, django_capture_on_commit_callbacks
):
    bob = UserFactory(username="bob")
    with django_capture_on_commit_callbacks() as callbacks:
        made = services.notify(
            recipients=[ana, bob], kind=NotificationKind.ACTION_ASSIGNED, message="Action 12."
        )

    assert {n.recipient for n in made} == {ana, bob}
    assert len(callbacks) == 1
    assert services.unread_count(user=ana) == 1


def test_a_reminder_with_the_same_key_is_made_once(ana):
    for _ in range(3):
        services.notify(
            recipients=[ana],
            kind=NotificationKind.ACTION_OVERDUE,
            message="Action 12 is overdue.",
            dedupe_key="overdue:action:12:2026-11-23",
        )

    assert Notification.objects.filter(recipient=ana).count() == 1


def test_email_is_queued_by_the_persons_preferences(ana):
    services.preferences_save(
        user=ana, email_kinds=[NotificationKind.ACTION_OVERDUE], daily_digest=False
    )

    services.notify(recipients=[ana], kind=NotificationKind.ACTION_OVERDUE, message="Overdue.")
    services.notify(recipients=[ana], kind=NotificationKind.REFERRAL_SHARED, message="Shared.")

    assert EmailDelivery.objects.count() == 1
    assert EmailDelivery.objects.get().notification.kind == NotificationKind.ACTION_OVERDUE


def test_an_email_names_no_child_and_its_subject_is_marked(ana, demo_referrals):
    referral = demo_referrals["referrals"]["FEN-2026-0001"]
    child = referral.child
    services.notify(
        recipients=[ana],
        kind=NotificationKind.ACTION_ASSIGNED,
        message=f"An action on referral {referral.reference} was assigned to you.",
        referral=referral,
    )

    services.send_due_emails()

    # The demo's own notifications send emails too; this one is Ana's.
    [email] = [message for message in mail.outbox if message.to == [ana.email]]
    assert email.subject.startswith("OFFICIAL-SENSITIVE")
    text = email.subject + email.body
    for identifying in (child.first_name, child.last_name, str(child.date_of_birth.year)):
        assert identifying not in text
    assert referral.reference in text
    assert f"/referrals/{referral.pk}/" in email.body


class FailingBackend:
    """An SMTP relay that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("relay unavailable")

    def open(self):
        return True

    def close(self):
        return None


def test_an_smtp_failure_leaves_the_email_queued_for_retry(ana, settings):
    services.notify(recipients=[ana], kind=NotificationKind.ACTION_OVERDUE, message="Overdue.")
    settings.EMAIL_BACKEND = "tests.notifications.test_notify_and_email.FailingBackend"

    counts = services.send_due_emails()

    delivery = EmailDelivery.objects.get()
    assert counts == {"sent": 0, "failed": 1}
    assert delivery.status == DeliveryStatus.FAILED
    assert "relay unavailable" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.send_due_emails(now=timezone.now() + timedelta(hours=1))

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_a_daily_digest_sends_one_email_with_every_item(ana):
    services.preferences_save(
        user=ana, email_kinds=[NotificationKind.ACTION_OVERDUE], daily_digest=True
    )
    for number in (1, 2, 3):
        services.notify(
            recipients=[ana], kind=NotificationKind.ACTION_OVERDUE, message=f"Action {number}."
        )

    assert services.send_due_emails() == {"sent": 0, "failed": 0}
    assert services.send_daily_digests(now=timezone.now() + timedelta(days=1)) == 1

    [digest] = mail.outbox
    assert "3 items" in digest.subject
    assert all(f"Action {n}." in digest.body for n in (1, 2, 3))
    assert services.send_daily_digests(now=timezone.now() + timedelta(days=2)) == 0


def test_marking_read_touches_only_the_persons_own_notifications(ana):
    bob = UserFactory(username="bob")
    [anas] = services.notify(recipients=[ana], kind=NotificationKind.ACTION_ASSIGNED, message="A")
    [bobs] = services.notify(recipients=[bob], kind=NotificationKind.ACTION_ASSIGNED, message="B")

    services.notifications_mark_read(user=ana, ids=[anas.pk, bobs.pk])

    assert services.unread_count(user=ana) == 0
    assert services.unread_count(user=bob) == 1
