"""Per-process machinery of the live chat: the group-commit writer, the room registry, the heartbeat.

- **Writer** (`submit`): every socket's `message.send` joins one queue per process; a single writer
  stores whatever has queued up while the previous batch committed — one transaction, one COMMIT (and
  one fsync) for many messages (consultations/chat/store.py). The queue is bounded: beyond
  `CHAT_WRITE_QUEUE_LIMIT` waiting sends a send is refused with `Busy` (the `busy` error frame with a
  retry hint) instead of queueing for minutes.
- **Rooms**: the sockets of each consultation served by this process. A message is handed straight to
  the room's other local sockets; the channel layer (Redis) carries it only when the room also has
  sockets in another process (`Room.remote`, learnt from the presence counts in the cache).
- **Heartbeat**: one task per process refreshes the presence keys of all its sockets and writes the
  vets' `last_seen_at` in one UPDATE, every PRESENCE_REFRESH_SECONDS — an idle socket costs nothing.
"""

import asyncio
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection

from ..models import Message, ReadState
from . import presence, services
from . import store as batches

logger = logging.getLogger(__name__)

PROCESS_ID = uuid.uuid4().hex  # names this server process in relays through the channel layer
MAX_BATCH = 500


class Busy(Exception):
    def __init__(self, retry_after_ms: int):
        super().__init__("busy")
        self.retry_after_ms = retry_after_ms


# --- outages: one log line per event, not one traceback per socket ------------------------------------
class Outage:
    """Logs the start of an outage once, stays quiet while it lasts, logs the recovery once."""

    def __init__(self, what: str, meanwhile: str):
        self.what, self.meanwhile = what, meanwhile
        self.down_since: float | None = None

    def failed(self, error: BaseException) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            logger.error(
                "%s unavailable (%s: %s); %s", self.what, type(error).__name__, error, self.meanwhile
            )

    def ok(self) -> None:
        if self.down_since is not None:
            logger.warning("%s is back after %.0f s", self.what, time.monotonic() - self.down_since)
            self.down_since = None


channel_layer_outage = Outage("channel layer (Redis)", "chat sockets are closed with 1013 until it is back")
cache_outage = Outage("cache (Redis)", "chat presence shows people offline until it is back")
database_outage = Outage("database", "chat sends answer server_error until it is back")


# --- connect-time work ----------------------------------------------------------------------------------
# A connect's reads (session, user, consultation, read markers; presence in the cache) need Django's
# ORM and cache, so they run in threads — but in a few of their own, CHAT_CONNECT_THREADS, rather than
# Channels' single database thread, where 2,000 sockets connecting at once queued one behind another
# (and behind every sync and read marker of the sockets already open). Django's connections are
# thread-local in sync threads, so each of these threads holds one connection (from the pool when
# DATABASE_POOL is on), checked before and after each use as Channels does.
_connect_executor: ThreadPoolExecutor | None = None


def _connect_pool() -> ThreadPoolExecutor:
    global _connect_executor
    if _connect_executor is None:
        _connect_executor = ThreadPoolExecutor(
            max_workers=max(1, settings.CHAT_CONNECT_THREADS), thread_name_prefix="chat-connect"
        )
    return _connect_executor


def _with_checked_connections(function):
    close_old_connections()
    try:
        return function()
    finally:
        close_old_connections()


async def connect_work(function):
    """Run `function` (sync: ORM and cache calls) in one of the connect threads; returns its result.

    In the thread's own context, not a copy of the socket task's (as asgiref's hops do): Django keeps
    its cache objects in context-local storage, so a copied context got a new cache object — a new
    Redis connection pool and TCP connection — on every connect (py-spy: redis `_connect`,
    `getaddrinfo`, `disconnect` in every connect's stack). Here each thread keeps one."""
    return await asyncio.get_running_loop().run_in_executor(
        _connect_pool(), _with_checked_connections, function
    )


def close_connect_connections() -> None:
    """Close the connect threads' database connections (tests, before dropping the database)."""
    if _connect_executor is None:
        return
    threads = _connect_executor._max_workers
    barrier = threading.Barrier(threads)  # one task per thread: each waits until all have closed

    def close():
        connection.close()
        barrier.wait(timeout=10)

    for future in [_connect_executor.submit(close) for _ in range(threads)]:
        future.result()


# --- the writer ----------------------------------------------------------------------------------------
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer")


def _store_in_writer_thread(items):
    # The writer thread keeps one connection (from the pool when DATABASE_POOL is on) across batches;
    # after a failure it is dropped so the next batch starts on a fresh, checked one.
    try:
        return batches.store_messages(items)
    except Exception:
        connection.close()
        raise


def close_writer_connection() -> None:
    """Close the writer's database connections (tests, before dropping the database)."""
    _executor.submit(lambda: connection.close()).result()
    close_connect_connections()
    for current in [*_writers.values(), *_readers.values()]:
        current.drop_connection()


