"""Grooming on the task queue, every minute: unpaid holds released, visit reminders sent, the addresses
of finished home visits erased."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*"))
@lock_task("grooming-minute")
def grooming_every_minute() -> dict:
    from .services import erase_home_addresses, release_expired_holds, send_visit_reminders

    return {
        "released": release_expired_holds(),
        "reminded": send_visit_reminders(),
        "home_addresses_erased": erase_home_addresses(),
    }
