"""How app code hands work to the task queue: after commit, never inside a request's transaction.

    from background.queue import enqueue_on_commit
    enqueue_on_commit(send_email, email.pk)

A task is enqueued only once the surrounding transaction commits (a rolled-back change sends
nothing). Outside a transaction it is enqueued at once. The queue itself is `settings.HUEY`
(SQLite in var/ by default, Redis when REDIS_URL is set; immediate in the test suite).

Retry policy for anything that talks to the outside world: `RETRY` below — exponential back-off
30 s, 1, 2, 4, 8, 16, 32, 64 min
(about 2 h in all; TASK_RETRIES, TASK_RETRY_DELAY_SECONDS) before the task counts as failed and shows
up in admin (Background tasks → Failed tasks) with a "retry" action.
"""

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)

# Default: 8 retries, 30 s doubling: 30 s ... 64 min between the last two tries, ~2 h in all.
RETRY = {
    "retries": settings.TASK_RETRIES,
    "retry_delay": settings.TASK_RETRY_DELAY_SECONDS,
    "retry_backoff": 2,
}


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Enqueue `task(*args, **kwargs)` once the current transaction commits.

    robust: a queue that cannot be reached must not break the other after-commit hooks; every
    task that matters has a periodic sweep that enqueues it again (pending e-mails, pending refunds).
    """
    transaction.on_commit(lambda: task(*args, **kwargs), robust=True)


def schedule_on_commit(task, *args, eta: datetime.datetime) -> None:
    """Run `task(*args)` at `eta` (an aware datetime), enqueued once the transaction commits."""
    transaction.on_commit(lambda: task.schedule(args=args, eta=eta), robust=True)


def huey():
    return HUEY


def daily_at(hour: int, minute: int = 0, tz: str = "Asia/Jakarta"):
    """A periodic-task schedule for a wall-clock time in `tz` (Huey's crontab reads UTC when the queue
    runs with utc=True, as ours does). Use: @db_periodic_task(daily_at(9)) -> 09:00 WIB every day."""
    zone = ZoneInfo(tz)

    def validate(timestamp: datetime.datetime) -> bool:
        if timestamp.tzinfo is None:  # Huey passes naive UTC
            timestamp = timestamp.replace(tzinfo=datetime.UTC)
        local = timestamp.astimezone(zone)
        return (local.hour, local.minute) == (hour, minute)

    return validate
