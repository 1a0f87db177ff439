"""The chat WebSocket against the real ASGI application (Origin check, session auth, routing)."""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from consultations.chat import consumer as consumers
from consultations.chat import live as chat_live
from consultations.chat import services as chat
from consultations.models import Consultation, Message, ReadState, VetProfile
from tests import factories
from tests.consultations.chat_support import (
    aheaders,
    amake,
    close_code,
    communicator,
    drain,
    open_socket,
    receive_until,
    send_frame,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
Status = Consultation.Status


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each async test runs in its own event loop; the Redis layer (CI) keeps per-loop state such as
    its receive lock, so every test gets a new layer instance."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _close_worker_thread_connections():
    """The consumer's database calls (and sync_to_async here) run in asgiref's shared worker thread,
    whose connection Django's test teardown does not see; close it so PostgreSQL can drop the test DB."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    chat_live.close_writer_connection()


async def pair(owner, vet, status=Status.ACTIVE):
    consultation = await amake(owner, vet, status)
    owner_socket = await open_socket(consultation, await aheaders(owner))
    vet_socket = await open_socket(consultation, await aheaders(vet))
    await drain(owner_socket, settle_only=True)  # the vet's presence, handed over by the vet's connect
    return consultation, owner_socket, vet_socket


async def send_and_ack(socket, body="Halo", client_id=None) -> dict:
    frame = send_frame(body, client_id)
    await socket.send_json_to(frame)
    return await receive_until(socket, "message")


# --- messages ------------------------------------------------------------------------------------------
async def test_owner_message_reaches_vet_and_is_stored_first(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    frame = send_frame("Kucing saya tidak mau makan")
    await owner_socket.send_json_to(frame)
    echo = await receive_until(owner_socket, "message")
    seen = await receive_until(vet_socket, "message")

    assert echo == seen
    assert set(seen) == {"type", "id", "seq", "client_id", "sender", "body", "attachment", "created_at"}
    assert seen["seq"] == 1  # the consultation's first message
    assert seen["client_id"] == frame["client_id"]
    assert seen["body"] == "Kucing saya tidak mau makan"
    assert seen["sender"] == {"id": owner.pk, "name": owner.display_name, "role": "owner"}
    assert seen["attachment"] is None
    assert seen["created_at"].endswith("Z")
    stored = await Message.objects.aget(pk=seen["id"])
    assert (stored.body, stored.sender_id, stored.consultation_id) == (
        frame["body"],
        owner.pk,
        consultation.pk,
    )
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_vet_message_carries_vet_role_and_full_name(owner, vet):
    _, owner_socket, vet_socket = await pair(owner, vet)
    await send_and_ack(vet_socket, "Sejak kapan?")
    seen = await receive_until(owner_socket, "message")
    assert seen["sender"] == {"id": vet.pk, "name": vet.full_name, "role": "vet"}
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_resend_with_same_client_id_is_idempotent(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    client_id = str(uuid.uuid4())
    first = await send_and_ack(owner_socket, "Halo dok", client_id)
    await receive_until(vet_socket, "message")
    again = await send_and_ack(owner_socket, "Halo dok", client_id)

    assert again == first
    assert await Message.objects.filter(consultation=consultation).acount() == 1
    assert await vet_socket.receive_nothing(0.3)  # the other side is not told twice
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_ids_increase_and_arrive_in_order(owner, vet):
    _, owner_socket, vet_socket = await pair(owner, vet)
    sent = [await send_and_ack(owner_socket, f"pesan {n}") for n in range(6)]
    received = [await receive_until(vet_socket, "message") for _ in range(6)]
    ids = [e["id"] for e in sent]
    assert ids == sorted(ids) and len(set(ids)) == 6
    assert [e["body"] for e in received] == [f"pesan {n}" for n in range(6)]
    assert [e["id"] for e in received] == ids
    await owner_socket.disconnect()
    await vet_socket.disconnect()


# --- sync ------------------------------------------------------------------------------------------------
async def test_sync_returns_exactly_the_later_messages_in_order(owner, vet):
    _, owner_socket, vet_socket = await pair(owner, vet)
    sent = [await send_and_ack(owner_socket, f"m{n}") for n in range(5)]
    await drain(vet_socket)

    await vet_socket.send_json_to({"type": "sync", "after": sent[1]["id"]})
    events = []
    while (event := await vet_socket.receive_json_from()) and event["type"] != "synced":
        events.append(event)
    assert [e["id"] for e in events] == [e["id"] for e in sent[2:]]
    assert all(e["type"] == "message" for e in events)
    assert event == {"type": "synced", "last_id": sent[-1]["id"], "last_seq": 5}
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_sync_pages_through_a_long_history(owner, vet):
    consultation = await amake(owner, vet)
    total = chat.SYNC_PAGE_SIZE * 2 + 17
    await Message.objects.abulk_create(
        [
            Message(consultation=consultation, sender=owner, client_id=uuid.uuid4(), body=f"b{n}", seq=n + 1)
            for n in range(total)
        ]
    )
    socket = await open_socket(consultation, await aheaders(vet))
    await socket.send_json_to({"type": "sync", "after": 0})
    ids = []
    while (event := await socket.receive_json_from(timeout=10)) and event["type"] == "message":
        ids.append(event["id"])
    assert len(ids) == total and ids == sorted(ids)
    assert event == {"type": "synced", "last_id": ids[-1], "last_seq": total}
    await socket.disconnect()


async def test_sync_with_nothing_new_reports_the_newest_id(owner, vet):
    _, owner_socket, vet_socket = await pair(owner, vet)
    last = await send_and_ack(owner_socket)
    await owner_socket.send_json_to({"type": "sync", "after": last["id"]})
    assert await receive_until(owner_socket, "synced") == {
        "type": "synced",
        "last_id": last["id"],
        "last_seq": last["seq"],
    }
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_nothing_is_lost_across_disconnect_and_reconnect(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    seen = await send_and_ack(owner_socket, "sebelum")
    await receive_until(vet_socket, "message")
    await vet_socket.disconnect()

    missed = [await send_and_ack(owner_socket, f"saat offline {n}") for n in range(3)]
    vet_socket = await open_socket(consultation, await aheaders(vet))
    await vet_socket.send_json_to({"type": "sync", "after": seen["id"]})
    got = []
    while (event := await vet_socket.receive_json_from()) and event["type"] != "synced":
        if event["type"] == "message":  # presence may interleave
            got.append(event)
    assert [e["id"] for e in got] == [e["id"] for e in missed]
    assert event["last_id"] == missed[-1]["id"]
    await owner_socket.disconnect()
    await vet_socket.disconnect()


# --- typing, read, presence ------------------------------------------------------------------------------
async def test_typing_is_relayed_to_the_other_participant_only(owner, vet):
    _, owner_socket, vet_socket = await pair(owner, vet)
    await owner_socket.send_json_to({"type": "typing", "is_typing": True})
    assert await vet_socket.receive_json_from() == {"type": "typing", "user_id": owner.pk, "is_typing": True}
    await owner_socket.send_json_to({"type": "typing", "is_typing": False})
    assert await vet_socket.receive_json_from() == {"type": "typing", "user_id": owner.pk, "is_typing": False}
    assert await owner_socket.receive_nothing(0.3)
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_read_receipt_is_stored_and_relayed_forward_only(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    first = await send_and_ack(owner_socket, "satu")
    second = await send_and_ack(owner_socket, "dua")
    await drain(vet_socket)

    await vet_socket.send_json_to({"type": "read", "up_to": second["id"]})
    assert await receive_until(owner_socket, "read") == {
        "type": "read",
        "user_id": vet.pk,
        "up_to": second["id"],
    }
    state = await ReadState.objects.aget(consultation=consultation, user=vet)
    assert state.last_read_id == second["id"]

    await vet_socket.send_json_to({"type": "read", "up_to": first["id"]})  # late, lower: ignored
    assert await owner_socket.receive_nothing(0.3)
    await state.arefresh_from_db()
    assert state.last_read_id == second["id"]
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_read_beyond_the_newest_message_is_capped(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    last = await send_and_ack(owner_socket)
    await vet_socket.send_json_to({"type": "read", "up_to": last["id"] + 1000})
    assert (await receive_until(owner_socket, "read"))["up_to"] == last["id"]
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_newcomer_learns_presence_and_read_state_and_room_learns_of_newcomer(owner, vet):
    consultation = await amake(owner, vet)
    owner_socket = await open_socket(consultation, await aheaders(owner))
    ack = await send_and_ack(owner_socket)
    await ReadState.objects.acreate(consultation=consultation, user=owner, last_read_id=ack["id"])

    vet_socket = communicator(consultation, await aheaders(vet))
    assert (await vet_socket.connect())[0]
    first = await vet_socket.receive_json_from()
    second = await vet_socket.receive_json_from()
    assert first == {"type": "presence", "user_id": owner.pk, "online": True}
    assert second == {"type": "read", "user_id": owner.pk, "up_to": ack["id"]}
    assert await receive_until(owner_socket, "presence") == {
        "type": "presence",
        "user_id": vet.pk,
        "online": True,
    }

    await vet_socket.disconnect()
    assert await receive_until(owner_socket, "presence") == {
        "type": "presence",
        "user_id": vet.pk,
        "online": False,
    }
    await owner_socket.disconnect()


async def test_newcomer_is_told_when_the_other_side_is_offline(owner, vet):
    consultation = await amake(owner, vet)
    socket = communicator(consultation, await aheaders(owner))
    await socket.connect()
    assert await socket.receive_json_from() == {"type": "presence", "user_id": vet.pk, "online": False}
    await socket.disconnect()


async def test_second_tab_keeps_the_user_online(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    second_tab = await open_socket(consultation, await aheaders(vet))
    await drain(owner_socket)
    await second_tab.disconnect()
    event = await receive_until(owner_socket, "presence")
    assert event == {"type": "presence", "user_id": vet.pk, "online": True}
    await vet_socket.disconnect()
    assert (await receive_until(owner_socket, "presence"))["online"] is False
    await owner_socket.disconnect()


async def test_vet_connection_updates_last_seen(owner, vet):
    profile = await VetProfile.objects.acreate(user=vet)
    consultation = await amake(owner, vet)
    socket = await open_socket(consultation, await aheaders(vet))
    await profile.arefresh_from_db()
    assert profile.last_seen_at is not None
    assert (timezone.now() - profile.last_seen_at).total_seconds() < 30
    await socket.disconnect()


# --- connect refusals ------------------------------------------------------------------------------------
async def refused_with(consultation_or_id, headers) -> int:
    socket = communicator(consultation_or_id, headers)
    connected, _ = await socket.connect()
    assert connected  # accepted first so that the browser sees the close code
    code = await close_code(socket)
    await socket.disconnect(code)  # the browser answers the close; the server then ends the consumer
    return code


async def test_anonymous_is_closed_4401(owner, vet):
    consultation = await amake(owner, vet)
    assert await refused_with(consultation, await aheaders(None)) == 4401


async def test_third_user_is_closed_4403(owner, vet, other_member):
    consultation = await amake(owner, vet)
    assert await refused_with(consultation, await aheaders(other_member)) == 4403


async def test_staff_may_not_join_the_live_room(owner, vet, staff):
    consultation = await amake(owner, vet)
    assert await refused_with(consultation, await aheaders(staff)) == 4403


async def test_unknown_consultation_is_closed_4403(owner):
    assert await refused_with(uuid.uuid4(), await aheaders(owner)) == 4403


@pytest.mark.parametrize("status", [Status.AWAITING_PAYMENT, Status.ENDED, Status.CANCELLED, Status.EXPIRED])
async def test_consultation_not_open_is_closed_4409(owner, vet, status):
    consultation = await amake(owner, vet, status)
    assert await refused_with(consultation, await aheaders(owner)) == 4409
    assert await refused_with(consultation, await aheaders(vet)) == 4409


async def test_owner_may_write_while_waiting_for_the_vet(owner, vet):
    consultation = await amake(owner, vet, Status.WAITING)
    socket = await open_socket(consultation, await aheaders(owner))
    assert (await send_and_ack(socket, "Masih menunggu"))["id"]
    await socket.disconnect()


async def test_foreign_origin_is_refused(owner, vet):
    consultation = await amake(owner, vet)
    socket = communicator(consultation, await aheaders(owner, origin=b"https://evil.example"))
    connected, _ = await socket.connect()
    assert not connected
    assert await Message.objects.acount() == 0


# --- bad input never closes the socket -------------------------------------------------------------------
async def expect_error(socket, frame, code):
    if isinstance(frame, str):
        await socket.send_to(text_data=frame)
    else:
        await socket.send_json_to(frame)
    event = await receive_until(socket, "error")
    assert event["code"] == code, event
    assert event["detail"]
    return event


async def test_bad_input_answers_error_events_and_keeps_the_socket(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    await expect_error(owner_socket, "{not json", "bad_json")
    await expect_error(owner_socket, "[1, 2]", "bad_json")
    await expect_error(owner_socket, {"type": "dance"}, "unknown_type")
    await expect_error(owner_socket, {"body": "no type"}, "unknown_type")
    await expect_error(owner_socket, {"type": "message.send", "body": "x"}, "invalid")
    await expect_error(owner_socket, {"type": "message.send", "client_id": "nope", "body": "x"}, "invalid")
    event = await expect_error(
        owner_socket, {"type": "message.send", "client_id": str(uuid.uuid4())}, "invalid"
    )
    assert "client_id" in event
    await expect_error(
        owner_socket, {"type": "message.send", "client_id": str(uuid.uuid4()), "body": "  "}, "invalid"
    )
    await expect_error(
        owner_socket, {"type": "message.send", "client_id": str(uuid.uuid4()), "body": "a\u0000b"}, "invalid"
    )
    await expect_error(
        owner_socket, {"type": "message.send", "client_id": str(uuid.uuid4()), "body": 42}, "invalid"
    )
    await expect_error(owner_socket, {"type": "typing"}, "invalid")
    await expect_error(owner_socket, {"type": "read", "up_to": "5"}, "invalid")
    await expect_error(owner_socket, {"type": "read", "up_to": True}, "invalid")
    await expect_error(owner_socket, {"type": "sync", "after": -1}, "invalid")
    await owner_socket.send_to(bytes_data=b"\x00\x01")
    assert (await receive_until(owner_socket, "error"))["code"] == "bad_frame"

    assert (await send_and_ack(owner_socket, "masih hidup"))["body"] == "masih hidup"
    assert await Message.objects.filter(consultation=consultation).acount() == 1
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_oversize_message_is_refused_with_an_error(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    frame = send_frame("x" * (chat.MAX_BODY_CHARS + 1))
    event = await expect_error(owner_socket, frame, "too_long")
    assert event["client_id"] == frame["client_id"]
    await expect_error(owner_socket, json.dumps(send_frame("y" * 40_000)), "too_long")
    ok = await send_and_ack(owner_socket, "x" * chat.MAX_BODY_CHARS)
    assert len(ok["body"]) == chat.MAX_BODY_CHARS
    assert await Message.objects.filter(consultation=consultation).acount() == 1
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_flood_is_refused_with_an_error(owner, vet, monkeypatch):
    # 20 per 10 000 s: no token comes back while the 25 sends commit one by one on a slow machine.
    monkeypatch.setattr(consumers, "MESSAGE_RATE", (consumers.MESSAGE_RATE[0], 10_000.0))
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    limit = consumers.MESSAGE_RATE[0]
    for n in range(limit + 5):
        await owner_socket.send_json_to(send_frame(f"spam {n}"))
    events = [await owner_socket.receive_json_from() for _ in range(limit + 5)]
    kinds = [e["type"] for e in events]
    assert kinds.count("message") == limit
    assert {e["code"] for e in events if e["type"] == "error"} == {"rate_limited"}
    assert await Message.objects.filter(consultation=consultation).acount() == limit
    await owner_socket.disconnect()
    await vet_socket.disconnect()


# --- the consultation's life ------------------------------------------------------------------------------
async def test_end_event_is_relayed_and_closes_the_room(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet)

    def end():
        consultation.status = Status.ENDED
        consultation.save(update_fields=["status"])
        chat.broadcast_consultation_event(consultation, "consultation.ended", summary="Beri makan basah.")

    await sync_to_async(end)()
    for socket in (owner_socket, vet_socket):
        event = await receive_until(socket, "consultation.ended")
        assert event == {
            "type": "consultation.ended",
            "consultation": str(consultation.pk),
            "status": "ended",
            "summary": "Beri makan basah.",
        }
        assert await close_code(socket) == 4409


async def test_accepted_event_is_relayed_and_keeps_the_room_open(owner, vet):
    consultation, owner_socket, vet_socket = await pair(owner, vet, Status.WAITING)

    def accept():
        consultation.status = Status.ACTIVE
        consultation.save(update_fields=["status"])
        chat.broadcast_consultation_event(consultation, "consultation.accepted")

    await sync_to_async(accept)()
    assert (await receive_until(owner_socket, "consultation.accepted"))["status"] == "active"
    assert (await send_and_ack(owner_socket))["type"] == "message"
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_a_missed_end_event_is_caught_by_the_status_recheck(owner, vet, monkeypatch):
    monkeypatch.setattr(consumers, "STATUS_RECHECK_SECONDS", 0)
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    await Consultation.objects.filter(pk=consultation.pk).aupdate(status=Status.ENDED)  # no event sent
    frame = send_frame("terlambat")
    await owner_socket.send_json_to(frame)
    event = await receive_until(owner_socket, "error")
    assert event["code"] == "chat_closed" and event["client_id"] == frame["client_id"]
    assert await close_code(owner_socket) == 4409
    assert await Message.objects.acount() == 0
    await vet_socket.disconnect()


async def test_one_status_recheck_serves_the_whole_room(owner, vet, monkeypatch):
    consultation, owner_socket, vet_socket = await pair(owner, vet)
    room = chat_live.rooms[str(consultation.pk)]
    for socket in room.sockets:
        socket.checked_at -= 3600  # both sockets are due for a re-read
    reads = []
    real = chat_live.consultation_status

    async def counted(consultation):
        reads.append(consultation.pk)
        return await real(consultation)

    monkeypatch.setattr(chat_live, "consultation_status", counted)
    await send_and_ack(owner_socket)
    await send_and_ack(vet_socket)
    assert len(reads) == 1  # the owner's send re-read the status for the vet's socket too
    await owner_socket.disconnect()
    await vet_socket.disconnect()


def test_writing_to_a_socket_daphne_has_closed_is_a_routine_disconnect():
    from autobahn.exception import Disconnected

    assert consumers._is_disconnect(Disconnected("Attempt to send on a closed protocol"))
    assert not consumers._is_disconnect(ValueError("Attempt to send on a closed protocol"))


async def test_a_socket_whose_consumer_fails_still_leaves_the_room(owner, vet, monkeypatch):
    # Seen under daphne: a frame failed, the error reply failed too, the consumer ended without its
    # disconnect message, and the owner stayed in the room (shown online) for as long as the process lived.
    consultation, owner_socket, vet_socket = await pair(owner, vet)

    async def fails(self, *args):
        raise RuntimeError("the frame and the error reply both failed")

    monkeypatch.setattr(consumers.ChatConsumer, "dispatch_frame", fails)
    monkeypatch.setattr(consumers.ChatConsumer, "_send_error", fails)
    await owner_socket.send_json_to(send_frame())
    with pytest.raises(RuntimeError):
        await owner_socket.wait(2)
    event = await receive_until(vet_socket, "presence")
    assert event == {"type": "presence", "user_id": owner.pk, "online": False}
    room = chat_live.rooms[str(consultation.pk)]
    assert [socket.user.pk for socket in room.sockets] == [vet.pk]
    await vet_socket.disconnect()
    assert str(consultation.pk) not in chat_live.rooms


def test_module_constants_match_the_documented_contract():
    assert (consumers.CLOSE_NOT_LOGGED_IN, consumers.CLOSE_NOT_PARTICIPANT, consumers.CLOSE_NOT_OPEN) == (
        4401,
        4403,
        4409,
    )
    assert chat.MAX_BODY_CHARS == 4000
    assert consumers.MAX_FRAME_CHARS == 49_000  # a 4,000-character body escaped at 12 characters each
    assert (consumers.CLOSE_TRY_AGAIN_LATER, consumers.CLOSE_SERVER_ERROR) == (1013, 1011)
    assert factories  # personas come from tests/conftest.py


async def test_the_lifecycle_end_service_closes_the_live_room(owner, vet):
    from consultations import services

    consultation, owner_socket, vet_socket = await pair(owner, vet)
    await sync_to_async(services.consultation_end)(
        consultation=consultation, by=vet, summary="Minum yang cukup."
    )
    event = await receive_until(owner_socket, "consultation.ended")
    assert event["status"] == "ended" and event["summary"] == "Minum yang cukup."
    assert await close_code(owner_socket) == 4409
    await receive_until(vet_socket, "consultation.ended")
    assert await close_code(vet_socket) == 4409
