"""Chat services: store messages, page history, read receipts, protocol events (presence: presence.py).

The database is the record; the channel layer only relays (it may drop under load, clients `sync`).
Every function here is synchronous; the consumer calls them through `database_sync_to_async` and the
HTTP views call them directly. See docs/chat-protocol.md for the wire format.
"""

import logging
import uuid
from datetime import UTC

import orjson
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from notifications.services import notify

from ..models import Consultation, Message, ReadState
from .presence import online_user_ids

logger = logging.getLogger(__name__)

# The rule: the owner may write while waiting for the vet, and both while the vet is on the case.
CHAT_OPEN_STATUSES = frozenset({Consultation.Status.WAITING, Consultation.Status.ACTIVE})
MAX_BODY_CHARS = 4000
SYNC_PAGE_SIZE = 200


def group_name(consultation_id) -> str:
    return f"consultation-{consultation_id}"


def chat_is_open(consultation: Consultation) -> bool:
    return consultation.status in CHAT_OPEN_STATUSES


def participant_name(user, role: str) -> str:
    # A vet is addressed by full professional name ("drh. Ayu Pratiwi"); an owner by first name only.
    if role == "vet":
        return user.full_name or user.display_name
    return user.display_name


def participant_info(consultation: Consultation, user) -> dict | None:
    """{"id", "name", "role"} of a participant, None for anyone else. Needs owner/vet loaded."""
    if user.pk == consultation.owner_id:
        return {"id": user.pk, "name": participant_name(user, "owner"), "role": "owner"}
    if user.pk == consultation.vet_id:
        return {"id": user.pk, "name": participant_name(user, "vet"), "role": "vet"}
    return None


