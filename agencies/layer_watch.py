"""Is the channel layer (Redis) answering? One watch per process (per event loop).

Every socket reads its own channel-layer channel, and each meeting room's listener its own
(panels.fanout). When Redis restarts or hangs those reads fail, and channels' consumer loop
would re-raise the failure and take the socket down (close 1011). Instead a socket reads its
channel through `SurvivesLayerOutage`: a failed read tells the watch, and the read waits
until the layer is back; meanwhile the socket keeps serving its client from the database.

While anyone subscribes, the watch asks Redis for its `run_id` every
`CHANNEL_LAYER_PROBE_SECONDS` (1 s), each answer within as long again: a restart between two
reads (every group forgotten) is noticed as well as an error. The first failure calls every
subscriber's `layer_down()`; the first answer after it, or an answer with a new run_id,
calls `layer_back()`: the room listeners (subscribed `first=True`) re-join their groups
before the sockets are told, so what a socket then reads from the database is not missed.

Channel-layer calls a socket makes itself (joining a group, announcing presence) go through
`layer_call`: at most `CHANNEL_LAYER_CALL_TIMEOUT_SECONDS` (0.5 s), never raising, skipped at
once while the layer is known to be down.
"""

import asyncio
import contextlib
import logging
import weakref

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# After a failed read, wait this long before reading again, even if the probe found the
# layer well (a passing glitch): never a tight loop.
READ_RETRY_SECONDS = 0.5


def probe_seconds() -> float:
    return getattr(settings, "CHANNEL_LAYER_PROBE_SECONDS", 1.0)


def call_timeout() -> float:
    return getattr(settings, "CHANNEL_LAYER_CALL_TIMEOUT_SECONDS", 0.5)


class LayerWatch:
    def __init__(self):
        self.up = asyncio.Event()
        self.up.set()
        self.run_ids: tuple | None = None
        self.first: dict = {}  # subscriber -> None (an ordered set): told before the rest
        self.rest: dict = {}
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None

    @property
    def healthy(self) -> bool:
        return self.up.is_set()

    def subscribe(self, subscriber, *, first: bool = False) -> None:
        (self.first if first else self.rest)[subscriber] = None
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._watch())
            self.task.set_name("channel layer watch")

    def unsubscribe(self, subscriber) -> None:
        self.first.pop(subscriber, None)
        self.rest.pop(subscriber, None)
        if not self.first and not self.rest and self.task is not None:
            self.task.cancel()
            self.task = None
            self.up.set()  # nobody is waiting; the next subscriber finds out afresh
            self.run_ids = None

    def failed(self) -> None:
        """A call to the layer failed: probe now rather than at the next beat."""
        self.wake.set()

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=probe_seconds())
            self.wake.clear()
            run_ids = await _probe()
            if run_ids is None:
                if self.up.is_set():
                    logger.warning("The channel layer does not answer: live updates paused")
                    self.up.clear()
                    await self._tell("layer_down")
                continue
            restarted = self.run_ids is not None and run_ids != self.run_ids
            self.run_ids = run_ids
            if not self.up.is_set() or restarted:
                logger.warning("The channel layer answers again: re-joining groups")
                self.up.set()
                await self._tell("layer_back")

    async def _tell(self, what: str) -> None:
        for group in (self.first, self.rest):
            calls = [getattr(subscriber, what)() for subscriber in list(group)]
            for outcome in await asyncio.gather(*calls, return_exceptions=True):
                if isinstance(outcome, Exception):
                    logger.error("A subscriber failed %s", what, exc_info=outcome)


async def _probe() -> tuple | None:
    """The run_id of each Redis behind the layer; () for a layer with nothing to ask (in
    memory); None when one does not answer in time."""
    layer = get_channel_layer()
    connection = getattr(layer, "connection", None)
    ring_size = getattr(layer, "ring_size", None)
    if connection is None or ring_size is None:
        return ()
    try:
        run_ids = []
        for index in range(ring_size):
            info = await asyncio.wait_for(connection(index).info("server"), probe_seconds())
            run_ids.append(info.get("run_id"))
        return tuple(run_ids)
    except asyncio.CancelledError:
        raise
    except Exception:
        return None


_watches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LayerWatch]" = (
    weakref.WeakKeyDictionary()
)


def layer_watch() -> LayerWatch:
    """This process's watch (one per event loop: a test runs each in a loop of its own)."""
    loop = asyncio.get_running_loop()
    if loop not in _watches:
        _watches[loop] = LayerWatch()
    return _watches[loop]


async def layer_call(call, *args, what: str = "a channel-layer call") -> bool:
    """Run `call(*args)` on the layer within the call timeout; False (logged, the watch told)
    when it fails, times out, or the layer is known to be down."""
    watch = layer_watch()
    if not watch.healthy:
        return False
    try:
        await asyncio.wait_for(call(*args), timeout=call_timeout())
        return True
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        logger.warning("%s failed: %r", what, exc)
        watch.failed()
        return False


class SurvivesLayerOutage:
    """Mixin for a channels consumer (before the channels class): its own channel is read
    through the watch, so a failing layer pauses the socket instead of crashing it.

    The consumer calls `watch_layer()` once accepted; the watch then calls its
    `layer_down()` and `layer_back()` (both optional here); it is unsubscribed when the
    consumer ends, however it ends."""

    layer_watched = False

    # channels' AsyncConsumer.__call__ assigns the layer's receive to `channel_receive` and
    # reads it straight back into its dispatch loop: hand it the surviving read instead.
    @property
    def channel_receive(self):
        return self._receive_surviving_outage

    @channel_receive.setter
    def channel_receive(self, receive):
        self._layer_receive = receive

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.unwatch_layer()

    def watch_layer(self) -> None:
        if not self.layer_watched:
            self.layer_watched = True
            layer_watch().subscribe(self)

    def unwatch_layer(self) -> None:
        if self.layer_watched:
            self.layer_watched = False
            with contextlib.suppress(RuntimeError):  # no running loop: nothing to leave
                layer_watch().unsubscribe(self)

    async def layer_down(self) -> None:
        return None

    async def layer_back(self) -> None:
        return None

    async def _receive_surviving_outage(self):
        watch = layer_watch()
        while True:
            await watch.up.wait()
            try:
                return await self._layer_receive()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("A %s could not read its channel: %r", type(self).__name__, exc)
                watch.failed()
                await asyncio.sleep(READ_RETRY_SECONDS)
