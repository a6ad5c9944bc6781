"""WebSocket routes. Every route needs its rows in tests/agencies/test_access_matrix.py."""

from django.urls import path

from notifications.consumers import NotificationConsumer
from panels.consumers import MeetingConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi(), name="ws-notifications"),
    path("ws/meetings/<int:meeting_id>/", MeetingConsumer.as_asgi(), name="ws-meeting"),
]
