"""Fan-out of a meeting room's group messages inside one daphne process, and the process's
presence beat.

Rather than every socket joining the room's channel-layer group (with channels-redis, each
doorbell is then unpacked into one queue per socket and each socket's receive loop wakes),
the first socket of a meeting in a process starts one listener: its own channel joins the
group, and each message it receives is handed to the process's sockets of that meeting
directly. One subscription per process per meeting, however many sockets it holds.

Through a channel-layer outage (agencies.layer_watch) the listener waits, and reads the
meeting's last number from the database every POLL_SECONDS (one query per meeting per
process): a socket behind it reads its missing rows, so pages keep up while live updates
are paused. When the layer is back the listener re-joins its group at once (before the
sockets are told), and each socket behind reads what it missed. Without an outage it still
re-joins every REJOIN_SECONDS, in case a doorbell of the watch's own was missed.

Presence (`MeetingPresence`) is written per process, not per socket: every
`MEETING_PRESENCE_BEAT_SECONDS` (10 s) one transaction marks this process's open sockets as
seen and deletes the rows no process has seen for PRESENCE_MISSED_BEATS beats (their
process died), and the rooms that lost someone hear who is connected now. A closing socket
does not go to the database itself: its row joins the process's batch of leavers, deleted
LEAVE_BATCH_SECONDS later in one transaction with every other socket that closed meanwhile,
and each room that lost a person hears it once. A thousand sockets closing together (a
meeting ending, a process restarting) are then a few transactions, not a thousand trips on
the process's one database thread (which made daphne give up waiting for their handlers).
"""

import asyncio
import contextlib
import logging
import weakref
from datetime import timedelta

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from agencies.layer_watch import layer_call, layer_watch
from panels import selectors, services
from panels.events import meeting_group

logger = logging.getLogger(__name__)

REJOIN_SECONDS = 30
RETRY_SECONDS = 1
POLL_SECONDS = 1
JOIN_TIMEOUT_SECONDS = 2
PRESENCE_MISSED_BEATS = 3
LEAVE_BATCH_SECONDS = 0.1


def presence_beat_seconds() -> float:
    return getattr(settings, "MEETING_PRESENCE_BEAT_SECONDS", 10)


class _Room:
    def __init__(self, meeting_id: int):
        self.meeting_id = meeting_id
        self.group = meeting_group(meeting_id)
        self.sockets: set = set()
        self.channel: str | None = None
        self.in_group = False
        self.joined = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self.tasks = [
            asyncio.ensure_future(self.listen()),
            asyncio.ensure_future(self.rejoin()),
            asyncio.ensure_future(self.poll_while_down()),
        ]
        layer_watch().subscribe(self, first=True)

    async def listen(self) -> None:
        layer = get_channel_layer()
        watch = layer_watch()
        while True:
            try:
                await watch.up.wait()
                if self.channel is None:
                    # The default prefix: channels-redis reads every process-specific channel
                    # from one key per process, shared by all of them.
                    self.channel = await layer.new_channel()
                if not self.in_group:
                    await self.join_group()
                message = await layer.receive(self.channel)
                await self.hand_out(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("Meeting %s: the room's listener failed: %r", self.meeting_id, exc)
                self.in_group = False
                watch.failed()
                await asyncio.sleep(RETRY_SECONDS)

    async def join_group(self) -> None:
        await asyncio.wait_for(
            get_channel_layer().group_add(self.group, self.channel), timeout=JOIN_TIMEOUT_SECONDS
        )
        self.in_group = True
        self.joined.set()

    async def rejoin(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            if self.channel is not None and layer_watch().healthy:
                await layer_call(get_channel_layer().group_add, self.group, self.channel)

    async def poll_while_down(self) -> None:
        """While the layer is down, read the meeting's last number and let the sockets
        behind it catch up from the database."""
        watch = layer_watch()
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if not watch.healthy:
                await self.catch_up_sockets()

    async def catch_up_sockets(self) -> None:
        try:
            last_seq = await database_sync_to_async(selectors.meeting_last_seq)(
                meeting_id=self.meeting_id
            )
        except Exception as exc:
            logger.warning("Meeting %s: last number not read: %r", self.meeting_id, exc)
            return
        for socket in list(self.sockets):
            if socket.last_sent < last_seq:
                asyncio.ensure_future(socket.catch_up_quietly())

    # --- agencies.layer_watch -------------------------------------------------------------

    async def layer_down(self) -> None:
        self.in_group = False

    async def layer_back(self) -> None:
        if self.channel is not None:
            try:
                await self.join_group()
            except Exception as exc:
                logger.warning("Meeting %s: could not re-join: %r", self.meeting_id, exc)
                self.in_group = False
        await self.catch_up_sockets()

    # --- Handing messages to the sockets --------------------------------------------------

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
        layer_watch().unsubscribe(self)
        for task in self.tasks:
            task.cancel()
        if self.channel is not None and self.in_group:
            await layer_call(get_channel_layer().group_discard, self.group, self.channel)


class _Process:
    """What one process (one event loop) holds: its rooms and its open sockets' presence."""

    def __init__(self):
        self.rooms: dict[int, _Room] = {}
        self.present: dict[str, int] = {}  # channel name -> meeting id, of open sockets
        self.beat_task: asyncio.Task | None = None
        self.leavers: list[tuple[str, int, int]] = []  # (channel name, meeting id, user id)
        self.leave_task: asyncio.Task | None = None


# Per event loop (a test runs each in a loop of its own).
_processes: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Process]" = (
    weakref.WeakKeyDictionary()
)


