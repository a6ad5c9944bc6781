"""Checks run once when a server process starts: fail fast, in one line, naming the variable."""

import sys

from config import health


def require_backing_services() -> None:
    """Exit with one clear line if the database or the channel layer cannot be reached."""
    for result in (health.check_database(), health.check_channel_layer()):
        if not result.ok:
            sys.stderr.write(
                f"Safeguarding Panels cannot start: cannot reach the {result.name} "
                f"named by {result.variable}: {result.detail}\n"
            )
            raise SystemExit(2)
