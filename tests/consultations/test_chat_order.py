"""Order, exactly-once and capacity of the chat: the gapless `seq`, `sync after_seq`, `busy`."""

import asyncio
import json
import logging
import threading
import time
import uuid
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.db import connection, connections, transaction

import hellopet.asgi  # noqa: F401  (its django.setup() re-applies LOGGING: before caplog, not during a test)
from consultations.chat import live as chat_live
from consultations.chat import services as chat
from consultations.chat import store as chat_store
from consultations.chat.consumer import ChatConsumer
from consultations.chat.store import Send
from consultations.models import ChatSequence, Message
from tests.consultations.chat_support import (
    aheaders,
    amake,
    drain,
    make_consultation,
    open_socket,
    receive_until,
    send_frame,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_layer_and_connections():
    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    chat_live.close_writer_connection()


def test_a_batch_numbers_each_consultation_from_one_without_gaps_and_answers_resends(
    owner, vet, other_member
):
    first, second = make_consultation(owner, vet), make_consultation(other_member, vet)
    resent = uuid.uuid4()
    items = [
        Send(first.pk, owner.pk, resent, "a"),
        Send(second.pk, other_member.pk, uuid.uuid4(), "x"),
        Send(first.pk, vet.pk, uuid.uuid4(), "b"),
        Send(first.pk, owner.pk, resent, "a again, same client_id"),  # a double tap inside one batch
    ]
    stored = chat_store.store_messages(items)
    assert [(s.seq, s.created) for s in stored] == [(1, True), (1, True), (2, True), (1, False)]
    assert stored[3].id == stored[0].id
    again = chat_store.store_messages(
        [Send(first.pk, owner.pk, resent, "later"), Send(first.pk, owner.pk, uuid.uuid4(), "c")]
    )
    assert [(s.id, s.seq, s.created) for s in again] == [(stored[0].id, 1, False), (again[1].id, 3, True)]
    assert again[1].id > stored[2].id > stored[0].id  # ids grow with seq
    assert list(Message.objects.filter(consultation=first).order_by("seq").values_list("seq", "body")) == [
        (1, "a"),
        (2, "b"),
        (3, "c"),
    ]
    assert ChatSequence.objects.get(pk=first.pk).last_seq == 3


def _store_async(items):
    """store_messages_async on a psycopg AsyncConnection of its own, as the live writer runs it."""
    import psycopg

    async def run():
        conn = await psycopg.AsyncConnection.connect(**chat_live._async_params())
        try:
            return await chat_store.store_messages_async(conn, items)
        finally:
            await conn.close()

    return asyncio.run(run())


@pytest.mark.postgres
def test_the_one_message_statement_numbers_on_answers_resends_and_leaves_no_gap(owner, vet):
    consultation = make_consultation(owner, vet)
    first = _store_async([Send(consultation.pk, owner.pk, uuid.uuid4(), "first")])  # no counter row yet
    client_id = uuid.uuid4()
    second = _store_async([Send(consultation.pk, vet.pk, client_id, "second")])
    resent = _store_async([Send(consultation.pk, vet.pk, client_id, "second, tapped twice")])
    third = _store_async([Send(consultation.pk, owner.pk, uuid.uuid4(), "third")])
    assert [(s[0].seq, s[0].created) for s in (first, second, resent, third)] == [
        (1, True),
        (2, True),
        (2, False),
        (3, True),
    ]
    assert resent[0].id == second[0].id and resent[0].message.body == "second"
    assert ChatSequence.objects.get(pk=consultation.pk).last_seq == 3
    assert list(Message.objects.filter(consultation=consultation).values_list("seq", flat=True)) == [1, 2, 3]


@pytest.mark.postgres
@pytest.mark.parametrize("b_path", ["orm batch", "async one-message statement"])
def test_a_late_committed_message_is_never_skipped_by_sync_after_seq(owner, vet, b_path):
    """Writer A takes seq 1 and commits late; writer B, arriving meanwhile, waits on the counter row
    and takes seq 2 only after A's COMMIT. A reader syncing at any moment sees a prefix 1..n, never
    2 without 1 — so `after_seq` never steps over a late commit."""
    consultation = make_consultation(owner, vet)
    chat_store.store_messages([Send(consultation.pk, owner.pk, uuid.uuid4(), "first")])  # counter row
    a_holds, release_a = threading.Event(), threading.Event()
    results = {}

    def writer_a():
        try:
            with transaction.atomic():
                seq = ChatSequence.allocate(consultation.pk, 1)
                Message.objects.create(
                    consultation=consultation, sender=owner, client_id=uuid.uuid4(), body="A", seq=seq
                )
                a_holds.set()
                release_a.wait(10)
            results["a"] = seq
        finally:
            connection.close()

    def writer_b():
        items = [Send(consultation.pk, vet.pk, uuid.uuid4(), "B")]
        try:
            if b_path == "orm batch":
                results["b"] = chat_store.store_messages(items)[0].seq
            else:
                results["b"] = _store_async(items)[0].seq
        finally:
            connection.close()

    a = threading.Thread(target=writer_a)
    a.start()
    assert a_holds.wait(10)
    b = threading.Thread(target=writer_b)
    b.start()
    seen = []
    deadline = time.monotonic() + 0.6
    while time.monotonic() < deadline:  # A holds its seq uncommitted; B must not get ahead of it
        seen.append([m.seq for m in chat.messages_after_seq(consultation.pk, 1)])
        time.sleep(0.05)
    assert b.is_alive(), "B committed while A still held a lower seq"
    assert all(s == [] for s in seen)
    release_a.set()
    a.join(10)
    b.join(10)
    assert (results["a"], results["b"]) == (2, 3)
    assert [m.body for m in chat.messages_after_seq(consultation.pk, 1)] == ["A", "B"]


@pytest.mark.postgres
def test_sync_of_the_newest_messages_reads_the_consultation_seq_index(owner, vet, other_member):
    """50,000 messages in one consultation: PostgreSQL must range-scan (consultation, seq), not walk the
    primary key (the plan is what keeps the last-50 sync as fast as in a 50-message room)."""
    big, small = make_consultation(owner, vet), make_consultation(other_member, vet)
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        for consultation, sender, n in ((big, owner, 50_000), (small, other_member, 50)):
            cursor.execute(
                f"INSERT INTO {table} (consultation_id, sender_id, client_id, body, attachment, seq,"
                " created_at) SELECT %s, %s, gen_random_uuid(), 'pesan ' || g, '', g, now()"
                " FROM generate_series(1, %s) g",
                [consultation.pk, sender.pk, n],
            )
        cursor.execute(f"ANALYZE {table}")
    plan = (
        Message.objects.filter(consultation_id=big.pk, seq__gt=49_950)
        .order_by("consultation_id", "seq")[:200]
        .explain()
    )
    assert "message_consultation_seq" in plan, plan
    assert "pkey" not in plan and "Seq Scan" not in plan, plan
    assert [m.seq for m in chat.messages_after_seq(big.pk, 49_950)] == list(range(49_951, 50_001))
    steps = list(chat.sync_events(big, after_id=Message.objects.get(consultation=big, seq=49_950).pk))
    assert steps[-1][2] == 50_000 and len(steps[0][1]) == 50


# --- over the socket ----------------------------------------------------------------------------------
async def test_sync_after_seq_returns_exactly_the_unseen_messages(owner, vet):
    consultation = await amake(owner, vet)
    owner_socket = await open_socket(consultation, await aheaders(owner))
    vet_socket = await open_socket(consultation, await aheaders(vet))
    sent = []
    for n in range(4):
        await owner_socket.send_json_to(send_frame(f"m{n}"))
        sent.append(await receive_until(owner_socket, "message"))
    assert [m["seq"] for m in sent] == [1, 2, 3, 4]
    await drain(vet_socket)
    await vet_socket.send_json_to({"type": "sync", "after_seq": 2})
    events = []
    while (event := await vet_socket.receive_json_from()) and event["type"] != "synced":
        events.append(event)
    assert [e["seq"] for e in events] == [3, 4] and [e["id"] for e in events] == [m["id"] for m in sent[2:]]
    assert event == {"type": "synced", "last_id": sent[-1]["id"], "last_seq": 4}
    await vet_socket.send_json_to({"type": "sync", "after_seq": "2"})
    assert (await receive_until(vet_socket, "error"))["code"] == "invalid"
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def test_overload_answers_busy_with_a_retry_hint_and_the_resend_is_stored_once(
    owner, vet, other_member, settings, monkeypatch
):
    """The writer's queue is bounded: beyond it a send is refused with `busy` (never silence, never a
    minutes-long queue), and the client's resend with the same client_id is stored exactly once."""
    settings.CHAT_WRITE_QUEUE_LIMIT = 1
    settings.CHAT_BUSY_RETRY_MS = 50
    real_store = chat_live.Writer.store

    async def slow_store(writer, items):
        await asyncio.sleep(0.3)  # a slow disk: sends pile up while a batch commits
        return await real_store(writer, items)

    monkeypatch.setattr(chat_live.Writer, "store", slow_store)
    sockets = []
    for member in (owner, other_member):
        consultation = await amake(member, vet)
        sockets.append(await open_socket(consultation, await aheaders(member)))
        sockets.append(await open_socket(consultation, await aheaders(vet)))
    frames = [send_frame(f"flood {n}") for n in range(len(sockets))]
    for socket, frame in zip(sockets, frames, strict=True):
        await socket.send_json_to(frame)
    answers = {}
    for socket, frame in zip(sockets, frames, strict=True):
        event = await receive_until_any(socket, frame["client_id"])
        answers[frame["client_id"]] = event
    codes = sorted(e.get("code", "stored") for e in answers.values())
    assert "busy" in codes and "stored" in codes, codes  # every send got an answer
    for socket, frame in zip(sockets, frames, strict=True):
        attempts = 0
        while answers[frame["client_id"]]["type"] == "error":
            busy = answers[frame["client_id"]]
            assert busy["code"] == "busy" and busy["retry_after_ms"] == 50
            attempts += 1
            assert attempts < 20
            await asyncio.sleep(busy["retry_after_ms"] / 1000 * attempts)
            await socket.send_json_to(frame)  # the same client_id
            answers[frame["client_id"]] = await receive_until_any(socket, frame["client_id"])
    client_ids = [f["client_id"] for f in frames]
    stored = await sync_to_async(list)(
        Message.objects.filter(client_id__in=client_ids).values_list("client_id", flat=True)
    )
    assert sorted(str(c) for c in stored) == sorted(client_ids)
    for socket in sockets:
        await socket.disconnect()


async def test_connecting_costs_the_same_few_queries_in_one_hop_whatever_the_history(
    owner, vet, other_member
):
    """Session, user, consultation, read markers (and a vet's last_seen_at): a bounded number of
    statements per connect, the same for an empty room and for one with history and read markers, in
    one hop to a connect thread (not Channels' single database thread)."""
    quiet = await amake(other_member, vet)
    busy = await amake(owner, vet)
    await sync_to_async(chat_store.store_messages)(
        [Send(busy.pk, owner.pk if n % 2 else vet.pk, uuid.uuid4(), f"m{n}") for n in range(60)]
    )
    newest = await sync_to_async(chat.newest)(busy.pk)
    await sync_to_async(chat.mark_read)(consultation=busy, user=vet, up_to=newest[0])
    await sync_to_async(chat.mark_read)(consultation=busy, user=owner, up_to=newest[0] - 5)
    hops = []  # (thread name, statements) per connect-time load
    cache_objects = {}  # thread name -> the cache objects its loads used
    real_load = ChatConsumer._load

    def counted_load(consumer):
        statements = []

        def count(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(count):
            outcome = real_load(consumer)
        hops.append((threading.current_thread().name, statements))
        cache_objects.setdefault(threading.current_thread().name, set()).add(caches["default"])
        return outcome

    counts = {}
    with mock.patch.object(ChatConsumer, "_load", counted_load):
        for name, consultation, member in (("quiet", quiet, other_member), ("busy", busy, owner)):
            for who in (member, vet):
                headers = await aheaders(who)
                socket = await open_socket(consultation, headers)
                counts[(name, "vet" if who == vet else "owner")] = len(hops[-1][1])
                await socket.disconnect()
    assert counts[("quiet", "owner")] == counts[("busy", "owner")] <= 4, counts
    assert counts[("quiet", "vet")] == counts[("busy", "vet")] <= 5, counts
    assert len(hops) == 4  # one connect-time hop per socket
    assert all(thread.startswith("chat-connect") for thread, _ in hops), hops
    # Each thread keeps its cache object (and so its Redis connections) from one connect to the next.
    assert all(len(ids) == 1 for ids in cache_objects.values()), cache_objects


async def test_connects_do_not_queue_behind_one_another_on_a_single_thread(owner, vet, other_member):
    """A connect whose reads are slow (a slow database moment) does not hold up the next socket's."""
    slow_room, other_room = await amake(owner, vet), await amake(other_member, vet)
    release, entered = threading.Event(), threading.Event()
    real_load = ChatConsumer._load

    def load(consumer):
        if str(consumer.consultation_id) == str(slow_room.pk):
            entered.set()
            release.wait(10)
        return real_load(consumer)

    with mock.patch.object(ChatConsumer, "_load", load):
        slow = asyncio.ensure_future(open_socket(slow_room, await aheaders(owner)))
        while not entered.is_set():
            await asyncio.sleep(0.01)
        try:
            fast = await asyncio.wait_for(open_socket(other_room, await aheaders(other_member)), 5)
        finally:
            release.set()
        assert not slow.done()  # the first is still held: the second got through beside it
        slow = await slow
    await fast.disconnect()
    await slow.disconnect()


async def receive_until_any(socket, client_id, timeout=5):
    """The `message` (acknowledgement) or `error` about this client_id."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        event = await socket.receive_json_from(timeout=max(0.05, deadline - loop.time()))
        if event["type"] in ("message", "error") and event.get("client_id") == client_id:
            return event


async def test_a_long_non_ascii_body_escaped_by_the_client_is_accepted(owner, vet):
    consultation = await amake(owner, vet)
    socket = await open_socket(consultation, await aheaders(owner))
    frame = send_frame("é" * 4000)
    text = json.dumps(frame)  # ensure_ascii: every é becomes \u00e9
    assert len(text) == 24_089
    await socket.send_to(text_data=text)
    event = await receive_until(socket, "message")
    assert event["body"] == "é" * 4000 and event["client_id"] == frame["client_id"]

    too_long = send_frame("é" * 4001)
    await socket.send_to(text_data=json.dumps(too_long))
    error = await receive_until(socket, "error")
    assert (error["code"], error["client_id"]) == ("too_long", too_long["client_id"])

    huge = send_frame("x" * 60_000)
    await socket.send_to(text_data=json.dumps(huge))
    error = await receive_until(socket, "error")
    assert (error["code"], error["client_id"]) == ("too_long", huge["client_id"])  # refused, but named
    await socket.disconnect()


async def test_a_client_leaving_during_a_sync_is_routine_not_an_error(owner, vet, caplog):
    from uvicorn.protocols.utils import ClientDisconnected

    consultation = await amake(owner, vet)
    await sync_to_async(chat_store.store_messages)(
        [Send(consultation.pk, owner.pk, uuid.uuid4(), f"m{n}") for n in range(5)]
    )
    socket = await open_socket(consultation, await aheaders(vet))
    [consumer] = chat_live.rooms[str(consultation.pk)].sockets
    real_send = consumer.base_send

    async def gone(message):  # what uvicorn does once the client has disconnected
        if message["type"] == "websocket.send":
            raise ClientDisconnected()
        await real_send(message)

    consumer.base_send = gone
    with caplog.at_level(logging.INFO):
        await socket.send_json_to({"type": "sync", "after_seq": 0})
        await asyncio.sleep(0.3)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    consumer.base_send = real_send
    await socket.disconnect()


@pytest.mark.postgres
async def test_read_markers_and_syncs_never_hop_to_channels_database_thread(owner, vet, monkeypatch):
    """A `read` follows nearly every message a visible page receives: on PostgreSQL it is one upsert on
    the process's reader connection (forward only), never a hop to Channels' single database thread."""
    from consultations.chat import consumer as consumers
    from consultations.models import ReadState

    consultation = await amake(owner, vet)
    owner_socket = await open_socket(consultation, await aheaders(owner))
    vet_socket = await open_socket(consultation, await aheaders(vet))
    await drain(owner_socket)
    first = await send_until_ack(owner_socket, "satu")
    second = await send_until_ack(owner_socket, "dua")
    await drain(vet_socket)

    def no_hop(*args, **kwargs):
        raise AssertionError("a read frame hopped to Channels' database thread")

    monkeypatch.setattr(consumers, "database_sync_to_async", no_hop)
    monkeypatch.setattr("channels.db.database_sync_to_async", no_hop)
    await vet_socket.send_json_to({"type": "read", "up_to": second["id"] + 50})  # capped to the newest
    assert (await receive_until(owner_socket, "read"))["up_to"] == second["id"]
    await vet_socket.send_json_to({"type": "read", "up_to": first["id"]})  # late, lower: ignored
    assert await owner_socket.receive_nothing(0.3)
    state = await ReadState.objects.aget(consultation=consultation, user=vet)
    assert state.last_read_id == second["id"]
    # A sync (every client's first frame after open) takes a connect thread, not that one either.
    await vet_socket.send_json_to({"type": "sync", "after_seq": 0})
    assert (await receive_until(vet_socket, "synced"))["last_seq"] == 2
    await owner_socket.disconnect()
    await vet_socket.disconnect()


async def send_until_ack(socket, body):
    frame = send_frame(body)
    await socket.send_json_to(frame)
    return await receive_until_any(socket, frame["client_id"])
