"""The ASGI app of the browser tests' live server: the real one (hellopet.asgi), unchanged, plus one
test-only endpoint that makes the process as fresh as a newly started one between two tests.

Each pytest worker starts one live server (daphne, a subprocess) and keeps it for all its browser tests
(tests/conftest.py: `live_asgi_server`); starting one per test cost ~1.2 s CPU each, plus the first
request's URLconf and template compilation. What a new process would have given each test, the reset
gives it:

- it first waits until every request and socket of the previous test has finished (the browser's
  contexts are closed by then) and no task they left behind (an "away" notification, say) still runs,
  so nothing of the old test touches the database while pytest-django empties and restores it;
- then it empties everything the process keeps in memory: the caches (the page cache, presence, rate
  counts, cached users: the embedded default is the process's memory, invisible to the test process),
  the channel layer, the immediate-mode task queue (retries wait there), the chat's throttles.

The endpoint exists only in this module, which only the test fixture starts; it answers only on
127.0.0.1 with the random token the fixture put in the environment. `hellopet.asgi` knows nothing of it.
"""

import asyncio
import json
import os
import time

from hellopet.asgi import application as site

RESET_PATH = "/__tests__/reset/"
TOKEN = os.environ.get("HELLOPET_TEST_RESET_TOKEN", "").encode()
# Tasks that live as long as the process (one per event loop), not per request or socket; the last is
# the Redis pub/sub channel layer's receiver (one per shard connection, the default layer with REDIS_URL).
PROCESS_TASKS = {
    "LoopLag.run",
    "Writer.run",
    "_heartbeat",
    "_start_heartbeat.<locals>._heartbeat",
    "RedisSingleShardConnection._do_receiving",
}

_active = {"http": 0, "websocket": 0}


async def application(scope, receive, send):
    kind = scope["type"]
    if kind == "http" and scope["path"] == RESET_PATH:
        return await _reset_endpoint(scope, receive, send)
    counted = kind in _active
    if counted:
        _active[kind] += 1
    try:
        return await site(scope, receive, send)
    finally:
        if counted:
            _active[kind] -= 1


def _leftovers() -> list[str]:
    """What of the previous test still runs in this process (empty: quiet)."""
    busy = [f"{count} {kind}" for kind, count in _active.items() if count]
    current = asyncio.current_task()
    for task in asyncio.all_tasks():
        if task is current or task.done():
            continue
        name = getattr(task.get_coro(), "__qualname__", repr(task))
        if not any(name.endswith(known) for known in PROCESS_TASKS):
            busy.append(name)
    from consultations.chat import live

    if live.rooms:
        busy.append(f"{len(live.rooms)} chat rooms")
    return busy


async def _reset_endpoint(scope, receive, send):
    headers = dict(scope.get("headers") or [])
    client = (scope.get("client") or ["", 0])[0]
    if not TOKEN or headers.get(b"x-reset-token") != TOKEN or client != "127.0.0.1":
        return await _answer(send, 404, {"error": "not found"})
    deadline = time.monotonic() + 15
    while (busy := _leftovers()) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    if busy:  # the fixture then replaces the process with a new one
        return await _answer(send, 409, {"busy": busy})
    await _empty_process_state()
    return await _answer(send, 200, {"reset": True})


async def _empty_process_state():
    from channels.layers import get_channel_layer
    from django.core.cache import caches
    from huey.contrib.djhuey import HUEY

    from common import cache_guard
    from consultations.chat import consumer

    for cache in caches.all():
        cache.clear()  # with Redis: this worker's key prefix only (tests/redis_cache.py)
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()
    HUEY.storage.flush_all()
    consumer._away_checked.clear()
    cache_guard._last_warned.clear()


async def _answer(send, status: int, body: dict):
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})
