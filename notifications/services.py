"""Every write about notifications. The row is the record; the socket only rings a doorbell."""

from collections.abc import Iterable

from django.db import transaction

from notifications import realtime
from notifications.groups import user_group
from notifications.models import Notification


def notify(*, recipients: Iterable, kind: str, message: str, referral=None) -> list[Notification]:
    """Create one notification per recipient and ring their sockets after commit.

    Callers pass recipients chosen by the access policy; the message carries no
    child-identifying detail, only a reference and what happened.
    """
    notifications = Notification.objects.bulk_create(
        [
            Notification(recipient=recipient, kind=kind, message=message, referral=referral)
            for recipient in recipients
        ]
    )
    groups = [user_group(n.recipient_id) for n in notifications]
    if groups:
        realtime.publish_on_commit(groups=groups, message={"type": "notification.doorbell"})
    return notifications


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable[int]) -> int:
    from django.utils import timezone

    return Notification.objects.filter(
        recipient=user, pk__in=list(ids), read_at__isnull=True
    ).update(read_at=timezone.now())
