"""Record tasks whose retries are exhausted (Huey's error signal), and enqueue them again on request."""

import base64
import logging
import traceback

from django.db import transaction
from django.utils import timezone
from huey import signals

from .models import TaskFailure

logger = logging.getLogger(__name__)


def _huey():
    from huey.contrib.djhuey import HUEY

    return HUEY


def record_failure(signal, task, exc=None) -> None:
    if task.retries:  # Huey will try again (the count is decremented when it re-queues)
        return
    huey = _huey()
    try:
        with transaction.atomic():
            TaskFailure.objects.create(
                task_name=task.name[:200],
                task_id=str(task.id)[:100],
                arguments=repr((task.args, task.kwargs))[:2000],
                payload=base64.b64encode(huey.serialize_task(task)).decode(),
                error=f"{type(exc).__name__}: {exc}"[:500] if exc else "",
                traceback="".join(traceback.format_exception(exc))[-10000:] if exc else "",
            )
    except Exception:  # recording must never hide the task's own error in the consumer's log
        logger.exception("could not record the failure of task %s", task.id)


def connect() -> None:
    _huey().signal(signals.SIGNAL_ERROR)(record_failure)


def retry(*, failure: TaskFailure, by=None) -> bool:
    """Enqueue the failed task again with its full retry budget. False when it was retried already."""
    with transaction.atomic():
        locked = TaskFailure.objects.select_for_update().get(pk=failure.pk)
        if locked.retried_at is not None:
            return False
        huey = _huey()
        task = huey.deserialize_task(base64.b64decode(locked.payload))
        task.retries = task.default_retries
        task.retry_delay = task.default_retry_delay
        task.eta = None
        locked.retried_at = timezone.now()
        locked.retried_by = by if getattr(by, "pk", None) else None
        locked.save(update_fields=["retried_at", "retried_by"])
        transaction.on_commit(lambda: huey.enqueue(task))
    return True
