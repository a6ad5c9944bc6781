"""Publishing to the channel layer after commit. Only services publish.

The payload is built before commit and `on_commit` only sends it, so a rolled-back change
rings no doorbell. A lost doorbell loses nothing: pages read the database for what changed.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def publish_on_commit(*, groups: list[str], message: dict) -> None:
    groups = list(groups)
    payload = dict(message)
    transaction.on_commit(lambda: publish_now(groups=groups, message=payload))


def publish_now(*, groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # Inside daphne this runs on the server's own event loop and its Redis connections.
        async_to_sync(_send_all)(layer, groups, message)
    except Exception:  # the record is committed; a missed doorbell is caught up on reload
        logger.exception("Could not publish %s to %d groups", message.get("type"), len(groups))


async def _send_all(layer, groups, message):
    for group in groups:
        await layer.group_send(group, message)
