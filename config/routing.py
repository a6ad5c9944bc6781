"""WebSocket routes. Every route needs its rows in tests/agencies/test_access_matrix.py.

`websocket_application` is what config/asgi.py serves: the routes, then a catch-all that
refuses any other path at the handshake (close 4404; daphne answers the handshake with 403),
rather than URLRouter's "No route found" error (an HTTP 500).
"""

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path, re_path

from notifications.consumers import NotificationConsumer
from panels.consumers import MeetingConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi(), name="ws-notifications"),
    path("ws/meetings/<int:meeting_id>/", MeetingConsumer.as_asgi(), name="ws-meeting"),
]


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Any other path: refused before anything is read or joined."""

    async def connect(self):
        await self.close(code=4404)


websocket_application = URLRouter(
    [*websocket_urlpatterns, re_path(r"", UnknownPathConsumer.as_asgi())]
)
