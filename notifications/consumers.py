"""The person's own notification stream at /ws/notifications/.

The stream needs only a live session (as the notifications page needs only a signed-in
person): it checks the session again when told (`access.recheck`), on its process's tick
(about every NOTIFICATION_SOCKET_TICK_SECONDS, with every other socket of the process:
agencies.socket_ticks) and at the session's expiry moment, and closes with 4401 once
the session no longer signs the person in (agencies.sockets.SocketAccessWatch). Like the
meeting room, connecting, each command and each check is one `access.scope()`, and a frame
that is binary or not a JSON object, or a refresh beyond the connection's small budget, is
answered with an `error` and the stream stays up. A channel-layer outage does not close it
either (agencies.layer_watch): when the layer is back it joins its groups again and sends the
count read from the database, so a doorbell lost meanwhile costs nothing.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

import access
from agencies.layer_watch import SurvivesLayerOutage, layer_call
from agencies.socket_frames import JsonFramesMixin, bucket
from agencies.sockets import SocketAccessWatch
from notifications import services
from notifications.groups import user_group


def tick_seconds() -> float:
    return getattr(settings, "NOTIFICATION_SOCKET_TICK_SECONDS", 30)


class NotificationConsumer(
    JsonFramesMixin, SurvivesLayerOutage, SocketAccessWatch, AsyncJsonWebsocketConsumer
):
    """Joins only the signed-in person's own group: there is no way to name anyone else's.
    Anonymous people are refused at the handshake."""

    async def connect(self):
        self.message_budget = bucket(
            "NOTIFICATION_SOCKET_MESSAGE_RATE", "NOTIFICATION_SOCKET_MESSAGE_BURST", rate=1, burst=5
        )
        user = self.scope.get("user")
        self.group_name = None
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.group_name = user_group(user.pk)
        # Both groups before the check: nothing rung from here on is missed.
        await self.join_access_group()
        await self._join_own_group()
        opened = await self._open()
        if opened is None:
            await self._leave_groups()
            await self.close(code=4401)
            return
        await self.accept()
        await self.send_json({"type": "unread", "count": opened["unread"]})
        self.watch_layer()
        self.watch_access(opened["expires_at"])

    async def disconnect(self, code):
        self.cancel_access_tasks()
        self.unwatch_layer()
        await self._leave_groups()

    async def layer_back(self):
        """Redis forgot the groups, and doorbells were lost meanwhile."""
        if self.group_name and not self.access_closed:
            await self.join_access_group()
            await self._join_own_group()
            await self.send_unread()

    async def _join_own_group(self):
        await layer_call(
            self.channel_layer.group_add, self.group_name, self.channel_name, what="Joining"
        )

    async def receive_json(self, content, **kwargs):
        if not self.message_budget.take():
            await self.send_json({"type": "error", "message": "Too many messages: wait a moment."})
            return
        if content.get("type") == "refresh":
            await self.send_unread()
            return
        await self.send_json({"type": "error", "message": "Unknown command."})

    async def notification_doorbell(self, event):
        """Something changed: read the count from the database (the record), not the bell."""
        if self.access_closed:
            return
        if "unread" in event:
            # A bell that carries its own figure (sent by another process) is passed on as is.
            await self.send_json({"type": "doorbell", "unread": event.get("unread")})
            return
        await self.send_unread()

    async def send_unread(self):
        await self.send_json({"type": "unread", "count": await self._unread()})

    # --- Access ended (agencies.sockets.SocketAccessWatch) ----------------------------------

    def tick_seconds(self) -> float:
        return tick_seconds()

    def may_stay(self, user, *, ticking: bool) -> bool:
        """The person's own stream: a live session is all it needs."""
        return True

    @classmethod
    def may_stay_together(cls, asks, *, ticking: bool) -> set:
        """Every stream whose session still signs its person in (checked before): the
        process's tick asks nothing more of the database."""
        return {socket for socket, _ in asks}

    async def access_ended(self, *, signed_out: bool):
        await self._leave_groups()
        await self.close(code=4401 if signed_out else 4403)

    async def _leave_groups(self):
        if self.group_name:
            await layer_call(
                self.channel_layer.group_discard, self.group_name, self.channel_name, what="Leaving"
            )
            self.group_name = None
        await self.leave_access_group()

    @database_sync_to_async
    @access.scope()
    def _open(self) -> dict | None:
        """The session's check and the unread count, in one trip; None when signed out."""
        session = self.session_still_signs_in()
        if session.user is None:
            return None
        return {
            "unread": services.unread_count(user=session.user),
            "expires_at": session.expires_at,
        }

    @database_sync_to_async
    @access.scope()
    def _unread(self) -> int:
        return services.unread_count(user=self.user)
