"""The person's own notification stream at /ws/notifications/."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.groups import user_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Joins only the signed-in person's own group; anonymous people are refused."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        group_name = getattr(self, "group_name", None)
        if group_name:
            await self.channel_layer.group_discard(group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "error", "message": "This stream takes no commands."})

    async def notification_doorbell(self, event):
        """Something new is waiting; the client fetches it (the database is the record)."""
        await self.send_json({"type": "doorbell", "unread": event.get("unread")})