def _process() -> _Process:
    loop = asyncio.get_running_loop()
    if loop not in _processes:
        _processes[loop] = _Process()
    return _processes[loop]


def _rooms() -> dict[int, _Room]:
    return _process().rooms


async def join(meeting_id: int, socket) -> bool:
    """Hand this meeting's messages to `socket` from now on. True once the process's
    listener is in the group (nothing published afterwards can be missed); False when the
    layer is down or does not answer within JOIN_TIMEOUT_SECONDS: the socket is still
    handed what comes, and catches up from the database meanwhile."""
    rooms = _rooms()
    room = rooms.get(meeting_id)
    if room is None:
        room = rooms[meeting_id] = _Room(meeting_id)
        room.start()
    room.sockets.add(socket)
    if room.in_group:
        return True
    if not layer_watch().healthy:
        return False
    try:
        await asyncio.wait_for(room.joined.wait(), timeout=JOIN_TIMEOUT_SECONDS)
    except TimeoutError:
        return False
    return room.in_group


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


def is_live(meeting_id: int) -> bool:
    room = _rooms().get(meeting_id)
    return bool(room and room.in_group and layer_watch().healthy)


# --- Presence, one beat per process ----------------------------------------------------------


def present(channel_name: str, meeting_id: int) -> None:
    """An open socket of this process: its presence row is kept fresh by the beat."""
    process = _process()
    process.present[channel_name] = meeting_id
    if process.beat_task is None or process.beat_task.done():
        process.beat_task = asyncio.ensure_future(_beat(process))
        process.beat_task.set_name("meeting presence beat")


def absent(channel_name: str) -> None:
    """The socket closed (or crashed): the beat no longer keeps its row fresh."""
    with contextlib.suppress(RuntimeError):
        process = _process()
        process.present.pop(channel_name, None)
        if not process.present and process.beat_task is not None:
            process.beat_task.cancel()
            process.beat_task = None


def leaving(channel_name: str, meeting_id: int, user_id: int) -> None:
    """A closed socket's presence row goes with the next batch (within LEAVE_BATCH_SECONDS);
    the socket's handler does not wait for the database."""
    process = _process()
    process.leavers.append((channel_name, meeting_id, user_id))
    if process.leave_task is None or process.leave_task.done():
        process.leave_task = asyncio.ensure_future(_remove_leavers(process))
        process.leave_task.set_name("meeting presence leavers")


async def _remove_leavers(process: _Process) -> None:
    while process.leavers:
        await asyncio.sleep(LEAVE_BATCH_SECONDS)
        batch, process.leavers = process.leavers, []
        try:
            lost = await database_sync_to_async(services.presence_leave_many)(leavers=batch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the beat's sweep removes the rows in a few beats
            logger.warning("Presence of %s closed sockets not removed: %r", len(batch), exc)
            continue
        for meeting_id, people in lost.items():
            await announce_presence(meeting_id, people)


async def _beat(process: _Process) -> None:
    while True:
        beat = presence_beat_seconds()
        await asyncio.sleep(beat)
        try:
            lost = await database_sync_to_async(services.presence_beat)(
                channel_names=list(process.present),
                stale_before=timezone.now() - timedelta(seconds=beat * PRESENCE_MISSED_BEATS),
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("Presence not written: %r", exc)
            continue
        for meeting_id, people in lost.items():
            await announce_presence(meeting_id, people)


async def announce_presence(meeting_id: int, people: list[dict]) -> None:
    """Tell the room who is connected: through the group (every process), or, while the
    layer is down, to this process's sockets directly."""
    message = {"type": "meeting.presence", "people": people}
    sent = await layer_call(
        get_channel_layer().group_send, meeting_group(meeting_id), message, what="presence"
    )
    room = _rooms().get(meeting_id)
    if not sent and room is not None:
        await room.hand_out(message)
