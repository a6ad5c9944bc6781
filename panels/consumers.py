"""The meeting room's WebSocket, /ws/meetings/<id>/?last_seq=N. Thin, like a view: the
policy decides who may connect and what they may do, panels.commands applies commands.

The socket sends the events it has not yet sent, in sequence order, and never one twice:

- on connect (after joining the room's group, so nothing published meanwhile is missed) it
  sends the rows after the client's `last_seq`, or "reload" when it is too far behind;
- a doorbell carrying the next number is forwarded as it is; one already sent is dropped;
  one that skips numbers means doorbells were lost, and the rows are read from the database;
- on its process's tick (about every MEETING_SOCKET_TICK_SECONDS; agencies.socket_ticks
  checks every socket of the process at once) it checks access again and reads any rows it
  has not sent: a lost doorbell is healed even when no later event comes.

Access (agencies.sockets.SocketAccessWatch): the socket checks the person's session and the
policy again when told (`access.recheck` to the person's access group, from any process),
on each tick and at the session's expiry moment, and is evicted at the first refusal.
Connecting, each command and each check is one `access.scope()`: the person's roles are read
once in it, and afresh in the next.

The room's group messages reach the socket through panels.fanout: one listener per process
per meeting is in the group and hands each message to the process's sockets of the meeting.

Through a channel-layer outage (Redis restarting or hung; agencies.layer_watch) the socket
stays up: it tells the client that live updates are paused (`{"type": "live", "paused":
true}`), commands are still applied and acknowledged (the database is the record, and the
doorbell never waits for Redis: notifications.realtime), and the room's listener reads the
meeting's last number from the database every second so each socket sends what it lacks.
When the layer is back the listener re-joins the group first, then each socket re-joins its
access group, catches up and says `{"type": "live", "paused": false}`.

Presence rows are written when the socket opens and deleted when it ends, however it ends;
in between they are kept fresh by the process's beat (panels.fanout), never by the socket.

Close codes: 4401 not signed in, 4403 may not join (or no longer may), 4400 bad request.

What the client sends is never a reason to close: a frame that is binary or not a JSON object
is answered with an `error` (agencies.socket_frames); so is a command beyond the
connection's budget (MEETING_SOCKET_COMMAND_RATE a second, MEETING_SOCKET_COMMAND_BURST
saved up; pings and replays have their own smaller budget), and a command the database failed
to save (nothing was saved; the client tries again with the same request id). A command is
applied once per request id (panels.commands.run_command keeps a receipt): after a database
error the receipt is looked up on a fresh connection, so a change that did commit is
acknowledged, never reported as lost.
"""

import asyncio
import logging
from datetime import timedelta
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError, connection

import access
from agencies import audit
from agencies.layer_watch import SurvivesLayerOutage
from agencies.socket_frames import JsonFramesMixin, bucket
from agencies.sockets import SocketAccessWatch
from panels import commands, fanout, selectors, services
from panels.events import meeting_group, person_label
from panels.models import Meeting

logger = logging.getLogger(__name__)

REPLAY_BATCH = 500
# Re-reading an open room after a reconnect within this time is not a new view of its cases.
VIEW_AUDIT_WINDOW = timedelta(minutes=15)


def replay_limit() -> int:
    """How far behind a client may be and still be sent what it missed (else: reload)."""
    return getattr(settings, "MEETING_REPLAY_LIMIT", 2000)


def tick_seconds() -> float:
    return getattr(settings, "MEETING_SOCKET_TICK_SECONDS", 30)


TOO_MANY_COMMANDS = "Too many commands: wait a moment."
TOO_MANY_MESSAGES = "Too many messages: wait a moment."
NOT_SAVED = "The change could not be saved: the database did not answer. Try again."
NOT_KNOWN = (
    "The server could not tell whether the change was saved: the database did not answer. "
    "Send it again: a change is never applied twice."
)
FAILED = "The change could not be saved: something went wrong on the server. Try again."
PAUSED = (
    "Live updates are paused: your changes are still saved, and this page keeps up from the "
    "database until they are back."
)


