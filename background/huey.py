"""Huey classes for HELLOPET!: the stock SQLite and Redis ones, with the enqueue time in each task id.

Huey's messages carry no enqueue time, yet operators want "how old is the oldest task still waiting"
(`/healthz?full=1`). Each enqueue gives the task a fresh id `<unix time, ms>-<uuid4 hex>`, so the age of
the head of the queue is read from its id, without a second write per task. Huey keeps ids opaque (they
only key results and revocations; results are off here).
"""

import time
import uuid
from pathlib import Path

from huey import api


def stamped_id(now: float | None = None) -> str:
    return f"{int((now if now is not None else time.time()) * 1000)}-{uuid.uuid4().hex}"


def enqueued_at(task_id: str) -> float | None:
    """The unix time a stamped id was enqueued at (None for ids made elsewhere, e.g. by Huey itself)."""
    head, _sep, _rest = str(task_id).partition("-")
    return int(head) / 1000 if head.isdigit() and len(head) >= 12 else None


class _StampingMixin:
    def enqueue(self, task):
        if isinstance(task, api.Task):  # not groups or chords (not used here)
            task.id = stamped_id()
            task.revoke_id = f"r:{task.id}"
        return super().enqueue(task)


class SqliteHuey(_StampingMixin, api.SqliteHuey):
    def get_storage(self, **kwargs):
        Path(kwargs.get("filename", "huey.db")).resolve().parent.mkdir(parents=True, exist_ok=True)
        return super().get_storage(**kwargs)


class RedisHuey(_StampingMixin, api.RedisHuey):
    pass
