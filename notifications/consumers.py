"""The person's own notification stream at /ws/notifications/."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications import services
from notifications.groups import user_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Joins only the signed-in person's own group: there is no way to name anyone else's.
    Anonymous people are refused at the handshake."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_unread()

    async def disconnect(self, code):
        group_name = getattr(self, "group_name", None)
        if group_name:
            await self.channel_layer.group_discard(group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "refresh":
            await self.send_unread()
            return
        await self.send_json({"type": "error", "message": "Unknown command."})

    async def notification_doorbell(self, event):
        """Something changed: read the count from the database (the record), not the bell."""
        if "unread" in event:
            # A bell that carries its own figure (sent by another process) is passed on as is.
            await self.send_json({"type": "doorbell", "unread": event.get("unread")})
            return
        await self.send_unread()

    async def send_unread(self):
        count = await database_sync_to_async(services.unread_count)(user=self.user)
        await self.send_json({"type": "unread", "count": count})
