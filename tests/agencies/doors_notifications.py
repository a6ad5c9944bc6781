"""Rows of the access matrix for the notification pages: each person reaches only their own."""

from notifications.models import Notification, NotificationKind
from tests.agencies.matrix import everyone
from tests.factories import UserFactory


def someone_elses_notification(world) -> Notification:
    """A notification of a person outside every position: nobody else may open it."""
    return Notification.objects.create(
        recipient=UserFactory(),
        kind=NotificationKind.MEETING_INVITATION,
        message="You were invited.",
        link="/meetings/",
    )


NOTIFICATION_DOORS = {
    "notifications:list": ("get", lambda w: "/notifications/", None, everyone(200)),
    "notifications:mark-read": ("post", lambda w: "/notifications/read/", {}, everyone(302)),
    # Opening one's own marks it read (tests/workspaces/test_notifications.py); another's is
    # the same 404 as one that does not exist.
    "notifications:open": (
        "get",
        lambda w: f"/notifications/{someone_elses_notification(w).pk}/",
        None,
        everyone(404),
    ),
    "notifications:preferences": (
        "get",
        lambda w: "/notifications/preferences/",
        None,
        everyone(200),
    ),
}
