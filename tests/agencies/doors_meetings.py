"""Rows of the access matrix for panels and the meeting room (pages and WebSocket).

In the world, panel P's next meeting invites its chair and member_p (agency B, a member
agency of P). member_q sits on another panel; the coordinator has no seat on P.
"""

from tests.agencies.matrix import SIGNED_IN, everyone, only

ROOM = {"chair": 200, "member_p": 200}

MEETING_DOORS = {
    "panels:meeting-list": ("get", lambda w: "/meetings/", None, everyone(200)),
    "panels:meeting": ("get", lambda w: f"/meetings/{w.meeting.pk}/", None, only(ROOM)),
    # An unknown command: refused with a message even for the chair, so nothing changes.
    "panels:meeting-command": (
        "post",
        lambda w: f"/meetings/{w.meeting.pk}/commands/",
        {"command": "no_such_command"},
        only({"chair": 302}, knowers=["member_p"]),
    ),
    # The changing part of the room, for its script: the room's own access.
    "panels:meeting-live": ("get", lambda w: f"/meetings/{w.meeting.pk}/live/", None, only(ROOM)),
    # Closing asks first; the page is the runners' alone.
    "panels:meeting-close": (
        "get",
        lambda w: f"/meetings/{w.meeting.pk}/close/",
        None,
        only({"chair": 200}, knowers=["member_p"]),
    ),
    # Listing a case or a theme on the agenda: the runners alone.
    "agenda:add": (
        "get",
        lambda w: f"/meetings/{w.meeting.pk}/agenda/add/",
        None,
        only({"chair": 200}, knowers=["member_p"]),
    ),
    "panels:panel": ("get", lambda w: f"/panels/{w.meeting.panel_id}/", None, only(ROOM)),
    # Panel P has no meeting cycle: refused with a message even for the chair.
    "panels:panel-schedule": (
        "post",
        lambda w: f"/panels/{w.meeting.panel_id}/schedule/",
        {},
        only({"chair": 302}, knowers=["member_p"]),
    ),
}

MEETING_WEBSOCKET_DOORS = {
    # Only the invited people whom the policy allows get past the handshake.
    "ws-meeting": (
        lambda w: f"/ws/meetings/{w.meeting.pk}/?last_seq=0",
        dict.fromkeys(SIGNED_IN, False) | {"anonymous": False, "chair": True, "member_p": True},
    ),
}