class MeetingConsumer(
    JsonFramesMixin, SurvivesLayerOutage, SocketAccessWatch, AsyncJsonWebsocketConsumer
):
    async def connect(self):
        # Per connection: commands (each may write), and pings and replays (each small).
        self.command_budget = bucket(
            "MEETING_SOCKET_COMMAND_RATE", "MEETING_SOCKET_COMMAND_BURST", rate=20, burst=40
        )
        self.message_budget = bucket(
            "MEETING_SOCKET_MESSAGE_RATE", "MEETING_SOCKET_MESSAGE_BURST", rate=2, burst=10
        )
        self.user = self.scope.get("user")
        self.meeting_id = None
        self.group_name = None
        self.last_sent = 0
        self.tick_last_seq = None
        self.send_lock = asyncio.Lock()
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=4401)
            return
        try:
            self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
            client_seq = _last_seq_from(self.scope.get("query_string", b""))
        except (KeyError, TypeError, ValueError):
            await self.close(code=4400)
            return
        # Join the group before reading the rows, holding the send lock: a doorbell rung from
        # here on waits its turn, then is dropped as a duplicate or forwarded as new, never
        # missed. The person's access group is joined first too, so a sign-out or an access
        # ended meanwhile is heard. The session and the policy are asked in the same trip
        # to the database; nothing is sent before they answer, and a refused socket leaves
        # the groups unheard.
        # While the channel layer is down neither join waits for it: the socket opens all
        # the same, says live updates are paused, and catches up from the database.
        async with self.send_lock:
            live = await fanout.join(self.meeting_id, self)
            await self.join_access_group()
            joined = await self._join(client_seq)
            if "refused" in joined:
                await fanout.leave(self.meeting_id, self)
                await self.leave_access_group()
                await self.close(code=joined["refused"])
                return
            self.group_name = meeting_group(self.meeting_id)
            fanout.present(self.channel_name, self.meeting_id)
            await self.accept()
            await self.send_json(
                {
                    "type": "hello",
                    "last_seq": joined["last_seq"],
                    "you": person_label(self.user),
                    "can_run": joined["can_run"],
                    "people": joined["people"],
                    "live": live,
                }
            )
            if not live:
                await self.send_json({"type": "live", "paused": True, "message": PAUSED})
            await self._send_rows_after(client_seq, joined)
        self.watch_layer()
        if joined["first_socket"]:
            await fanout.announce_presence(self.meeting_id, joined["people"])
        self.watch_access(joined["expires_at"])

    async def disconnect(self, code):
        # However the socket ends (closed, evicted, crashed): its tasks end, the beat stops
        # keeping its presence fresh, and its row goes. Each step on its own, so that a failing
        # channel layer or database does not stop the next one.
        self.cancel_access_tasks()
        self.unwatch_layer()
        fanout.absent(self.channel_name)
        if self.meeting_id is not None:
            # Also after a connect that failed half-way (leaving twice is harmless).
            await fanout.leave(self.meeting_id, self)
        if self.group_name:
            self.group_name = None
            # Removed with the process's other leavers in a moment, in one transaction.
            fanout.leaving(self.channel_name, self.meeting_id, self.user.pk)
        await self.leave_access_group()

    # --- Through a channel-layer outage (agencies.layer_watch) ------------------------------

    async def layer_down(self):
        if self.group_name and not self.access_closed:
            await self.send_json({"type": "live", "paused": True, "message": PAUSED})

    async def layer_back(self):
        """The room's listener has re-joined and caught its sockets up; join the person's
        access group again (Redis forgot it) and say so."""
        if self.group_name and not self.access_closed:
            await self.join_access_group()
            await self.send_json({"type": "live", "paused": False})

    async def catch_up_quietly(self):
        """Send the rows this socket lacks (told by the room's listener)."""
        async with self.send_lock:
            if not self.group_name or self.access_closed:
                return
            try:
                await self._catch_up()
            except Exception as exc:  # the next poll or tick tries again
                logger.warning("Meeting %s: catch-up failed: %r", self.meeting_id, exc)

    # --- From the client ------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "command":
            await self._command(content)
        elif not self.message_budget.take():
            await self.send_json({"type": "error", "message": TOO_MANY_MESSAGES})
        elif kind == "replay":
            after = content.get("after")
            if not isinstance(after, int) or after < 0:
                await self.send_json({"type": "error", "message": "Say which event you saw last."})
                return
            async with self.send_lock:
                self.last_sent = min(self.last_sent, after)
                try:
                    await self._catch_up()
                except DatabaseError:
                    logger.warning("Meeting %s: replay not read", self.meeting_id)
                    await self.send_json(
                        {"type": "error", "message": "The events could not be read: ask again."}
                    )
        elif kind == "ping":
            await self.send_json({"type": "pong", "last_seq": self.last_sent})
        else:
            await self.send_json({"type": "error", "message": "Unknown message type."})

    async def _command(self, content):
        request_id = content.get("request_id")
        name = content.get("command")
        args = content.get("args") or {}
        if not self.command_budget.take():
            await self.send_json(
                {"type": "error", "request_id": request_id, "message": TOO_MANY_COMMANDS}
            )
            return
        if not isinstance(request_id, str) or not 0 < len(request_id) <= commands.REQUEST_ID_MAX:
            await self.send_json(
                {
                    "type": "error",
                    "request_id": request_id,
                    "message": "Malformed command: give it a request_id (a string, at most "
                    f"{commands.REQUEST_ID_MAX} characters) and keep it when sending it again.",
                }
            )
            return
        if not isinstance(name, str) or not isinstance(args, dict):
            await self.send_json(
                {"type": "error", "request_id": request_id, "message": "Malformed command."}
            )
            return
        async with self.send_lock:
            try:
                outcome = await self._run_command(name, args, request_id)
            except Exception as exc:
                # Whatever failed (the database before the command ran, or a fault of ours),
                # the command is answered and the socket stays: the receipt says whether the
                # change was saved.
                logger.exception("Meeting %s: command %s failed", self.meeting_id, name)
                not_saved = NOT_SAVED if isinstance(exc, DatabaseError) else FAILED
                reply = await self._reply_after_failure(name, args, request_id, not_saved)
                outcome = {"reply": reply}
            if outcome.get("rows") is not None:
                await self._send_rows(outcome["rows"])
        if outcome.get("evict"):
            await self._evict()
            return
        await self.send_json({"request_id": request_id, **outcome["reply"]})

    # --- From the room's group (handed out by panels.fanout) ------------------------------

    @property
    def room_handlers(self) -> dict:
        return {
            "meeting.event": self.meeting_event,
            "meeting.presence": self.meeting_presence,
        }

    def busy(self) -> bool:
        """Sending (or running a command): a message handed out now waits its turn."""
        return self.send_lock.locked()

    async def meeting_event(self, message):
        """A doorbell carrying one encoded event: forward it in order, or read what is missing."""
        seq = message["seq"]
        async with self.send_lock:
            if not self.group_name or self.access_closed:
                return  # refused or evicted while this waited: nothing is sent
            if seq <= self.last_sent:
                return  # already sent (replayed, or our own command's)
            if seq == self.last_sent + 1:
                await self.send(text_data=message["text"])
                self.last_sent = seq
                return
            await self._catch_up()

    async def meeting_presence(self, message):
        if self.group_name:  # accepted; before that, the hello carries who is connected
            await self.send_json({"type": "presence", "people": message["people"]})

    # --- Access ended (agencies.sockets.SocketAccessWatch) ----------------------------------

    def tick_seconds(self) -> float:
        return tick_seconds()

    def may_stay(self, user, *, ticking: bool) -> bool:
        return self in self.may_stay_together([(self, user)], ticking=ticking)

    def stay_key(self):
        return self.meeting_id

    @classmethod
    def may_stay_together(cls, asks, *, ticking: bool) -> set:
        """The process's tick asks for all its room sockets at once: the meetings in one
        query, and who may join each meeting once (the policy's pair of can_join_meeting),
        however many sockets and people it has."""
        with access.scope():
            meetings = Meeting.objects.only("pk", "panel_id", "last_seq").in_bulk(
                {socket.meeting_id for socket, _ in asks}
            )
            may_join = {pk: access.meeting_participant_ids(m) for pk, m in meetings.items()}
        staying = set()
        for socket, user in asks:
            meeting = meetings.get(socket.meeting_id)
            if meeting is None:
                continue
            if ticking:
                # The tick's catch-up needs no query of its own while nothing is missing.
                socket.tick_last_seq = meeting.last_seq
            if user.pk in may_join[meeting.pk]:
                staying.add(socket)
        return staying

    async def on_tick(self):
        async with self.send_lock:
            if self.tick_last_seq is None or self.tick_last_seq > self.last_sent:
                await self._catch_up()

    async def access_ended(self, *, signed_out: bool):
        await self._evict(
            "Your session has ended. Sign in again to rejoin the meeting."
            if signed_out
            else "You are no longer in this meeting."
        )

    async def _evict(self, message: str = "You are no longer in this meeting."):
        self.access_closed = True
        # From now on nothing said in the room reaches this socket.
        await fanout.leave(self.meeting_id, self)
        await self.send_json({"type": "evicted", "message": message})
        await self.close(code=4403)

    # --- Sending events in order ----------------------------------------------------------

    async def _catch_up(self):
        """Send every event after last_sent from the database (call holding send_lock)."""
        while True:
            rows = await self._rows_after(self.last_sent)
            if rows is None:
                await self.send_json({"type": "reload", "reason": "too_far_behind"})
                return
            await self._send_rows(rows)
            if len(rows) < REPLAY_BATCH:
                return

    async def _send_rows_after(self, client_seq, joined):
        if joined["reload"]:
            self.last_sent = joined["last_seq"]
            await self.send_json({"type": "reload", "reason": joined["reload"]})
            return
        self.last_sent = client_seq
        await self._send_rows(joined["rows"])
        if len(joined["rows"]) == REPLAY_BATCH:
            await self._catch_up()

    async def _send_rows(self, rows):
        for seq, text in rows:
            if seq == self.last_sent + 1:
                await self.send(text_data=text)
                self.last_sent = seq
            elif seq > self.last_sent + 1:
                # A number with no row yet: its transaction has not committed; the doorbell
                # rung at its commit, or the next tick, brings it.
                return

    # --- The database, always through database_sync_to_async -----------------------------

    @database_sync_to_async
    @access.scope()
    def _join(self, client_seq: int) -> dict:
        """Everything connecting needs from the database, in one trip; {"refused": code} when
        the session no longer signs the person in (4401) or the policy refuses (4403, and
        the refusal is audited)."""
        session = self.session_still_signs_in()
        if session.user is None:
            return {"refused": 4401}
        meeting = Meeting.objects.select_related("panel").filter(pk=self.meeting_id).first()
        if meeting is None or not access.can_join_meeting(session.user, meeting):
            audit.record_refusal(
                actor=self.user,
                exc=access.NotFoundForUser(object_type="meeting", object_id=self.meeting_id),
                address=_client_address(self.scope),
                where=f"WebSocket {self.scope.get('path', '')}",
            )
            return {"refused": 4403}
        last_seq = meeting.last_seq
        reload = None
        rows = []
        if client_seq > last_seq:
            reload = "ahead_of_server"
        elif last_seq - client_seq > replay_limit():
            reload = "too_far_behind"
        else:
            rows = selectors.events_after(
                meeting_id=self.meeting_id, after=client_seq, limit=REPLAY_BATCH
            )
        first_socket = services.presence_join(
            meeting_id=self.meeting_id, user=self.user, channel_name=self.channel_name
        )
        if not services.meeting_viewed_recently(
            actor=self.user, meeting=meeting, within=VIEW_AUDIT_WINDOW
        ):
            services.meeting_view_record(
                actor=self.user, meeting=meeting, address=_client_address(self.scope)
            )
        return {
            "last_seq": last_seq,
            "reload": reload,
            "rows": rows,
            "can_run": access.can_run_meeting(self.user, meeting),
            "people": selectors.connected_people(meeting_id=self.meeting_id),
            "first_socket": first_socket,
            "expires_at": session.expires_at,
        }

    @database_sync_to_async
    def _rows_after(self, after: int):
        last_seq = selectors.meeting_last_seq(meeting_id=self.meeting_id)
        if last_seq - after > replay_limit():
            return None
        return selectors.events_after(meeting_id=self.meeting_id, after=after, limit=REPLAY_BATCH)

    @database_sync_to_async
    @access.scope()
    def _run_command(self, name: str, args: dict, request_id: str) -> dict:
        """Apply one command (once per request id); then read the events this socket has not
        sent (its own among them), so the commander sees its change without waiting for the
        doorbell."""
        try:
            done = commands.run_command(
                actor=self.user,
                meeting_id=self.meeting_id,
                name=name,
                data=args,
                request_id=request_id,
            )
        except access.NotFoundForUser:
            return {"evict": True}
        except access.ForbiddenForUser:
            return {
                "reply": {
                    "type": "error",
                    "message": "Only the chair or the coordinator can change the meeting.",
                }
            }
        except commands.CommandInvalid as exc:
            return {"reply": {"type": "error", "message": str(exc), "errors": exc.errors}}
        except services.StaleEdit as exc:
            return {
                "reply": {"type": "conflict", "message": str(exc), "current": exc.as_payload()},
                "rows": self._rows_quietly(),
            }
        except services.MeetingError as exc:
            return {"reply": {"type": "error", "message": str(exc)}}
        except DatabaseError:
            # Most often rolled back, receipt and all; but a connection lost at COMMIT may
            # have committed: the receipt, read on a fresh connection, tells which.
            logger.exception("Meeting %s: command %s could not be saved", self.meeting_id, name)
            return {"reply": self._reply_from_receipt(name, args, request_id)}
        return {"reply": {"type": "ack", "message": done}, "rows": self._rows_quietly()}

    async def _reply_after_failure(self, name, args, request_id, not_saved) -> dict:
        try:
            return await database_sync_to_async(self._reply_from_receipt)(
                name, args, request_id, not_saved
            )
        except Exception:
            logger.exception("Meeting %s: receipt not read", self.meeting_id)
            return {"type": "error", "message": NOT_KNOWN}

    def _reply_from_receipt(self, name, args, request_id, not_saved=NOT_SAVED) -> dict:
        """After a failure: the first answer if the command was applied, else "not saved"."""
        connection.close()  # the failed one; the next query opens (or borrows) a fresh one
        try:
            done = commands.reply_if_applied(
                actor=self.user,
                meeting_id=self.meeting_id,
                name=name,
                data=args,
                request_id=request_id,
            )
        except DatabaseError:
            logger.exception("Meeting %s: receipt not read", self.meeting_id)
            return {"type": "error", "message": NOT_KNOWN}
        if done is not None:
            return {"type": "ack", "message": done}
        return {"type": "error", "message": not_saved}

    def _rows_quietly(self):
        """The events after the last sent, or None when the database fails now: the command
        has committed and is acknowledged all the same (its doorbell, or the next tick,
        brings its event)."""
        try:
            return selectors.events_after(
                meeting_id=self.meeting_id, after=self.last_sent, limit=REPLAY_BATCH
            )
        except DatabaseError:
            logger.warning("Meeting %s: events not read after a command", self.meeting_id)
            return None


def _last_seq_from(query_string: bytes) -> int:
    """The last event the client has; none given means it has none (send from the start)."""
    values = parse_qs(query_string.decode("latin-1")).get("last_seq")
    value = int(values[0]) if values and values[0] else 0
    if value < 0:
        raise ValueError("last_seq must not be negative")
    return value


def _client_address(scope) -> str | None:
    # One rule for pages and sockets: X-Forwarded-For only as far as TRUSTED_PROXY_COUNT.
    return audit.socket_address(scope)
