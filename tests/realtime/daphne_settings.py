"""Settings of the daphne processes the fault tests start: the project's own, with the
socket's tick and the presence beat short enough to watch (from the environment)."""

import os

from config.settings import *  # noqa: F403

MEETING_SOCKET_TICK_SECONDS = float(os.environ.get("TEST_MEETING_SOCKET_TICK_SECONDS", "30"))
MEETING_PRESENCE_BEAT_SECONDS = float(os.environ.get("TEST_MEETING_PRESENCE_BEAT_SECONDS", "10"))
