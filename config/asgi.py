"""ASGI entry point: HTTP and WebSocket in one daphne process."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.garbage_collection import tune_for_long_running_process  # noqa: E402
from config.routing import websocket_application  # noqa: E402
from config.startup import require_backing_services  # noqa: E402

if os.environ.get("SKIP_STARTUP_CHECKS", "") != "1":
    require_backing_services()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(websocket_application)),
    }
)

# The process now holds everything it loads once; later sockets come and go.
tune_for_long_running_process()
