"""WebSocket routes. Every route needs its rows in tests/agencies/test_access_matrix.py."""

from django.urls import path

from notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi(), name="ws-notifications"),
]