def _async_params() -> dict:
    """Connection parameters for the writer's own psycopg AsyncConnection: Django's (database, user,
    the adapters that load timestamps as UTC), minus its sync cursor class and pool options."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.setdefault("connect_timeout", 5)
    params["autocommit"] = True  # each batch is one statement, its own transaction
    return params


class Writer:
    """One per process (event loop). On PostgreSQL the batches run on the event loop through a psycopg
    AsyncConnection of the writer's own (no thread hop, the statement prepared once); elsewhere (SQLite)
    in one worker thread through the ORM."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.queue: list = []
        self.wakeup = asyncio.Event()
        self.conn = None
        self.on_loop = connection.vendor == "postgresql" and settings.CHAT_WRITER_ON_LOOP
        self.task = loop.create_task(self.run())

    def drop_connection(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None and not conn.closed:
            conn.pgconn.finish()  # synchronous: works from any thread, even after the loop is gone

    async def store(self, items: list) -> list:
        if not self.on_loop:
            return await self.loop.run_in_executor(_executor, _store_in_writer_thread, items)
        if self.conn is None or self.conn.closed:
            self.conn = await psycopg.AsyncConnection.connect(**_async_params())
        try:
            return await batches.store_messages_async(self.conn, items)
        except Exception:
            self.drop_connection()  # the next batch starts on a fresh connection
            raise

    def submit(self, item: batches.Send) -> asyncio.Future:
        # Two signs of overload: sends piling up behind the database, or the event loop itself running
        # late (frames then wait in socket buffers, where no queue bound sees them). Either way refuse
        # now, with a retry hint, rather than accept work that would be answered seconds later.
        if (
            len(self.queue) >= settings.CHAT_WRITE_QUEUE_LIMIT
            or loop_lag.seconds * 1000 > settings.CHAT_BUSY_LAG_MS
        ):
            raise Busy(settings.CHAT_BUSY_RETRY_MS)
        future = self.loop.create_future()
        self.queue.append((item, future))
        self.wakeup.set()
        return future

    async def run(self):
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.queue:
                batch = self.queue[:MAX_BATCH]
                del self.queue[:MAX_BATCH]
                try:
                    results = await self.store([item for item, _ in batch])
                except Exception as error:
                    database_outage.failed(error)
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                database_outage.ok()
                for (_, future), stored in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(stored)


_writers: dict = {}


def writer() -> Writer:
    """This process's writer (one per event loop: each test runs in a loop of its own)."""
    loop = asyncio.get_running_loop()
    current = _writers.get(loop)
    if current is None or current.task.done():
        for dead in _writers.values():  # a finished loop's writer is dead
            dead.drop_connection()
        _writers.clear()
        current = _writers[loop] = Writer(loop)
    return current


class _Reader:
    """A second AsyncConnection of the process (PostgreSQL) for the consumers' small reads on the
    message path, so that they neither hop to a thread nor wait behind the writer's batches."""

    def __init__(self):
        self.conn = None
        self.connecting = asyncio.Lock()  # many sockets may ask at once: one connection, opened once

    def drop_connection(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None and not conn.closed:
            conn.pgconn.finish()

    async def fetchone(self, sql: str, params: list):
        async with self.connecting:
            if self.conn is None or self.conn.closed:
                self.conn = await psycopg.AsyncConnection.connect(**_async_params())
            conn = self.conn
        try:
            cursor = await conn.execute(sql, params, prepare=True)
            return await cursor.fetchone()
        except Exception:
            if self.conn is conn:
                self.drop_connection()
            raise


_readers: dict = {}


def _on_loop() -> bool:
    return connection.vendor == "postgresql" and settings.CHAT_WRITER_ON_LOOP


def _reader() -> _Reader:
    loop = asyncio.get_running_loop()
    reader = _readers.get(loop)
    if reader is None:
        for dead in _readers.values():
            dead.drop_connection()
        _readers.clear()
        reader = _readers[loop] = _Reader()
    return reader


async def consultation_status(consultation) -> str:
    """The consultation's current status, read from the database (the consumer's periodic recheck).
    On PostgreSQL one prepared statement on the event loop; elsewhere one hop to the database thread."""
    if not _on_loop():
        await database_sync_to_async(consultation.refresh_from_db)(fields=["status"])
        return consultation.status
    try:
        row = await _reader().fetchone(
            f"SELECT status FROM {type(consultation)._meta.db_table} WHERE id = %s",  # noqa: S608
            [consultation.pk],
        )
    except Exception as error:  # keep the status known so far; the writer reports the outage too
        database_outage.failed(error)
        return consultation.status
    if row is not None:
        consultation.status = row[0]
    return consultation.status


# A `read` frame follows nearly every message a visible page receives (static/js/chat.js, debounced
# 300 ms), so moving the marker is on the message path too: on PostgreSQL one prepared upsert on the
# event loop (forward only: the WHERE leaves a newer marker alone; no row back = unchanged), not a hop
# to Channels' single database thread; elsewhere services.mark_read through that thread.
_MARK_READ_SQL = """
INSERT INTO {table} AS r (consultation_id, user_id, last_read_id) VALUES (%s, %s, %s)
ON CONFLICT (consultation_id, user_id) DO UPDATE SET last_read_id = EXCLUDED.last_read_id
WHERE r.last_read_id < EXCLUDED.last_read_id
RETURNING last_read_id
"""


async def mark_read(consultation_id, user, up_to: int) -> int | None:
    """services.mark_read: the new marker, or None if it did not move."""
    if not _on_loop():
        return await database_sync_to_async(services.mark_read)(
            consultation=consultation_id, user=user, up_to=up_to
        )
    row = await _reader().fetchone(
        _MARK_READ_SQL.format(table=ReadState._meta.db_table), [consultation_id, user.pk, up_to]
    )
    return row[0] if row is not None else None


async def newest(consultation_id) -> tuple[int, int]:
    """services.newest: (id, seq) of the newest stored message, (0, 0) for none."""
    if not _on_loop():
        return await database_sync_to_async(services.newest)(consultation_id)
    row = await _reader().fetchone(
        f"SELECT id, seq FROM {Message._meta.db_table} WHERE consultation_id = %s"  # noqa: S608
        " ORDER BY consultation_id DESC, seq DESC LIMIT 1",
        [consultation_id],
    )
    return (row[0], row[1]) if row is not None else (0, 0)


async def store(item: batches.Send) -> batches.Stored:
    """Queue one send and wait for its commit; raises Busy when the queue is full."""
    return await writer().submit(item)


# --- rooms ---------------------------------------------------------------------------------------------
class Room:
    __slots__ = ("sockets", "remote")

    def __init__(self):
        self.sockets: list = []
        self.remote = False  # some of this room's sockets live in another process

    def has_user(self, user_id: int) -> bool:
        return any(s.user.pk == user_id for s in self.sockets)


rooms: dict[str, Room] = {}


def join(consultation_id, consumer) -> Room:
    room = rooms.get(str(consultation_id))
    if room is None:
        room = rooms[str(consultation_id)] = Room()
    room.sockets.append(consumer)
    return room


def leave(consultation_id, consumer) -> Room | None:
    room = rooms.get(str(consultation_id))
    if room is None:
        return None
    if consumer in room.sockets:
        room.sockets.remove(consumer)
    if not room.sockets:
        del rooms[str(consultation_id)]
    return room


# --- the heartbeat and the event loop's lag ---------------------------------------------------------------
_heartbeats: dict = {}


class LoopLag:
    """How late the event loop runs a 50 ms timer, smoothed (an exponential average over ~0.5 s): a
    cheap, direct measure of how long every socket's next frame waits before this process looks at it.
    Smoothed, so that one scheduling hiccup does not refuse a burst of sends; sustained lateness does."""

    PERIOD = 0.05
    WEIGHT = 0.1

    def __init__(self):
        self.seconds = 0.0

    async def run(self):
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self.PERIOD)
            late = max(0.0, loop.time() - start - self.PERIOD)
            self.seconds += self.WEIGHT * (late - self.seconds)


loop_lag = LoopLag()


def ensure_heartbeat() -> None:
    loop = asyncio.get_running_loop()
    tasks = _heartbeats.get(loop)
    if tasks is None or any(t.done() for t in tasks):
        for task in _heartbeats.pop(loop, ()):
            task.cancel()
        _heartbeats.clear()
        loop_lag.seconds = 0.0
        _heartbeats[loop] = (loop.create_task(_heartbeat()), loop.create_task(loop_lag.run()))


def _beat(pairs, vet_ids, room_keys):
    presence.presence_refresh_many(pairs)
    presence.vets_seen(vet_ids)
    return {cid: sum(presence.presence_counts(cid, users).values()) for cid, users in room_keys.items()}


async def _heartbeat():
    while True:
        await asyncio.sleep(presence.PRESENCE_REFRESH_SECONDS)
        if not rooms:
            continue
        pairs, vets, room_keys = set(), set(), {}
        for cid, room in list(rooms.items()):
            for s in room.sockets:
                pairs.add((s.consultation.pk, s.user.pk))
                if s.me["role"] == "vet":
                    vets.add(s.user.pk)
            room_keys[cid] = room.sockets[0].participant_ids if room.sockets else ()
        try:
            totals = await database_sync_to_async(_beat)(pairs, vets, room_keys)
        except Exception as error:
            cache_outage.failed(error)
            continue
        cache_outage.ok()
        for cid, total in totals.items():
            room = rooms.get(cid)
            if room is not None:  # heals a room whose other process died without saying goodbye
                room.remote = total > len(room.sockets)
