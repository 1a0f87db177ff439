"""The chat WebSocket: thin, the work is in services.py (messages, events), presence.py, store.py
(batched writes) and live.py (per-process writer, rooms, heartbeat). Protocol: docs/chat-protocol.md.

Per message the consumer hands the send to the process's writer (one transaction for many sends),
answers the sender after COMMIT and hands the event to the room's other sockets in this process; the
channel layer carries it only when the room has sockets in another process. Everything it needs to
build the event (who the sender is, their role, the consultation) is loaded once on connect.
"""

import asyncio
import functools
import logging
import re
import time
import uuid

import redis.exceptions
from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from ..access import consultation_participant_role, consultations_visible_to
from ..models import Message
from . import live, presence, services
from .store import Send

logger = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_PARTICIPANT = 4403
CLOSE_NOT_OPEN = 4409
CLOSE_SERVER_ERROR = 1011  # the channel layer failed under a live socket
CLOSE_TRY_AGAIN_LATER = 1013  # Redis (channel layer / presence) is down: reconnect with back-off

# A 4,000-character body may be escaped by the client up to 12 characters per character (\ud83d\ude00
# for one emoji), so the frame limit leaves room for that; the body limit is checked after decoding.
MAX_FRAME_CHARS = 12 * 4000 + 1000
MESSAGE_RATE = (20, 10.0)  # 20 messages per 10 s per connection
FRAME_RATE = (120, 10.0)  # every frame counts (typing, read, sync too)
STATUS_RECHECK_SECONDS = 15.0
# The away notification's check (is the other side in the room anywhere?) runs at most this often per
# consultation and recipient in a process, and never when the recipient has a socket in this process.
AWAY_CHECK_SECONDS = 5.0

_CLIENT_ID = re.compile(r'"client_id"\s*:\s*"([0-9A-Fa-f-]{32,36})"')


def _redis_errors() -> tuple:
    return (ConnectionError, OSError, TimeoutError, redis.exceptions.RedisError)


REDIS_ERRORS = _redis_errors()


def _is_disconnect(error: BaseException) -> bool:
    # Writing to a socket the client has left: uvicorn raises ClientDisconnected (an OSError), or a
    # RuntimeError when the socket closed before its consumer saw the disconnect; daphne raises
    # autobahn's Disconnected ("Attempt to send on a closed protocol"). Routine, not an error.
    if type(error).__name__ == "ClientDisconnected":
        return True
    if type(error).__name__ == "Disconnected" and type(error).__module__.startswith("autobahn"):
        return True
    return isinstance(error, RuntimeError) and "after sending 'websocket.close'" in str(error)


# Room clean-ups of consumers that ended without their disconnect message, held until they finish (the
# event loop keeps only weak references to tasks).
_leaving: set = set()


