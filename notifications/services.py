"""Every write about notifications. The row is the record; the socket only rings a doorbell,
and email goes through a recorded delivery that is retried until it is sent."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import realtime
from notifications.groups import user_group
from notifications.models import (
    DEFAULT_EMAIL_KINDS,
    DeliveryStatus,
    EmailDelivery,
    Notification,
    NotificationKind,
    NotificationPreferences,
)

logger = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 20
SUBJECT_MARKING = "OFFICIAL-SENSITIVE"


def preferences_for(user) -> NotificationPreferences:
    preferences = NotificationPreferences.objects.filter(user=user).first()
    return preferences or NotificationPreferences(user=user, email_kinds=list(DEFAULT_EMAIL_KINDS))


def notify(
    *,
    recipients: Iterable,
    kind: str,
    message: str,
    referral=None,
    link: str = "",
    dedupe_key: str | None = None,
    email_required: bool = False,
    attachment=None,
) -> list[Notification]:
    """One notification per recipient, an email queued where they want one, and their
    sockets rung after commit.

    Callers pass recipients chosen by the access policy; the message carries no
    child-identifying detail, only a reference and what happened. With a `dedupe_key`
    (reminders), a notification that exists already is not made again. `email_required`
    (the board's papers) sends the email whatever the person's preferences, at once, with
    `attachment` (a MinutesDocument) attached when given.
    """
    made = []
    for recipient in recipients:
        key = f"{dedupe_key}:{recipient.pk}" if dedupe_key else None
        if key and Notification.objects.filter(dedupe_key=key).exists():
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    message=message,
                    referral=referral,
                    link=link or (f"/referrals/{referral.pk}/" if referral else ""),
                    dedupe_key=key,
                )
        except IntegrityError:
            # Another copy of the reminder job made this one a moment ago.
            continue
        preferences = preferences_for(recipient)
        if recipient.email and email_required:
            EmailDelivery.objects.create(
                notification=notification,
                attachment=attachment,
                next_attempt_at=notification.created_at,
            )
        elif recipient.email and preferences.wants_email(kind):
            EmailDelivery.objects.create(
                notification=notification,
                digest=preferences.daily_digest,
                next_attempt_at=next_digest_time()
                if preferences.daily_digest
                else notification.created_at,
            )
        made.append(notification)
    groups = sorted({user_group(n.recipient_id) for n in made})
    if groups:
        realtime.publish_on_commit(groups=groups, message={"type": "notification.doorbell"})
    return made


DIGEST_HOUR = 7


def next_digest_time(now=None):
    """Digests go out at 07:00 London time, the next one after `now`."""
    now = timezone.localtime(now or timezone.now())
    at = now.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic(durable=True)
def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the person's own notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    count = unread.update(read_at=timezone.now())
    if count:
        realtime.publish_on_commit(
            groups=[user_group(user.pk)], message={"type": "notification.doorbell"}
        )
    return count


@transaction.atomic(durable=True)
def notification_open(*, user, notification_id: int) -> Notification | None:
    """The person opens one of their own notifications: it is read from now on. None when it
    is not theirs (or does not exist): the caller answers the same 404 for both."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        realtime.publish_on_commit(
            groups=[user_group(user.pk)], message={"type": "notification.doorbell"}
        )
    return notification


def notifications_mark_done(*, kinds: Iterable[str], link: str) -> int:
    """The task these notifications asked for is done (called by the service that did it, in
    its transaction): each is marked done, and read, for everyone who was asked. Rung to their
    headers after commit."""
    now = timezone.now()
    waiting = Notification.objects.filter(kind__in=list(kinds), link=link, done_at__isnull=True)
    recipients = sorted(set(waiting.values_list("recipient_id", flat=True)))
    if not recipients:
        return 0
    waiting.filter(read_at__isnull=True).update(read_at=now)
    count = Notification.objects.filter(
        kind__in=list(kinds), link=link, done_at__isnull=True
    ).update(done_at=now)
    realtime.publish_on_commit(
        groups=[user_group(pk) for pk in recipients], message={"type": "notification.doorbell"}
    )
    return count


