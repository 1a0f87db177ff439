"""Pets on the task queue: vaccination reminders (7 days before and on the due day), daily 08:00 WIB."""

from huey.contrib.djhuey import db_periodic_task, lock_task

from background.queue import daily_at


@db_periodic_task(daily_at(8, 0, "Asia/Jakarta"))
@lock_task("pets-vaccination-reminders")
def vaccination_reminders_daily() -> int:
    from .services import send_vaccination_reminders

    return send_vaccination_reminders()