class TokenBucket:
    __slots__ = ("capacity", "rate", "tokens", "stamp")

    def __init__(self, capacity: int, per_seconds: float):
        self.capacity = capacity
        self.rate = capacity / per_seconds
        self.tokens = float(capacity)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class ProtocolError(Exception):
    def __init__(self, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code, self.detail, self.extra = code, detail, extra


_away_checked: dict = {}  # (consultation id, recipient id) -> monotonic time of the last check


class ChatConsumer(AsyncWebsocketConsumer):
    joined = False
    room = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.background = set()  # fire-and-forget tasks, referenced until done

    # --- the ASGI loop ------------------------------------------------------------------------------
    async def __call__(self, scope, receive, send):
        """Channels' loop, minus two costs per frame: a new task per received frame and a thread hop
        to close old database connections (this consumer never touches the ORM on the event loop).
        Client frames are handled one at a time; channel-layer events in a task of their own."""
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        layer_task = None
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.receive":
                    await self.websocket_receive(message)
                elif kind == "websocket.connect":
                    await self.websocket_connect(message)
                    if self.joined:
                        layer_task = asyncio.ensure_future(self._layer_loop())
                elif kind == "websocket.disconnect":
                    await self.websocket_disconnect(message)
        except StopConsumer:
            pass
        finally:
            if layer_task is not None:
                layer_task.cancel()
            if self.room is not None:
                # Ending without the disconnect message (an error escaped, or the server cancelled us):
                # leave the room all the same, or this socket would stay in it, its user counted online
                # by every heartbeat, for as long as the process lives.
                cleanup = asyncio.ensure_future(self.disconnect(1011))
                _leaving.add(cleanup)
                cleanup.add_done_callback(_leaving.discard)

    async def _layer_loop(self):
        try:
            while True:
                event = await self.channel_layer.receive(self.channel_name)
                channel_layer_outage.ok()
                if event.get("type") == "chat.relay":
                    await self.chat_relay(event)
        except asyncio.CancelledError:
            raise
        except REDIS_ERRORS as error:
            if _is_disconnect(error):
                return
            channel_layer_outage.failed(error)
            await self._close_quietly(CLOSE_TRY_AGAIN_LATER)
        except Exception:
            logger.exception("chat channel-layer loop failed in consultation %s", self.consultation_id)
            await self._close_quietly(CLOSE_SERVER_ERROR)

    async def _close_quietly(self, code: int):
        try:
            await self.close(code=code)
        except Exception as error:  # the client is gone already
            logger.debug("chat close after the client left: %s", error)

    # --- connect / disconnect -----------------------------------------------------------------------
    async def connect(self):
        # Refusals: accept, then close with our code — a close before accept reaches the browser as a
        # bare HTTP 403 and the client could not tell "log in again" from "this chat has ended".
        # Admission: the socket joins its room *before* the handshake completes, so a client that
        # sends (or expects its partner's messages) right after `open` is already in the room.
        self.consultation_id = self.scope["url_route"]["kwargs"]["consultation_id"]
        # ONE hop per connect: session, user, consultation, read markers and presence together (the
        # route has no AuthMiddleware, whose own hop would be a second), in one of the process's few
        # connect threads (live.connect_work), each with its own database connection — not queued on
        # Channels' single database thread.
        outcome = await live.connect_work(self._load)
        if outcome != "ok":
            await self.accept()
            await self.close(code=outcome)
            return
        user = self.user
        self.group = services.group_name(self.consultation_id)
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except REDIS_ERRORS as error:
            channel_layer_outage.failed(error)
            await live.connect_work(self._leave)
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        channel_layer_outage.ok()
        self.message_bucket = TokenBucket(*MESSAGE_RATE)
        self.frame_bucket = TokenBucket(*FRAME_RATE)
        self.checked_at = time.monotonic()
        self.max_delivered = 0
        self.room = live.join(self.consultation_id, self)
        self.room.remote = self.room_sockets > len(self.room.sockets)
        await self.accept()
        self.joined = True
        live.ensure_heartbeat()
        # Tell the newcomer where the other side stands, then tell the room the newcomer is here.
        for user_id in self.participant_ids:
            if user_id != user.pk:
                online = user_id in self.online or self.room.has_user(user_id)
                await self.send_event({"type": "presence", "user_id": user_id, "online": online})
        for user_id, last_read in self.reads.items():
            if last_read:
                await self.send_event({"type": "read", "user_id": user_id, "up_to": last_read})
        await self.room_send(
            {"type": "presence", "user_id": user.pk, "online": True},
            through_layer=True,
            room_sockets=self.room_sockets,
        )

    def _resolve_user(self):
        user = self.scope.get("user")
        if user is None and "session" in self.scope:
            # What Channels' AuthMiddleware does (session -> backend -> user, session hash verified),
            # here in the connect's one thread hop.
            user = self.scope["user"] = get_user.func(self.scope)
        return user

    def _load(self):
        """Runs in a connect thread (live.connect_work): who is asking, access check, presence, read markers;
        returns "ok" or a close code. Bounded, whatever the room's history: the session and the user
        (2 queries), the consultation with owner and vet, the read markers, a vet's last_seen_at (3),
        and 4 cache calls — tests/consultations/test_chat_order.py counts them."""
        user = self._resolve_user()
        if user is None or not user.is_authenticated:
            return CLOSE_NOT_LOGGED_IN
        self.user = user
        consultation = (
            consultations_visible_to(self.user)
            .select_related("owner", "vet")
            .filter(pk=self.consultation_id)
            .first()
        )
        # Staff may read a consultation over HTTP but do not join the live room (they would show as
        # present to neither side, or to both as a stranger).
        if consultation is None or consultation_participant_role(consultation, self.user) is None:
            return CLOSE_NOT_PARTICIPANT
        if not services.chat_is_open(consultation):
            return CLOSE_NOT_OPEN
        self.consultation = consultation
        self.me = services.participant_info(consultation, self.user)
        self.participant_ids = (consultation.owner_id, consultation.vet_id)
        try:
            presence.presence_join(consultation.pk, self.user.pk)
            counts = presence.presence_counts(consultation.pk, self.participant_ids)
            live.cache_outage.ok()
        except REDIS_ERRORS as error:
            # Presence is a nicety: without the cache the room still works (shown offline, relayed
            # through the layer to be safe). The channel layer's own check decides whether to refuse.
            live.cache_outage.failed(error)
            counts = {uid: (1 if uid == self.user.pk else 0) for uid in self.participant_ids}
            counts[self.user.pk] = 1 << 20  # unknown: assume other processes hold sockets
        self.online = {uid for uid, n in counts.items() if n > 0}
        self.room_sockets = sum(counts.values())
        self.reads = services.read_states(consultation)
        if self.me["role"] == "vet":
            presence.vet_seen(self.user.pk)
        return "ok"

    async def disconnect(self, code):
        if self.room is None:  # refused, or never admitted
            return
        self.joined = False
        live.leave(self.consultation_id, self)
        self.room = None
        try:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        except REDIS_ERRORS as error:
            channel_layer_outage.failed(error)
        remaining, room_sockets = await live.connect_work(self._leave)
        await self.room_send(
            {"type": "presence", "user_id": self.user.pk, "online": remaining > 0},
            through_layer=True,
            room_sockets=room_sockets,
        )

    def _leave(self) -> tuple[int, int]:
        if self.me["role"] == "vet":
            presence.vet_seen(self.user.pk)
        try:
            remaining = presence.presence_leave(self.consultation.pk, self.user.pk)
            room_sockets = sum(presence.presence_counts(self.consultation.pk, self.participant_ids).values())
        except REDIS_ERRORS as error:
            live.cache_outage.failed(error)
            local = live.rooms.get(str(self.consultation_id))
            remaining = int(bool(local and local.has_user(self.user.pk)))
            room_sockets = len(local.sockets) if local else 0
        return remaining, room_sockets

    # --- client -> server ---------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:
            return
        try:
            await self.dispatch_frame(text_data, bytes_data)
        except ProtocolError as error:
            await self._send_error(error)
        except Exception as error:
            if _is_disconnect(error):
                logger.debug("chat client left consultation %s mid-frame", self.consultation_id)
                return
            logger.exception("chat frame failed in consultation %s", self.consultation_id)
            await self._send_error(ProtocolError("server_error", "Could not handle that."))

    async def _send_error(self, error: ProtocolError):
        try:
            await self.send_event(
                {"type": "error", "code": error.code, "detail": error.detail, **error.extra}
            )
        except Exception as failure:
            if not _is_disconnect(failure):
                raise

    async def dispatch_frame(self, text_data, bytes_data):
        if text_data is None:
            raise ProtocolError("bad_frame", "Send JSON text frames.")
        if len(text_data) > MAX_FRAME_CHARS:
            found = _CLIENT_ID.search(text_data, 0, 4000) or _CLIENT_ID.search(text_data)
            extra = {"client_id": found.group(1)} if found else {}
            raise ProtocolError("too_long", f"A frame is limited to {MAX_FRAME_CHARS} characters.", **extra)
        if not self.frame_bucket.take():
            raise ProtocolError("rate_limited", "Too many frames; slow down.")
        try:
            data = services.loads(text_data)
        except ValueError:
            raise ProtocolError("bad_json", "The frame is not valid JSON.")
        if not isinstance(data, dict):
            raise ProtocolError("bad_json", "The frame must be a JSON object.")
        kind = data.get("type")
        if kind == "message.send":
            await self.on_message_send(data)
        elif kind == "typing":
            await self.on_typing(data)
        elif kind == "read":
            await self.on_read(data)
        elif kind == "sync":
            await self.on_sync(data)
        else:
            raise ProtocolError("unknown_type", f"Unknown type: {str(kind)[:40]!r}.")

    async def on_message_send(self, data):
        raw_client_id = data.get("client_id")
        try:
            client_id = uuid.UUID(str(raw_client_id)) if raw_client_id is not None else None
        except ValueError:
            client_id = None
        if client_id is None:
            raise ProtocolError("invalid", "client_id must be a UUID.")
        extra = {"client_id": str(client_id)}
        body = data.get("body")
        if not isinstance(body, str) or not body.strip() or "\x00" in body:
            # NUL: PostgreSQL text cannot hold it, and no person types it.
            raise ProtocolError("invalid", "body must be a non-empty string.", **extra)
        if len(body) > services.MAX_BODY_CHARS:
            raise ProtocolError(
                "too_long", f"A message is limited to {services.MAX_BODY_CHARS} characters.", **extra
            )
        if not self.message_bucket.take():
            raise ProtocolError("rate_limited", "Too many messages; wait a few seconds.", **extra)
        if time.monotonic() - self.checked_at > STATUS_RECHECK_SECONDS:
            # The end of a consultation normally arrives as a group event; re-reading the status now and
            # then also covers a dropped event, at one query per STATUS_RECHECK_SECONDS per room in this
            # process (not per message, nor per socket: the room's other sockets take the answer too;
            # py-spy at 2,000 msg/s: the per-socket re-read was 4 % of the event loop).
            now = self.checked_at = time.monotonic()
            status = await live.consultation_status(self.consultation)
            for other in tuple(self.room.sockets) if self.room is not None else ():
                other.consultation.status, other.checked_at = status, now
        if not services.chat_is_open(self.consultation):
            await self.send_event(
                {"type": "error", "code": "chat_closed", "detail": "This consultation is closed.", **extra}
            )
            await self.close(code=CLOSE_NOT_OPEN)
            return
        try:
            stored = await live.store(Send(self.consultation.pk, self.user.pk, client_id, body))
        except live.Busy as busy:
            raise ProtocolError(
                "busy",
                "The server is at capacity; resend with the same client_id.",
                retry_after_ms=busy.retry_after_ms,
                **extra,
            )
        except Exception:
            # Logged once per outage by the writer; nothing was stored for this send.
            raise ProtocolError("server_error", "Could not store the message; retry.", **extra)
        if stored.created:
            event = {
                "type": "message",
                "id": stored.id,
                "seq": stored.seq,
                "client_id": str(client_id),
                "sender": self.me,
                "body": body,
                "attachment": None,
                "created_at": services._iso(stored.created_at),
            }
        else:  # a resend: the stored message, unchanged (it may be a photo sent over HTTP)
            event = services.message_to_event(stored.message, sender=self.me, consultation=self.consultation)
        text = services.dumps(event)
        if stored.id > self.max_delivered:
            self.max_delivered = stored.id
        # The sender's copy is its acknowledgement: straight down its own socket, after COMMIT. A resend
        # only answers the sender; a new message goes to the rest of the room.
        await self.send(text_data=text)
        if stored.created:
            await self.room_send(event, text=text)
            self._maybe_notify_away(stored)

    def _maybe_notify_away(self, stored):
        recipient = (
            self.consultation.vet_id
            if self.user.pk == self.consultation.owner_id
            else self.consultation.owner_id
        )
        if self.room is not None and self.room.has_user(recipient):
            return  # in the room, here: nothing to check
        key = (self.consultation.pk, recipient)
        now = time.monotonic()
        if now - _away_checked.get(key, -AWAY_CHECK_SECONDS) < AWAY_CHECK_SECONDS:
            return
        _away_checked[key] = now
        if len(_away_checked) > 10_000:
            _away_checked.clear()
        task = asyncio.ensure_future(self._notify_if_away(stored))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _notify_if_away(self, stored):
        def check():
            message = Message(pk=stored.id, consultation=self.consultation, seq=stored.seq)
            return services.notify_if_away(
                consultation=self.consultation, sender_id=self.user.pk, message=message
            )

        try:
            await database_sync_to_async(check)()
        except Exception:
            logger.warning("away notification failed in consultation %s", self.consultation_id, exc_info=True)

    async def on_typing(self, data):
        is_typing = data.get("is_typing")
        if not isinstance(is_typing, bool):
            raise ProtocolError("invalid", "is_typing must be true or false.")
        await self.room_send({"type": "typing", "user_id": self.user.pk, "is_typing": is_typing})

    async def on_read(self, data):
        up_to = data.get("up_to")
        if not isinstance(up_to, int) or isinstance(up_to, bool) or up_to < 1:
            raise ProtocolError("invalid", "up_to must be a positive message id.")
        if up_to > self.max_delivered:
            # Never mark as read beyond what is stored (a typo would hide every later message).
            up_to = min(up_to, (await live.newest(self.consultation.pk))[0])
            self.max_delivered = max(self.max_delivered, up_to)
        if up_to < 1:
            return
        moved = await live.mark_read(self.consultation.pk, self.user, up_to)
        if moved:
            await self.room_send({"type": "read", "user_id": self.user.pk, "up_to": moved})

    async def on_sync(self, data):
        if "after_seq" in data:
            after_seq = data["after_seq"]
            if not isinstance(after_seq, int) or isinstance(after_seq, bool) or after_seq < 0:
                raise ProtocolError("invalid", "after_seq must be a sequence number (0 for everything).")
            cursor = {"after_seq": after_seq}
        else:
            after = data.get("after", 0)
            if after is None:
                after = 0
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                raise ProtocolError("invalid", "after must be a message id (0 for everything).")
            cursor = {"after_id": after}
        # A client syncs right after every (re)connect: in the connect threads too, so 2,000 sockets
        # connecting do not queue their first sync on Channels' single database thread.
        pages, last_id, last_seq = await live.connect_work(functools.partial(self._sync_texts, **cursor))
        for texts in pages:
            for text in texts:
                await self.send(text_data=text)
        self.max_delivered = max(self.max_delivered, last_id)
        await self.send_event({"type": "synced", "last_id": last_id, "last_seq": last_seq})

    def _sync_texts(self, after_id: int = 0, after_seq: int | None = None):
        # One hop (to a connect thread) for the whole sync: pages of encoded events, then the last position.
        pages = []
        for step in services.sync_events(self.consultation, after_id, after_seq=after_seq):
            if step[0] == "page":
                pages.append([services.dumps(event) for event in step[1]])
            else:
                return pages, step[1], step[2]
        raise AssertionError("sync_events ends with a synced step")

    # --- server -> client ---------------------------------------------------------------------------
    async def send_event(self, event: dict):
        await self.send(text_data=services.dumps(event))

    async def room_send(
        self,
        event: dict,
        *,
        text: str | None = None,
        through_layer: bool = False,
        room_sockets: int | None = None,
    ):
        """Hand an event to the room's other sockets: those in this process directly, the others (if
        the room spans processes, or for presence changes, which every process must count) through
        the channel layer."""
        if text is None:
            text = services.dumps(event)
        kind, user_id, msg_id = event["type"], self.user.pk, event.get("id")
        room = live.rooms.get(str(self.consultation_id))
        local = settings.CHAT_LOCAL_DELIVERY
        if room is not None and local:
            for other in tuple(room.sockets):
                if other is not self:
                    await other.deliver(text, kind, user_id, msg_id, None)
        if through_layer or not local or room is None or room.remote:
            payload = services.relay(
                event,
                user_id=user_id,
                text=text,
                # Without local delivery every socket (this process's too) takes it from the layer,
                # except the sender's own.
                origin=live.PROCESS_ID if local else None,
                exclude_channel=None if local else self.channel_name,
                room_sockets=room_sockets,
            )
            try:
                await self.channel_layer.group_send(self.group, payload)
            except REDIS_ERRORS as error:
                # The message is stored; the others recover it with `sync`.
                channel_layer_outage.failed(error)
            except Exception:
                logger.exception("chat group_send failed in consultation %s", self.consultation_id)

    async def deliver(self, text: str, kind: str, user_id, msg_id, status):
        if not self.joined:
            return
        if kind in ("typing", "presence") and user_id == self.user.pk:
            return  # about myself (another tab of mine): the client needs only the other side's
        if msg_id and msg_id > self.max_delivered:
            self.max_delivered = msg_id
        try:
            await self.send(text_data=text)
        except Exception as error:
            if not _is_disconnect(error):
                logger.warning("chat delivery failed in consultation %s", self.consultation_id, exc_info=True)
            return
        if kind.startswith("consultation.") and status:
            self.consultation.status = status
            self.checked_at = time.monotonic()
            if not services.chat_is_open(self.consultation):
                await self._close_quietly(CLOSE_NOT_OPEN)

    async def chat_relay(self, event):
        """An event through the channel layer: from another process, or from HTTP/lifecycle code."""
        if event.get("origin") == live.PROCESS_ID:
            return  # delivered to this process's sockets directly already
        if event.get("exclude") == self.channel_name:
            return
        room = self.room
        if event.get("room_sockets") is not None and room is not None:
            room.remote = event["room_sockets"] > len(room.sockets)
        await self.deliver(
            event["text"], event.get("event", ""), event.get("user_id"), event.get("id"), event.get("status")
        )


channel_layer_outage = live.channel_layer_outage
