"""Rows of the access matrix for the notification pages: each person reaches only their own."""

from tests.agencies.matrix import everyone

NOTIFICATION_DOORS = {
    "notifications:list": ("get", lambda w: "/notifications/", None, everyone(200)),
    "notifications:mark-read": ("post", lambda w: "/notifications/read/", {}, everyone(302)),
    "notifications:preferences": (
        "get",
        lambda w: "/notifications/preferences/",
        None,
        everyone(200),
    ),
}
