"""Asking a person's open sockets, on every daphne process, to check their access again.

Every socket a person opens (meeting room, notifications) joins the channel-layer group
`access_group(user_id)`. When access that a socket relies on ends (a membership, a panel seat
or an invitation ended, the account deactivated, the password changed, a sign-out), the
service that ended it calls `recheck_sockets_on_commit`; after commit each socket checks the
person's session and access again and closes at once if either is gone. With channels-redis
the group reaches sockets held by any process.

Nothing has to be said for a session to end by expiring: each socket also checks at its
session's expiry moment, and every few seconds (`SocketAccessWatch`), whatever it was told.
"""

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from channels.db import database_sync_to_async
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

from agencies.layer_watch import layer_call
from notifications import realtime

logger = logging.getLogger(__name__)

# A socket checks this long after its session's recorded expiry, so the store agrees it has.
EXPIRY_MARGIN_SECONDS = 0.05


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
    if not session_key or user_id is None:
        return SessionCheck(user=None)
    data, expires_at = _session_data(session_key)
    if str(data.get(SESSION_KEY)) != str(user_id):
        return SessionCheck(user=None)
    if data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return SessionCheck(user=None)
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None or not user.is_active or not _hash_matches(data.get(HASH_SESSION_KEY), user):
        return SessionCheck(user=None)
    if not _passed_second_factor(data, user):
        return SessionCheck(user=None)
    return SessionCheck(user=user, expires_at=expires_at)


def _passed_second_factor(data: dict, user) -> bool:
    """The session passed its second factor with a device of the person's still in use, as
    django-otp's OTPMiddleware decides for a page (agencies.two_factor)."""
    persistent_id = data.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.confirmed and device.user_id == user.pk


def _session_data(session_key: str) -> tuple[dict, datetime | None]:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    model = getattr(store, "model", None)
    if model is not None:
        # The database stores (db, cached_db) hold the expiry moment in a column; the store's
        # get_expiry_date() would count from now.
        row = (
            model.objects.filter(session_key=session_key, expire_date__gt=timezone.now())
            .values_list("session_data", "expire_date")
            .first()
        )
        return (store.decode(row[0]), row[1]) if row else ({}, None)
    data = store.load()
    return data, (store.get_expiry_date() if data else None)


def _hash_matches(session_hash, user) -> bool:
    if not session_hash:
        return False
    return constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    )


# --- The socket's side -------------------------------------------------------------------


class SocketAccessWatch:
    """Mixin for a WebSocket consumer whose person's access can end while it is open (put it
    before the channels consumer class).

    On connect the consumer calls `join_access_group()` before its first check, and
    `watch_access(expires_at)` once accepted; from then on the socket checks the person's
    session and `may_stay` when told (`access.recheck`), every `tick_seconds()`, and at the
    session's expiry moment, and calls `access_ended(signed_out=...)` at the first refusal.
    Every task it starts is cancelled when the socket closes, or when the consumer crashes.

    The consumer provides:
      - `may_stay(user, *, ticking) -> bool`: synchronous, on a database thread, with the
        person read again; the session has been checked already;
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
        self.start_access_task(self._tick(), "tick")
        self._close_at(expires_at)

    def start_access_task(self, coroutine, what: str) -> asyncio.Task:
        """A task of this socket's, cancelled when it closes."""
        task = asyncio.ensure_future(coroutine)
        task.set_name(f"socket {type(self).__name__} {what}")
        self.access_tasks.add(task)
        task.add_done_callback(self.access_tasks.discard)
        return task

    def cancel_access_tasks(self) -> None:
        current = asyncio.current_task()
        for task in list(self.access_tasks):
            if task is not current:
                task.cancel()

    def session_still_signs_in(self) -> SessionCheck:
        """Synchronous, for the consumer's own database trips (connect)."""
        return check_session(session_key=scope_session_key(self.scope), user_id=self.user.pk)

    async def recheck_access(self, *, ticking: bool = False) -> bool:
        """Check the session and `may_stay` again; on a refusal, end the socket. True while
        it may stay. A check that fails to run closes the socket too (1011)."""
        if self.access_closed or not self.watching:
            return False
        try:
            verdict, expires_at = await self._verdict(ticking)
        except Exception:
            logger.exception("A %s could not check its access", type(self).__name__)
            if ticking:
                # The database failed, not the person's access: the next tick asks again.
                return True
            await self._end(code=1011)
            return False
        if verdict == "ok":
            self._close_at(expires_at)
            return True
        if not self.access_closed:
            self.access_closed = True
            await self.access_ended(signed_out=verdict == "signed_out")
        return False

    # --- From the person's access group ---------------------------------------------------

    async def access_recheck(self, message):
        if self.watching and self.user.pk in message.get("user_ids", []):
            await self.recheck_access()

    # --- Inside ---------------------------------------------------------------------------

    async def _verdict(self, ticking: bool):
        def check():
            # One transaction: an idle socket's check is one commit, not one per query.
            with transaction.atomic():
                session = self.session_still_signs_in()
                if session.user is None:
                    return "signed_out", None
                if not self.may_stay(session.user, ticking=ticking):
                    return "forbidden", None
                return "ok", session.expires_at

        return await database_sync_to_async(check)()

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

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds() * random.uniform(0.8, 1.2))  # noqa: S311
            # A restarted Redis has forgotten the group (layer_call never raises).
            await self.join_access_group()
            if not await self.recheck_access(ticking=True):
                return
            try:
                await self.on_tick()
            except Exception:  # the database failed: the next tick tries again
                logger.exception("A %s tick failed", type(self).__name__)

    async def on_tick(self) -> None:
        return None
