"""The chat WebSocket: thin, the work is in consultations/chat.py. Protocol: docs/chat-protocol.md.

Per message the consumer does one INSERT and one group_send. Everything it needs to build the event
(who the sender is, their role, the consultation) is loaded once on connect.
"""

import asyncio
import json
import logging
import time
import uuid

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.serializers.json import DjangoJSONEncoder

from . import chat
from .access import consultation_participant_role, consultations_visible_to

logger = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_PARTICIPANT = 4403
CLOSE_NOT_OPEN = 4409

MAX_FRAME_CHARS = 16_000  # a 4,000-character body is at most ~4x that in escaped JSON
MESSAGE_RATE = (20, 10.0)  # 20 messages per 10 s per connection
FRAME_RATE = (120, 10.0)  # every frame counts (typing, read, sync too)
STATUS_RECHECK_SECONDS = 15.0


class TokenBucket:
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


def _dumps(event: dict) -> str:
    return json.dumps(event, cls=DjangoJSONEncoder, ensure_ascii=False)


class ChatConsumer(AsyncWebsocketConsumer):
    joined = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.background = set()  # fire-and-forget tasks, referenced until done

    heartbeat = None

    async def connect(self):
        # Accept first, then close with our code: a close before accept reaches the browser as a bare
        # HTTP 403 and the client could not tell "log in again" from "this chat has ended".
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        self.user = user
        self.consultation_id = self.scope["url_route"]["kwargs"]["consultation_id"]
        outcome = await database_sync_to_async(self._load)()
        if outcome != "ok":
            await self.close(code=outcome)
            return
        self.group = chat.group_name(self.consultation_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        self.message_bucket = TokenBucket(*MESSAGE_RATE)
        self.frame_bucket = TokenBucket(*FRAME_RATE)
        self.checked_at = time.monotonic()
        self.max_delivered = 0
        # Tell the newcomer where the other side stands, then tell the room the newcomer is here.
        for user_id in self.participant_ids:
            if user_id != user.pk:
                await self.send_event(
                    {"type": "presence", "user_id": user_id, "online": user_id in self.online}
                )
        for user_id, last_read in self.reads.items():
            if last_read:
                await self.send_event({"type": "read", "user_id": user_id, "up_to": last_read})
        await self.broadcast({"type": "presence", "user_id": user.pk, "online": True}, exclude_self=True)
        self.heartbeat = asyncio.ensure_future(self._heartbeat())

    def _load(self):
        """Runs in a worker thread: access check, presence, read markers; returns "ok" or a close code."""
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
        if not chat.chat_is_open(consultation):
            return CLOSE_NOT_OPEN
        self.consultation = consultation
        self.me = chat.participant_info(consultation, self.user)
        self.participant_ids = (consultation.owner_id, consultation.vet_id)
        chat.presence_join(consultation.pk, self.user.pk)
        self.online = chat.online_user_ids(consultation.pk, self.participant_ids)
        self.reads = chat.read_states(consultation)
        if self.me["role"] == "vet":
            chat.vet_seen(self.user.pk)
        return "ok"

    async def disconnect(self, code):
        if not self.joined:
            return
        self.joined = False
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        await self.channel_layer.group_discard(self.group, self.channel_name)
        remaining = await database_sync_to_async(self._leave)()
        await self.broadcast({"type": "presence", "user_id": self.user.pk, "online": remaining > 0})

    def _leave(self) -> int:
        if self.me["role"] == "vet":
            chat.vet_seen(self.user.pk)
        return chat.presence_leave(self.consultation.pk, self.user.pk)

    async def _heartbeat(self):
        def refresh():
            chat.presence_refresh(self.consultation.pk, self.user.pk)
            if self.me["role"] == "vet":
                chat.vet_seen(self.user.pk)

        try:
            while True:
                await asyncio.sleep(chat.PRESENCE_REFRESH_SECONDS)
                await database_sync_to_async(refresh)()
        except asyncio.CancelledError:
            pass
        except Exception:
            logger.exception("chat presence heartbeat failed")

    # --- client -> server ---------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:
            return
        try:
            await self.dispatch_frame(text_data, bytes_data)
        except ProtocolError as error:
            await self.send_event(
                {"type": "error", "code": error.code, "detail": error.detail, **error.extra}
            )
        except Exception:
            logger.exception("chat frame failed in consultation %s", self.consultation_id)
            await self.send_event(
                {"type": "error", "code": "server_error", "detail": "Could not handle that."}
            )

    async def dispatch_frame(self, text_data, bytes_data):
        if text_data is None:
            raise ProtocolError("bad_frame", "Send JSON text frames.")
        if len(text_data) > MAX_FRAME_CHARS:
            raise ProtocolError("too_long", f"A frame is limited to {MAX_FRAME_CHARS} characters.")
        if not self.frame_bucket.take():
            raise ProtocolError("rate_limited", "Too many frames; slow down.")
        try:
            data = json.loads(text_data)
        except ValueError:
            raise ProtocolError("bad_json", "The frame is not valid JSON.")
        if not isinstance(data, dict):
            raise ProtocolError("bad_json", "The frame must be a JSON object.")
        kind = data.get("type")
        handler = {
            "message.send": self.on_message_send,
            "typing": self.on_typing,
            "read": self.on_read,
            "sync": self.on_sync,
        }.get(kind)
        if handler is None:
            raise ProtocolError("unknown_type", f"Unknown type: {str(kind)[:40]!r}.")
        await handler(data)

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
        if len(body) > chat.MAX_BODY_CHARS:
            raise ProtocolError(
                "too_long", f"A message is limited to {chat.MAX_BODY_CHARS} characters.", **extra
            )
        if not self.message_bucket.take():
            raise ProtocolError("rate_limited", "Too many messages; wait a few seconds.", **extra)
        if time.monotonic() - self.checked_at > STATUS_RECHECK_SECONDS:
            # The end of a consultation normally arrives as a group event; re-reading the status now and
            # then also covers a dropped event, at one query per STATUS_RECHECK_SECONDS, not per message.
            await database_sync_to_async(self.consultation.refresh_from_db)(fields=["status"])
            self.checked_at = time.monotonic()
        if not chat.chat_is_open(self.consultation):
            await self.send_event(
                {"type": "error", "code": "chat_closed", "detail": "This consultation is closed.", **extra}
            )
            await self.close(code=CLOSE_NOT_OPEN)
            return
        # Not thread-sensitive: Channels would otherwise run every consumer's INSERT on one shared
        # thread, one commit (and its fsync) after another, capping a process at ~1/fsync messages per
        # second however idle the CPU is (measured ~90 msg/s). In the executor's threads, each with its
        # own pooled connection, commits overlap and PostgreSQL groups them. Order per socket holds: a
        # consumer handles its frames one at a time; clients already tolerate a late-committed smaller id.
        message, created = await database_sync_to_async(chat.message_send, thread_sensitive=False)(
            consultation=self.consultation, sender=self.user, client_id=client_id, body=body
        )
        event = chat.message_to_event(message, sender=self.me, consultation=self.consultation)
        self.max_delivered = max(self.max_delivered, message.pk)
        # The sender's copy goes straight down its own socket (the acknowledgement must not depend on
        # the channel layer); everyone else gets it through the group. A resend only answers the sender.
        await self.send(text_data=_dumps(event))
        if created:
            await self.broadcast(event, exclude_self=True)
            # Off the acknowledgement's path: an email may take seconds to hand over.
            task = asyncio.ensure_future(self._notify_if_away(message))
            self.background.add(task)
            task.add_done_callback(self.background.discard)

    async def _notify_if_away(self, message):
        try:
            await database_sync_to_async(chat.notify_if_away, thread_sensitive=False)(
                consultation=self.consultation, sender_id=self.user.pk, message=message
            )
        except Exception:
            logger.exception("away notification failed in consultation %s", self.consultation_id)

    async def on_typing(self, data):
        is_typing = data.get("is_typing")
        if not isinstance(is_typing, bool):
            raise ProtocolError("invalid", "is_typing must be true or false.")
        await self.broadcast(
            {"type": "typing", "user_id": self.user.pk, "is_typing": is_typing}, exclude_self=True
        )

    async def on_read(self, data):
        up_to = data.get("up_to")
        if not isinstance(up_to, int) or isinstance(up_to, bool) or up_to < 1:
            raise ProtocolError("invalid", "up_to must be a positive message id.")
        if up_to > self.max_delivered:
            # Never mark as read beyond what is stored (a typo would hide every later message).
            up_to = min(up_to, await database_sync_to_async(self._newest_id)())
            self.max_delivered = max(self.max_delivered, up_to)
        if up_to < 1:
            return
        moved = await database_sync_to_async(chat.mark_read)(
            consultation=self.consultation, user=self.user, up_to=up_to
        )
        if moved:
            await self.broadcast({"type": "read", "user_id": self.user.pk, "up_to": moved}, exclude_self=True)

    def _newest_id(self) -> int:
        return self.consultation.messages.order_by("-id").values_list("id", flat=True).first() or 0

    async def on_sync(self, data):
        after = data.get("after", 0)
        if after is None:
            after = 0
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise ProtocolError("invalid", "after must be a message id (0 for everything).")
        pages = await database_sync_to_async(self._sync_texts)(after)
        for texts in pages[:-1]:
            for text in texts:
                await self.send(text_data=text)
        last_id = pages[-1]
        self.max_delivered = max(self.max_delivered, last_id)
        await self.send_event({"type": "synced", "last_id": last_id})

    def _sync_texts(self, after: int) -> list:
        # One thread hop for the whole sync: pages of encoded events, then the last id.
        pages = []
        for kind, value in chat.sync_events(self.consultation, after):
            pages.append([_dumps(event) for event in value] if kind == "page" else value)
        return pages

    # --- server -> client ---------------------------------------------------------------------------
    async def send_event(self, event: dict):
        await self.send(text_data=_dumps(event))

    async def broadcast(self, event: dict, *, exclude_self: bool = False):
        payload = chat.relay(
            event, exclude_channel=self.channel_name if exclude_self else None, user_id=self.user.pk
        )
        try:
            await self.channel_layer.group_send(self.group, payload)
        except Exception:
            # The message is stored; the others recover it with `sync`.
            logger.exception("chat group_send failed in consultation %s", self.consultation_id)

    async def chat_relay(self, event):
        if not self.joined or event.get("exclude") == self.channel_name:
            return
        kind = event.get("event", "")
        if kind in ("typing", "presence") and event.get("user_id") == self.user.pk:
            return  # about myself (another tab of mine): the client needs only the other side's
        if event.get("id"):
            self.max_delivered = max(self.max_delivered, event["id"])
        await self.send(text_data=event["text"])
        if kind.startswith("consultation.") and event.get("status"):
            self.consultation.status = event["status"]
            self.checked_at = time.monotonic()
            if not chat.chat_is_open(self.consultation):
                await self.close(code=CLOSE_NOT_OPEN)
