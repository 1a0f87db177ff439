"""Grooming on the task queue: unpaid holds released and visit reminders sent, every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*"))
@lock_task("grooming-minute")
def grooming_every_minute() -> dict:
    from .services import release_expired_holds, send_visit_reminders

    return {"released": release_expired_holds(), "reminded": send_visit_reminders()}