def _iso(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def attachment_url(message: Message) -> str:
    return reverse("consultations:chat_attachment", args=[message.consultation_id, message.pk])


def message_to_event(
    message: Message, *, sender: dict | None = None, consultation: Consultation | None = None
) -> dict:
    """The protocol's `message` event. Pass `sender` (participant_info) to avoid loading the sender;
    otherwise `message.sender` and the consultation's owner/vet ids are used."""
    if sender is None:
        consultation = consultation or message.consultation
        role = "vet" if message.sender_id == consultation.vet_id else "owner"
        sender = {"id": message.sender_id, "name": participant_name(message.sender, role), "role": role}
    attachment = None
    if message.attachment:
        attachment = {
            "url": attachment_url(message),
            "width": message.attachment_width,
            "height": message.attachment_height,
        }
    return {
        "type": "message",
        "id": message.pk,
        "seq": message.seq,
        "client_id": str(message.client_id),
        "sender": sender,
        "body": message.body,
        "attachment": attachment,
        "created_at": _iso(message.created_at),
    }


# --- messages ----------------------------------------------------------------------------------------
def message_send(
    *,
    consultation: Consultation,
    sender,
    client_id: uuid.UUID,
    body: str,
    attachment=None,
    attachment_width: int | None = None,
    attachment_height: int | None = None,
    broadcast: bool = False,
) -> tuple[Message, bool]:
    """Store a message once per (consultation, sender, client_id); returns (message, created).

    A resend with the same client_id returns the stored message and creates nothing. The caller checks
    that the chat is open and the body's size (the consumer does both without a query per message).
    `broadcast=True` (HTTP callers) announces a new message to the group after commit; the consumer
    sends it itself, straight from its event loop.

    Cost of the usual case: the counter UPDATE (which takes the message's `seq` and locks the
    consultation's numbering until commit) and one INSERT. The unique constraint decides duplicates,
    so there is no SELECT first; a refused duplicate rolls its number back.
    """
    message = Message(
        consultation=consultation,
        sender=sender,
        client_id=client_id,
        body=body,
        attachment=attachment or "",
        attachment_width=attachment_width,
        attachment_height=attachment_height,
    )
    try:
        message.save(force_insert=True)  # its own transaction (or savepoint): seq, INSERT, commit
    except IntegrityError:
        if message.attachment:  # the file was written before the INSERT failed
            message.attachment.storage.delete(message.attachment.name)
        existing = Message.objects.filter(
            consultation=consultation, sender=sender, client_id=client_id
        ).first()
        if existing is None:  # another integrity problem (e.g. the consultation vanished)
            raise
        return existing, False
    if broadcast:
        info = participant_info(consultation, sender)
        event = message_to_event(message, sender=info, consultation=consultation)
        transaction.on_commit(lambda: group_send_event(consultation.pk, event))
    return message, True


def messages_after(
    consultation: Consultation | uuid.UUID, after_id: int, limit: int = SYNC_PAGE_SIZE
) -> list[Message]:
    """Stored messages with id > after_id, oldest first, at most `limit` (senders loaded)."""
    consultation_id = getattr(consultation, "pk", consultation)
    return list(
        Message.objects.filter(consultation_id=consultation_id, seq__gt=seq_of_id(consultation_id, after_id))
        .select_related("sender")
        .order_by("consultation_id", "seq")[:limit]
    )


def seq_of_id(consultation_id, after_id: int) -> int:
    """The cursor `after=<id>` as a seq: the seq of the newest message with id <= after_id (0 if none).

    Ids and seqs grow together within a consultation (both are taken under the same lock), so "id > N"
    and "seq > seq_of_id(N)" name the same messages. ORDER BY (consultation, seq) DESC walks the
    (consultation, seq) index back from the newest message and stops at the first with id <= N: it
    reads the messages after the cursor (which a sync sends anyway), never the whole conversation.
    """
    if after_id <= 0:
        return 0
    seq = (
        Message.objects.filter(consultation_id=consultation_id, id__lte=after_id)
        .order_by("-consultation_id", "-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return seq or 0


def messages_after_seq(consultation_id, after_seq: int, limit: int = SYNC_PAGE_SIZE) -> list[Message]:
    """Stored messages with seq > after_seq, in seq order, at most `limit` (senders not loaded).

    Filter and order match the (consultation, seq) unique index, so a sync of the newest messages
    reads only those rows however long the conversation is (tests assert the plan on PostgreSQL).
    """
    return list(
        Message.objects.filter(consultation_id=consultation_id, seq__gt=after_seq).order_by(
            "consultation_id", "seq"
        )[:limit]
    )


def newest(consultation_id) -> tuple[int, int]:
    """(id, seq) of the newest stored message, (0, 0) for none."""
    row = (
        Message.objects.filter(consultation_id=consultation_id)
        .order_by("-consultation_id", "-seq")
        .values_list("id", "seq")
        .first()
    )
    return row or (0, 0)


def sync_events(consultation: Consultation, after_id: int | None = None, *, after_seq: int | None = None):
    """Yield pages (lists of `message` events) of everything after the cursor, then the last position.

    The cursor is `after_seq` (the protocol's gapless one) or, for older clients, `after_id`. A
    generator of ("page", [events]) and finally ("synced", last_id, last_seq); the consumer sends each
    page as it comes so a long history is never held twice in memory. When nothing is newer, the last
    position is the newest stored message (never beyond what exists).
    """
    if after_seq is None:
        after_seq = seq_of_id(consultation.pk, after_id or 0)
    senders = {
        consultation.owner_id: participant_info(consultation, consultation.owner),
        consultation.vet_id: participant_info(consultation, consultation.vet),
    }
    last_id, last_seq = None, after_seq
    while True:
        rows = messages_after_seq(consultation.pk, last_seq, SYNC_PAGE_SIZE)
        if rows:
            last_id, last_seq = rows[-1].pk, rows[-1].seq
            yield "page", [message_to_event(m, sender=senders[m.sender_id]) for m in rows]
        if len(rows) < SYNC_PAGE_SIZE:
            break
    if last_id is None:
        last_id, last_seq = newest(consultation.pk)
    yield "synced", last_id, last_seq


def mark_read(*, consultation: Consultation | uuid.UUID, user, up_to: int) -> int | None:
    """Move the user's read marker forward to `up_to`; returns the new marker, or None if unchanged.

    Forward only: a late or repeated `read` never moves the marker back.
    """
    consultation_id = getattr(consultation, "pk", consultation)
    updated = ReadState.objects.filter(
        consultation_id=consultation_id, user=user, last_read_id__lt=up_to
    ).update(last_read_id=up_to)
    if updated:
        return up_to
    try:
        with transaction.atomic():
            _, created = ReadState.objects.get_or_create(
                consultation_id=consultation_id, user=user, defaults={"last_read_id": up_to}
            )
    except IntegrityError:  # two tabs created it at once; the other one won
        return None
    return up_to if created else None


def read_states(consultation: Consultation) -> dict[int, int]:
    """{user_id: last_read_id} of the consultation's participants."""
    return dict(ReadState.objects.filter(consultation=consultation).values_list("user_id", "last_read_id"))


def unread_counts(*, user, consultation_ids) -> dict[str, int]:
    """{consultation id (hex): messages from the others after the user's read marker}, one query.

    The read marker (a message id) becomes a seq first: the newest message with id <= marker, found by
    walking the (consultation, seq) index back from the newest (id and seq grow together), so only the
    unread messages are read; no marker, no walk. Plain SQL: the ORM's form (correlated subqueries per
    row) cost more to build than to run (profiled)."""
    field = Message._meta.get_field("consultation").target_field
    ids = [field.get_db_prep_value(uuid.UUID(str(pk)), connection) for pk in consultation_ids]
    if not ids:
        return {}
    message, read = Message._meta.db_table, ReadState._meta.db_table
    consultation = Message._meta.get_field("consultation").related_model._meta.db_table
    sql = (
        f"SELECT x.cid, (SELECT COUNT(*) FROM {message} m WHERE m.consultation_id = x.cid "  # noqa: S608 (our tables; values are parameters)
        "AND m.seq > x.read_seq AND m.sender_id <> %s) FROM ("
        "SELECT c.id AS cid, CASE WHEN COALESCE(r.last_read_id, 0) = 0 THEN 0 ELSE COALESCE(("
        f"SELECT m2.seq FROM {message} m2 WHERE m2.consultation_id = c.id AND m2.id <= r.last_read_id "
        "ORDER BY m2.seq DESC LIMIT 1), 0) END AS read_seq "
        f"FROM {consultation} c LEFT JOIN {read} r ON r.consultation_id = c.id AND r.user_id = %s "
        f"WHERE c.id IN ({', '.join(['%s'] * len(ids))})) x"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, *ids])
        return {uuid.UUID(str(pk)).hex: n for pk, n in cursor.fetchall() if n}


# --- broadcasting ------------------------------------------------------------------------------------
def group_send_event(consultation_id, event: dict, *, exclude_channel: str | None = None) -> None:
    """Relay one protocol event to every socket of the consultation (sync callers).

    Failures are logged, not raised: the event is already stored, clients recover with `sync`.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            group_name(consultation_id), relay(event, exclude_channel=exclude_channel)
        )
    except Exception:
        logger.exception("chat relay to consultation %s failed", consultation_id)


_django_json = DjangoJSONEncoder()


def dumps(event: dict) -> str:
    """An event as a JSON text frame: orjson (measured ~10x faster than json + DjangoJSONEncoder on a
    message event), with Django's encoder for what orjson leaves to it (datetimes in Django's format,
    Decimal, lazy translations), UTF-8 unescaped as before."""
    return orjson.dumps(
        event, default=_django_json.default, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
    ).decode()


def loads(text: str):
    """A client's frame; raises ValueError (orjson.JSONDecodeError) on invalid JSON."""
    return orjson.loads(text)


def relay(
    event: dict,
    *,
    exclude_channel: str | None = None,
    user_id: int | None = None,
    text: str | None = None,
    origin: str | None = None,
    room_sockets: int | None = None,
) -> dict:
    """The channel-layer message that carries a protocol event: the JSON is encoded once, here, not
    once per receiving socket. `origin` names the server process that already delivered it to its own
    sockets (they skip it); `room_sockets` (presence changes) tells other processes how many sockets
    the room has in all, so each knows whether it must relay through the layer at all."""
    return {
        "type": "chat.relay",
        "text": text if text is not None else dumps(event),
        "origin": origin,
        "room_sockets": room_sockets,
        "event": event["type"],
        "status": event.get("status"),
        "exclude": exclude_channel,
        "user_id": user_id,
        # Lets each socket track the newest id it delivered (it bounds `read` without a query).
        "id": event["id"] if event["type"] == "message" else None,
    }


def broadcast_consultation_event(consultation: Consultation, event_type: str, **data) -> None:
    """Tell the consultation's open sockets that its state changed ("consultation.accepted",
    "consultation.ended", ...). Call it from a service through transaction.on_commit.

    Sockets forward the event; when the new status closes the chat they close with code 4409.
    """
    event = {"type": event_type, "consultation": str(consultation.pk), "status": consultation.status, **data}
    group_send_event(consultation.pk, event)


# While the other side is away from the room, tell them a message is waiting, at most once per window.
AWAY_NOTIFY_SECONDS = 10 * 60


def notify_if_away(*, consultation: Consultation, sender_id: int, message: Message) -> bool:
    """Email + in-app notification to the recipient when they have no open chat socket.

    At most one per consultation and recipient every AWAY_NOTIFY_SECONDS (a burst of messages is one
    nudge). Returns whether a notification was sent. Costs one cache read per message otherwise.
    """
    recipient = consultation.vet if sender_id == consultation.owner_id else consultation.owner
    if recipient.pk in online_user_ids(consultation.pk, (recipient.pk,)):
        return False
    if not cache.add(f"chat:away-notified:{consultation.pk}:{recipient.pk}", 1, AWAY_NOTIFY_SECONDS):
        return False
    sender = consultation.owner if sender_id == consultation.owner_id else consultation.vet
    notify(
        recipient,
        kind="consultations.chat_message",
        context={"consultation": consultation, "sender": sender, "has_photo": bool(message.attachment)},
        url=reverse("consultations:room", args=[consultation.pk]),
    )
    return True
