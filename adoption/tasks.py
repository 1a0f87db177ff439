"""Adoption on the task queue: follow-up report reminders daily at 09:00 WIB, and unpaid reservations
released every minute (their fee payment expired)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from background.queue import daily_at


@db_periodic_task(daily_at(9, 0, "Asia/Jakarta"))
@lock_task("adoption-report-reminders")
def report_reminders_daily() -> int:
    from .services import send_report_reminders

    return send_report_reminders()


@db_periodic_task(crontab(minute="*"))
@lock_task("adoption-release-unpaid")
def release_unpaid_every_minute() -> int:
    from .services import expire_unpaid_reservations

    return expire_unpaid_reservations()
