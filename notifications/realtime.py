"""Publishing to the channel layer after commit. Only services publish.

The payload is built before commit and `on_commit` only sends it, so a rolled-back change
rings no doorbell. A lost doorbell loses nothing: pages read the database for what changed.

The doorbell never holds up the thread that committed (in daphne, the one thread that runs
every socket's database work): inside a server it is handed to the server's event loop and
its Redis connections, and the thread goes on at once; outside one (a management command, a
test) it is sent before returning. Either way a send gets at most
`CHANNEL_LAYER_PUBLISH_TIMEOUT_SECONDS` (0.25 s): a slow or paused Redis costs a doorbell,
which the sockets make good from the database, never a command's acknowledgement.
"""

import asyncio
import logging
import os

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# Sends still under way, so that the loop does not drop them half-way (it keeps only weak
# references to tasks).
_sending: set[asyncio.Task] = set()


def publish_timeout() -> float:
    return getattr(settings, "CHANNEL_LAYER_PUBLISH_TIMEOUT_SECONDS", 0.25)


def publish_on_commit(*, groups: list[str], message: dict) -> None:
    groups = list(groups)
    payload = dict(message)
    transaction.on_commit(lambda: publish_now(groups=groups, message=payload))


def publish_now(*, groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _server_loop()
    if loop is not None:
        loop.call_soon_threadsafe(_start_sending, layer, list(groups), message)
        return
    try:
        async_to_sync(_send_all)(layer, groups, message)
    except Exception:  # the record is committed; a missed doorbell is caught up on reload
        logger.exception("Could not publish %s to %d groups", message.get("type"), len(groups))


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the server this thread works for (asgiref notes it in each thread
    that runs sync code for async code); None outside one."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def _start_sending(layer, groups, message) -> None:
    task = asyncio.ensure_future(_send_all(layer, groups, message))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def _send_all(layer, groups, message) -> None:
    try:
        async with asyncio.timeout(publish_timeout()):
            for group in groups:
                await layer.group_send(group, message)
    except Exception as exc:  # TimeoutError included: the doorbell is lost, nothing else
        logger.warning(
            "Could not publish %s to %d groups within %.2f s: %r",
            message.get("type"),
            len(groups),
            publish_timeout(),
            exc,
        )
        _tell_layer_watch()


def _tell_layer_watch() -> None:
    from agencies.layer_watch import layer_watch

    layer_watch().failed()
