"""One tick per process for every open socket (issue 19: idle sockets cost the database
almost nothing).

Every socket that watches its access (agencies.sockets.SocketAccessWatch) registers here
when it is accepted and leaves however it ends (closed, evicted, crashed, cancelled). One
task per process (per event loop) wakes about every tick period, the shortest `tick_seconds()`
of its sockets, each wait 80-120% of it (processes started together do not hit the database
in step), and for the sockets whose own period will have passed by the next wake:

1. re-joins each one's access group (a restarted Redis has forgotten it; a layer known to be
   down is not waited for: its return re-joins them);
2. checks them all in ONE call on the database thread (`check_access`): their sessions in one
   query, the people in one, their devices in one, then each kind of consumer once for all
   of its sockets (a meeting room reads who may join each meeting once, not per socket);
   one read-only transaction, nothing written;
3. ends the sockets that may no longer stay, and runs `on_tick` for the rest, each in the
   socket's own task.

A check that fails (the database) keeps every socket and the next tick asks again. With no
socket left the task ends; the next socket starts it again.
"""

import asyncio
import contextlib
import logging
import math
import random
import weakref

from channels.db import database_sync_to_async

from agencies import sockets as socket_access

logger = logging.getLogger(__name__)

TASK_NAME = "socket ticks"
JITTER = (0.8, 1.2)


class _Ticker:
    """One process's (one event loop's) registry of open sockets, and its tick."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.sockets: dict = {}  # socket -> None: an ordered set
        self.task: asyncio.Task | None = None
        self.wake = asyncio.Event()
        self.deadline = math.inf
        self.timer: asyncio.TimerHandle | None = None

    def add(self, socket) -> None:
        self.sockets[socket] = None
        socket.tick_checked_at = self.loop.time()
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())
            self.task.set_name(TASK_NAME)
            self._wake_in(self._interval())
        elif self.loop.time() + socket.tick_seconds() * JITTER[1] < self.deadline:
            # A socket with a shorter period than the one being slept (settings differ).
            self._wake_in(self._interval())

    def discard(self, socket) -> None:
        self.sockets.pop(socket, None)
        if not self.sockets and self.task is not None:
            if self.task is not asyncio.current_task():
                self.task.cancel()
            self.task = None
            self._wake_in(math.inf)

    def _interval(self) -> float:
        period = min(socket.tick_seconds() for socket in self.sockets)
        return period * random.uniform(*JITTER)  # noqa: S311

    def _wake_in(self, seconds: float) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.deadline = self.loop.time() + seconds
        if seconds != math.inf:
            self.timer = self.loop.call_at(self.deadline, self.wake.set)

    async def _run(self) -> None:
        while self.sockets:
            # An event and a timer rather than wait_for: cancelling it is one step.
            await self.wake.wait()
            self.wake.clear()
            if self.loop.time() < self.deadline or not self.sockets:
                continue  # woken early: a shorter period came, the deadline moved
            interval = self._interval()
            self._wake_in(interval)
            try:
                await self.tick(horizon=self.loop.time() + interval)
            except Exception:
                logger.exception("The sockets' tick failed: the next tick tries again")

    async def tick(self, *, horizon: float = math.inf) -> None:
        """Check the sockets whose period will have passed by `horizon` (all of them by
        default), together."""
        due = [
            socket
            for socket in self.sockets
            if socket.tick_checked_at + socket.tick_seconds() <= horizon
        ]
        for socket in due:
            if self.still_open(socket) and not await socket.join_access_group():
                break  # the layer is down: its return re-joins every socket's group
        due = [socket for socket in due if self.still_open(socket)]
        if not due:
            return
        checked_at = self.loop.time()
        try:
            verdicts = await database_sync_to_async(socket_access.check_access)(due, ticking=True)
        except Exception:
            # The database failed, not the people's access: every socket stays.
            logger.exception("The sockets' tick could not check access: trying at the next")
            return
        for socket, (verdict, expires_at) in verdicts.items():
            if socket in self.sockets:
                socket.tick_checked_at = checked_at
                socket.ticked(verdict, expires_at)

    def still_open(self, socket) -> bool:
        return socket in self.sockets and socket.watching and not socket.access_closed


# Per event loop (a test runs each in a loop of its own).
_tickers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Ticker]" = (
    weakref.WeakKeyDictionary()
)


def _ticker() -> _Ticker:
    loop = asyncio.get_running_loop()
    if loop not in _tickers:
        _tickers[loop] = _Ticker(loop)
    return _tickers[loop]


def register(socket) -> None:
    """The socket is checked on this process's tick from now on."""
    _ticker().add(socket)


def unregister(socket) -> None:
    """However the socket ends; leaving twice is harmless."""
    with contextlib.suppress(RuntimeError):  # no running loop: nothing to leave
        _ticker().discard(socket)


def registered() -> int:
    """How many sockets this process's tick checks."""
    return len(_ticker().sockets)


def ticking() -> bool:
    """Whether this process's tick task is running."""
    task = _ticker().task
    return task is not None and not task.done()


async def tick_now() -> None:
    """One tick of every registered socket, now (tests and the benchmark's probes)."""
    await _ticker().tick()
