"""Asking a person's open sockets, on every daphne process, to check their access again.

Every socket a person opens (meeting room, notifications) joins the channel-layer group
`access_group(user_id)`. When access that a socket relies on ends (a membership, a panel seat
or an invitation ended, the account deactivated, the password changed, a sign-out), the
service that ended it calls `recheck_sockets_on_commit`; after commit each socket checks the
person's session and access again and closes at once if either is gone. With channels-redis
the group reaches sockets held by any process.

Nothing has to be said for a session to end by expiring: each socket also checks at its
session's expiry moment, and on its process's tick (agencies.socket_ticks: one batched check
of every open socket of the process, not one per socket), whatever it was told.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from channels.db import database_sync_to_async
from django.apps import apps
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from agencies import socket_ticks
from agencies.layer_watch import layer_call
from notifications import realtime

logger = logging.getLogger(__name__)

# A socket checks this long after its session's recorded expiry, so the store agrees it has.
EXPIRY_MARGIN_SECONDS = 0.05
# Sessions read per query by a batched check (well under any database's parameter limit).
SESSION_BATCH = 1000


def access_group(user_id: int) -> str:
    return f"access.user.{user_id}"


def recheck_sockets_on_commit(*, user_ids) -> None:
    """After commit, every open socket of these people re-checks its session and access."""
    user_ids = sorted({int(pk) for pk in user_ids if pk is not None})
    if user_ids:
        realtime.publish_on_commit(
            groups=[access_group(pk) for pk in user_ids],
            message={"type": "access.recheck", "user_ids": user_ids},
        )


class RecheckSocketsOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its hook, not to judge passwords: Django calls
    `password_changed` from `User.save()` whenever a new password is saved, by any path (the
    password pages, the admin, `manage.py changepassword`), so every one of them closes the
    person's open sockets (their sessions' auth hash no longer matches)."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            recheck_sockets_on_commit(user_ids=[user.pk])

    def get_help_text(self) -> str:
        return "Changing your password signs you out on every other device."


# --- Is the session the socket was opened with still signed in? ---------------------------


@dataclass(frozen=True)
class SessionCheck:
    user: object | None  # the person, read again; None once the session no longer signs them in
    expires_at: datetime | None = None


def scope_session_key(scope) -> str | None:
    """The key of the session the socket was opened with (AuthMiddlewareStack's scope)."""
    session = scope.get("session")
    return getattr(session, "session_key", None) if session is not None else None


def check_session(*, session_key: str | None, user_id) -> SessionCheck:
    """The person this session still signs in, read again from the database, with the moment
    the session expires; no person once it is signed out, expired or missing, the account is
    inactive, or the password has changed since (the session's auth hash no longer matches,
    as django.contrib.auth.get_user decides), or the session has not passed its second factor.
    Synchronous: call on a database thread."""
    return check_sessions([(session_key, user_id)])[(session_key, user_id)]


def check_sessions(asks: Iterable[tuple[str | None, object]]) -> dict[tuple, SessionCheck]:
    """check_session for many (session key, user id) pairs at once, by the same rule: the
    sessions in one query (per SESSION_BATCH), the people in one, their second-factor
    devices in one per kind of device; each person's auth hash computed once."""
    asks = set(asks)
    sessions = _sessions_data({key for key, user_id in asks if key and user_id is not None})
    claimed = {}  # (key, user id) -> (data, expires_at), for sessions that name that person
    for key, user_id in asks:
        data, expires_at = sessions.get(key, ({}, None)) if user_id is not None else ({}, None)
        if (
            str(data.get(SESSION_KEY)) == str(user_id)
            and data.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        ):
            claimed[(key, user_id)] = (data, expires_at)
    users = get_user_model()._default_manager.in_bulk({user_id for _, user_id in claimed})
    hashes: dict = {}
    signed_in = {}
    for (key, user_id), (data, expires_at) in claimed.items():
        user = users.get(user_id)
        if user is None or not user.is_active:
            continue
        if _hash_matches(data.get(HASH_SESSION_KEY), user, hashes):
            signed_in[(key, user_id)] = (data, expires_at, user)
    devices = _devices({data.get(DEVICE_ID_SESSION_KEY) for data, _, _ in signed_in.values()})
    checks = {ask: SessionCheck(user=None) for ask in asks}
    for ask, (data, expires_at, user) in signed_in.items():
        if _passed_second_factor(devices.get(data.get(DEVICE_ID_SESSION_KEY)), user):
            checks[ask] = SessionCheck(user=user, expires_at=expires_at)
    return checks


def _passed_second_factor(device, user) -> bool:
    """The session passed its second factor with a device of the person's still in use, as
    django-otp's OTPMiddleware decides for a page (agencies.two_factor)."""
    return device is not None and device.confirmed and device.user_id == user.pk


def _devices(persistent_ids) -> dict:
    """Device.from_persistent_id for many ids: one query per kind of device."""
    wanted = defaultdict(dict)  # model -> {device pk: persistent id}
    for persistent_id in persistent_ids:
        with contextlib.suppress(AttributeError, ValueError, LookupError):
            model_label, device_id = persistent_id.rsplit("/", 1)
            model = apps.get_model(*model_label.split("."))
            if issubclass(model, Device):
                wanted[model][int(device_id)] = persistent_id
    devices = {}
    for model, ids in wanted.items():
        for device in model.objects.filter(id__in=ids):
            devices[ids[device.pk]] = device
    return devices


def _sessions_data(session_keys: set[str]) -> dict[str, tuple[dict, datetime | None]]:
    """Each live session's data and expiry moment; a missing or expired one is left out."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    model = getattr(store, "model", None)
    if model is None:
        return {key: _session_data(key) for key in session_keys}
    # The database stores (db, cached_db) hold the expiry moment in a column; the store's
    # get_expiry_date() would count from now.
    now = timezone.now()
    keys = sorted(session_keys)
    found = {}
    for start in range(0, len(keys), SESSION_BATCH):
        rows = model.objects.filter(
            session_key__in=keys[start : start + SESSION_BATCH], expire_date__gt=now
        ).values_list("session_key", "session_data", "expire_date")
        for key, session_data, expire_date in rows:
            found[key] = (store.decode(session_data), expire_date)
    return found


def _session_data(session_key: str) -> tuple[dict, datetime | None]:
    """One session of a store outside the database (cache, signed cookies)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = store.load()
    return data, (store.get_expiry_date() if data else None)


def _hash_matches(session_hash, user, hashes: dict) -> bool:
    """As django.contrib.auth.get_user decides; the person's hashes (one HMAC each, with the
    fallbacks) computed once per check in `hashes`, however many sessions they have."""
    if not session_hash:
        return False
    if user.pk not in hashes:
        hashes[user.pk] = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(session_hash, known) for known in hashes[user.pk])


