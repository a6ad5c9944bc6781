"""Fan-out of a meeting room's group messages inside one daphne process.

Rather than every socket joining the room's channel-layer group (with channels-redis, each
doorbell is then unpacked into one queue per socket and each socket's receive loop wakes),
the first socket of a meeting in a process starts one listener: its own channel joins the
group, and each message it receives is handed to the process's sockets of that meeting
directly. One subscription per process per meeting, however many sockets it holds.

The listener re-joins the group every REJOIN_SECONDS (a restarted Redis has forgotten it)
and survives channel-layer errors by waiting and trying again; the sockets read from the
database whatever they missed meanwhile (see panels.consumers).
"""

import asyncio
import contextlib
import logging
import weakref

from channels.layers import get_channel_layer

from panels.events import meeting_group

logger = logging.getLogger(__name__)

REJOIN_SECONDS = 30
RETRY_SECONDS = 1
JOIN_TIMEOUT_SECONDS = 10

# Per event loop (a test runs each in a loop of its own): meeting id -> its room here.
_rooms_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _Room]]" = (
    weakref.WeakKeyDictionary()
)


class _Room:
    def __init__(self, meeting_id: int):
        self.meeting_id = meeting_id
        self.group = meeting_group(meeting_id)
        self.sockets: set = set()
        self.channel: str | None = None
        self.joined = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    async def listen(self) -> None:
        layer = get_channel_layer()
        while True:
            try:
                if self.channel is None:
                    # The default prefix: channels-redis reads every process-specific channel
                    # from one key per process, shared by all of them.
                    self.channel = await layer.new_channel()
                    await layer.group_add(self.group, self.channel)
                    self.joined.set()
                message = await layer.receive(self.channel)
                await self.hand_out(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Meeting %s: the room's listener failed", self.meeting_id)
                await asyncio.sleep(RETRY_SECONDS)

    async def rejoin(self) -> None:
        layer = get_channel_layer()
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            if self.channel is None:
                continue
            try:
                await layer.group_add(self.group, self.channel)
            except Exception:
                logger.exception("Meeting %s: could not re-join the group", self.meeting_id)

    async def hand_out(self, message: dict) -> None:
        kind = message.get("type")
        for socket in list(self.sockets):
            handler = socket.room_handlers.get(kind)
            if handler is None:
                continue
            if socket.busy():
                # Queued behind what the socket is doing; its sequence check keeps order.
                asyncio.ensure_future(handler(message))
                continue
            try:
                await handler(message)
            except Exception:
                logger.exception("Meeting %s: a socket failed a message", self.meeting_id)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.channel is not None:
            with contextlib.suppress(Exception):
                await get_channel_layer().group_discard(self.group, self.channel)


def _rooms() -> dict[int, _Room]:
    loop = asyncio.get_running_loop()
    if loop not in _rooms_by_loop:
        _rooms_by_loop[loop] = {}
    return _rooms_by_loop[loop]


async def join(meeting_id: int, socket) -> None:
    """Hand this meeting's messages to `socket` from now on. Returns once the process's
    listener is in the group, so nothing published afterwards can be missed."""
    rooms = _rooms()
    room = rooms.get(meeting_id)
    if room is None:
        room = rooms[meeting_id] = _Room(meeting_id)
        room.tasks = [asyncio.ensure_future(room.listen()), asyncio.ensure_future(room.rejoin())]
    room.sockets.add(socket)
    try:
        await asyncio.wait_for(room.joined.wait(), timeout=JOIN_TIMEOUT_SECONDS)
    except TimeoutError:
        await leave(meeting_id, socket)
        raise


async def leave(meeting_id: int, socket) -> None:
    """Stop handing messages to `socket`; the last socket of a meeting ends its listener."""
    rooms = _rooms()
    room = rooms.get(meeting_id)
    if room is None:
        return
    room.sockets.discard(socket)
    if not room.sockets:
        del rooms[meeting_id]
        await room.close()


def sockets_in(meeting_id: int) -> int:
    room = _rooms().get(meeting_id)
    return len(room.sockets) if room else 0