@transaction.atomic(durable=True)
def preferences_save(
    *, user, email_kinds: list[str], daily_digest: bool
) -> NotificationPreferences:
    valid = [kind for kind in email_kinds if kind in NotificationKind.values]
    preferences, _ = NotificationPreferences.objects.update_or_create(
        user=user, defaults={"email_kinds": valid, "daily_digest": daily_digest}
    )
    return preferences


def email_subject(notification: Notification) -> str:
    reference = f" — {notification.referral.reference}" if notification.referral_id else ""
    return f"{SUBJECT_MARKING}: {notification.get_kind_display()}{reference}"


def email_body(notifications: list[Notification]) -> str:
    lines = []
    for notification in notifications:
        lines += [
            f"{notification.get_kind_display()}",
            f"  {notification.message}",
            f"  Sign in to see it: {settings.SITE_URL.rstrip('/')}{notification.link or '/'}",
            "",
        ]
    lines += [
        "This email is OFFICIAL-SENSITIVE. It names no child: sign in to Safeguarding Panels",
        "to see the case. If you received it in error, tell the sender and delete it.",
    ]
    return "\n".join(lines)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 360))


def send_due_emails(*, now=None, limit: int = 200) -> dict[str, int]:
    """Send queued and retry failed emails that are due; safe to run in several copies at
    once (each delivery is locked while it is sent, and skipped by the others)."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0}
    connection = get_connection()
    for _ in range(limit):
        with transaction.atomic():
            delivery = (
                EmailDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("notification__recipient", "notification__referral")
                .filter(
                    status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED],
                    next_attempt_at__lte=now,
                    digest=False,
                )
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if delivery is None:
                break
            notification = delivery.notification
            message = EmailMessage(
                subject=email_subject(notification),
                body=email_body([notification]),
                to=[notification.recipient.email],
                connection=connection,
            )
            if delivery.attachment_id:
                document = delivery.attachment
                message.attach(document.filename, bytes(document.pdf), "application/pdf")
            _send(delivery, message, now=now, counts=counts)
    return counts


def _send(delivery: EmailDelivery, message: EmailMessage, *, now, counts) -> None:
    delivery.attempts += 1
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # any transport failure: record it and try again later
        delivery.status = (
            DeliveryStatus.GAVE_UP
            if delivery.attempts >= MAX_EMAIL_ATTEMPTS
            else DeliveryStatus.FAILED
        )
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
        delivery.next_attempt_at = now + _backoff(delivery.attempts)
        counts["failed"] += 1
        logger.warning("Email for notification %s failed: %s", delivery.notification_id, exc)
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        counts["sent"] += 1
    delivery.save(update_fields=["attempts", "status", "last_error", "next_attempt_at", "sent_at"])


def send_daily_digests(*, now=None) -> int:
    """One email a person with everything queued for their digest; each item once."""
    now = now or timezone.now()
    sent = 0
    recipients = (
        EmailDelivery.objects.filter(
            digest=True,
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED],
            next_attempt_at__lte=now,
        )
        .values_list("notification__recipient_id", flat=True)
        .distinct()
    )
    for recipient_id in list(recipients):
        with transaction.atomic():
            deliveries = list(
                EmailDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("notification__recipient", "notification__referral")
                .filter(
                    digest=True,
                    notification__recipient_id=recipient_id,
                    status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED],
                    next_attempt_at__lte=now,
                )
            )
            if not deliveries:
                continue
            recipient = deliveries[0].notification.recipient
            message = EmailMessage(
                subject=f"{SUBJECT_MARKING}: your daily summary ({len(deliveries)} items)",
                body=email_body([d.notification for d in deliveries]),
                to=[recipient.email],
            )
            try:
                message.send(fail_silently=False)
            except Exception as exc:
                for delivery in deliveries:
                    delivery.attempts += 1
                    delivery.status = DeliveryStatus.FAILED
                    delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    delivery.next_attempt_at = now + _backoff(delivery.attempts)
                    delivery.save(
                        update_fields=["attempts", "status", "last_error", "next_attempt_at"]
                    )
                continue
            for delivery in deliveries:
                delivery.attempts += 1
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = now
                delivery.save(update_fields=["attempts", "status", "sent_at"])
            sent += 1
    return sent