def check_access(sockets, *, ticking: bool) -> dict:
    """Whether each socket may stay: {socket: ("ok", expires_at) | ("signed_out", None) |
    ("forbidden", None)}. In one read-only transaction, whatever the number of sockets: their
    sessions checked together (check_sessions), then each kind of consumer asked once for all
    of its sockets (`may_stay_together`). Synchronous: call on a database thread."""
    with transaction.atomic():
        asks = {socket: (scope_session_key(socket.scope), socket.user.pk) for socket in sockets}
        sessions = check_sessions(asks.values())
        verdicts = {}
        by_kind = defaultdict(list)
        for socket, ask in asks.items():
            user = sessions[ask].user
            if user is None:
                verdicts[socket] = ("signed_out", None)
            else:
                by_kind[type(socket)].append((socket, user))
        for kind, staying_asks in by_kind.items():
            staying = kind.may_stay_together(staying_asks, ticking=ticking)
            for socket, _ in staying_asks:
                verdicts[socket] = (
                    ("ok", sessions[asks[socket]].expires_at)
                    if socket in staying
                    else ("forbidden", None)
                )
    return verdicts


# --- The socket's side -------------------------------------------------------------------


class SocketAccessWatch:
    """Mixin for a WebSocket consumer whose person's access can end while it is open (put it
    before the channels consumer class).

    On connect the consumer calls `join_access_group()` before its first check, and
    `watch_access(expires_at)` once accepted; from then on the socket checks the person's
    session and access when told (`access.recheck`), on its process's tick (about every
    `tick_seconds()`: agencies.socket_ticks checks all the process's sockets at once), and at
    the session's expiry moment, and calls `access_ended(signed_out=...)` at the first
    refusal. Every task it starts is cancelled, and it leaves the process's tick, when the
    socket closes, or when the consumer crashes.

    The consumer provides:
      - `may_stay(user, *, ticking) -> bool`: synchronous, on a database thread, with the
        person read again; the session has been checked already. A batched check asks it
        once per person and `stay_key()` (what else the answer depends on: the meeting); or
        the consumer answers for many sockets at once in `may_stay_together`;
      - `async access_ended(*, signed_out)`: tell the client if it wants, and close;
      - `tick_seconds() -> float`, and optionally `async on_tick()` (after a passing check).
    """

    async def __call__(self, scope, receive, send):
        self.access_tasks: set[asyncio.Task] = set()
        self.access_closed = False
        self.expiry_task: asyncio.Task | None = None
        self.expires_at: datetime | None = None
        self.in_access_group = False
        self.watching = False
        self.disconnected = False
        self.tick_checked_at: float | None = None
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.cancel_access_tasks()
            if not self.disconnected:
                # It crashed: disconnect() never ran. Leave what it joined, as it would have.
                with contextlib.suppress(Exception):
                    await self.disconnect(1011)
                self.cancel_access_tasks()

    async def websocket_disconnect(self, message):
        self.disconnected = True
        await super().websocket_disconnect(message)

    # --- Called by the consumer -----------------------------------------------------------

    async def join_access_group(self) -> bool:
        """Join before the first check: a recheck rung from then on is not missed. False
        when the channel layer is down (agencies.layer_watch): the tick, and the layer's
        return, join again, and the tick checks access meanwhile."""
        self.in_access_group = True
        return await layer_call(
            self.channel_layer.group_add,
            access_group(self.user.pk),
            self.channel_name,
            what="Joining the access group",
        )

    async def leave_access_group(self) -> None:
        if self.in_access_group:
            self.in_access_group = False
            await layer_call(
                self.channel_layer.group_discard,
                access_group(self.user.pk),
                self.channel_name,
                what="Leaving the access group",
            )

    def watch_access(self, expires_at: datetime | None) -> None:
        """Start watching, once the socket is accepted."""
        self.watching = True
        socket_ticks.register(self)
        self._close_at(expires_at)

    def start_access_task(self, coroutine, what: str) -> asyncio.Task:
        """A task of this socket's, cancelled when it closes."""
        task = asyncio.ensure_future(coroutine)
        task.set_name(f"socket {type(self).__name__} {what}")
        self.access_tasks.add(task)
        task.add_done_callback(self.access_tasks.discard)
        return task

    def cancel_access_tasks(self) -> None:
        """The socket is ending (however it ends): its tasks end, and its process's tick
        forgets it."""
        socket_ticks.unregister(self)
        current = asyncio.current_task()
        for task in list(self.access_tasks):
            if task is not current:
                task.cancel()

    def session_still_signs_in(self) -> SessionCheck:
        """Synchronous, for the consumer's own database trips (connect)."""
        return check_session(session_key=scope_session_key(self.scope), user_id=self.user.pk)

    async def recheck_access(self) -> bool:
        """Check the session and `may_stay` again; on a refusal, end the socket. True while
        it may stay. A check that fails to run closes the socket too (1011)."""
        if self.access_closed or not self.watching:
            return False
        try:
            verdicts = await database_sync_to_async(check_access)([self], ticking=False)
        except Exception:
            logger.exception("A %s could not check its access", type(self).__name__)
            await self._end(code=1011)
            return False
        verdict, expires_at = verdicts[self]
        if verdict == "ok":
            self._close_at(expires_at)
            return True
        if not self.access_closed:
            self.access_closed = True
            await self.access_ended(signed_out=verdict == "signed_out")
        return False

    # --- Asked by a batched check (check_access), on a database thread ---------------------

    def stay_key(self) -> Hashable:
        """Besides the person, what `may_stay`'s answer depends on (a meeting's id): sockets
        with the same person and key are asked once."""
        return None

    @classmethod
    def may_stay_together(cls, asks: list[tuple], *, ticking: bool) -> set:
        """Of these (socket, person read again) pairs, all of this class, the sockets that may
        stay: `may_stay` asked once per person and `stay_key()`. A consumer that can answer
        for many people at once overrides this."""
        answers = {}
        staying = set()
        for socket, user in asks:
            key = (user.pk, socket.stay_key())
            if key not in answers:
                answers[key] = socket.may_stay(user, ticking=ticking)
            if answers[key]:
                staying.add(socket)
        return staying

    # --- From the process's tick (agencies.socket_ticks) -----------------------------------

    def ticked(self, verdict: str, expires_at: datetime | None) -> None:
        """The tick's verdict on this socket: carry on (the expiry check moved if the session
        was extended, then `on_tick`), or end it. What follows runs in the socket's own
        tasks, so one slow socket does not hold up the others."""
        if self.access_closed or not self.watching:
            return
        if verdict == "ok":
            self._close_at(expires_at)
            if type(self).on_tick is not SocketAccessWatch.on_tick:
                self.start_access_task(self._after_tick(), "after tick")
            return
        self.access_closed = True
        socket_ticks.unregister(self)  # nothing more to check
        self.start_access_task(
            self.access_ended(signed_out=verdict == "signed_out"), "access ended"
        )

    async def _after_tick(self) -> None:
        try:
            await self.on_tick()
        except Exception:  # the database failed: the next tick tries again
            logger.exception("A %s tick failed", type(self).__name__)

    async def on_tick(self) -> None:
        return None

    # --- From the person's access group ---------------------------------------------------

    async def access_recheck(self, message):
        if self.watching and self.user.pk in message.get("user_ids", []):
            await self.recheck_access()

    # --- Inside ---------------------------------------------------------------------------

    async def _end(self, *, code: int) -> None:
        if not self.access_closed:
            self.access_closed = True
            await self.close(code=code)

    def _close_at(self, expires_at: datetime | None) -> None:
        """(Re)schedule the check at the session's expiry; a later page may have moved it."""
        if expires_at == self.expires_at and self.expiry_task is not None:
            return
        self.expires_at = expires_at
        if self.expiry_task is not None and self.expiry_task is not asyncio.current_task():
            self.expiry_task.cancel()
        self.expiry_task = None
        if expires_at is not None:
            self.expiry_task = self.start_access_task(self._at_expiry(expires_at), "expiry")

    async def _at_expiry(self, expires_at: datetime) -> None:
        delay = (expires_at - timezone.now()).total_seconds() + EXPIRY_MARGIN_SECONDS
        await asyncio.sleep(max(delay, EXPIRY_MARGIN_SECONDS))
        self.expiry_task = None  # the check below schedules the next one if it passes
        await self.recheck_access()
