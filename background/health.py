"""What `/healthz?full=1` checks: database, cache, channel layer and the task queue.

Each check returns (ok, detail). None of them imports an app.
"""

import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .huey import enqueued_at


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, "ok"


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return ok, "ok" if ok else "written value not read back"


def check_channel_layer():
    layer = get_channel_layer()
    if layer is None:
        return False, "no channel layer configured"

    async def roundtrip():
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping"})
        return await layer.receive(channel)

    message = async_to_sync(roundtrip)()
    ok = message.get("type") == "healthz.ping"
    return ok, f"ok ({type(layer).__name__})" if ok else "message not received back"


def queue_stats(huey=None) -> dict:
    """Pending count, scheduled count and the age in seconds of the oldest pending task."""
    if huey is None:
        from huey.contrib.djhuey import HUEY as huey
    pending = huey.storage.queue_size()
    scheduled = huey.storage.schedule_size()
    oldest_age = None
    if pending:
        times = [enqueued_at(task.id) for task in huey.pending(limit=50)]
        times = [t for t in times if t is not None]
        if times:
            oldest_age = max(0.0, round(time.time() - min(times), 1))
    return {"pending": pending, "scheduled": scheduled, "oldest_pending_age_seconds": oldest_age}


def check_queue():
    """Down when the storage cannot be read, or when the oldest pending task has waited longer than
    HEALTHZ_QUEUE_MAX_AGE_SECONDS (no consumer is running, or too few for the load)."""
    stats = queue_stats()
    age = stats["oldest_pending_age_seconds"]
    return age is None or age <= settings.HEALTHZ_QUEUE_MAX_AGE_SECONDS, stats


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "queue": check_queue,
}


def run_all() -> tuple[bool, dict]:
    results = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            ok, detail = check()
        except Exception as exc:  # a service that is down is exactly what this reports
            ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
        results[name] = {"ok": ok, "detail": detail}
        healthy = healthy and ok
    return healthy, results
