"""Accounts on the task queue: KTP scans deleted once their retention ends (UU PDP), daily at 02:30 WIB."""

from huey.contrib.djhuey import db_periodic_task, lock_task

from background.queue import daily_at


@db_periodic_task(daily_at(2, 30, "Asia/Jakarta"))
@lock_task("accounts-purge-ktp")
def purge_ktp_scans_daily() -> int:
    from .services import ktp_scans_purge

    return ktp_scans_purge()
