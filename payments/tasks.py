"""Payments on the task queue: refunds sent to Midtrans, reconciliation and expiry every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from background.queue import RETRY


@db_task(context=True, **RETRY)
def send_refund(refund_id: int, task=None) -> str:
    from .services import refund_send

    return refund_send(refund_id, last_try=task is None or not task.retries)


@db_periodic_task(crontab(minute="*"))
@lock_task("payments-reconcile")  # a slow Midtrans must not make two runs overlap
def reconcile_every_minute():
    from .reconcile import reconcile
    from .services import refunds_lost

    counts = reconcile()
    for refund_id in refunds_lost().values_list("pk", flat=True)[:500]:
        send_refund(refund_id)
        counts["refund re-enqueued"] += 1
    return dict(counts)
