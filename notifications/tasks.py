"""Background delivery of notifications: e-mails (with retries) and live pushes that may block."""

import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from background.queue import RETRY


@db_task(context=True, **RETRY)
def send_email(email_id: int, task=None) -> None:
    from .services import deliver_email

    deliver_email(email_id, last_try=task is None or not task.retries)


@db_task()
def push_notification(notification_id: int) -> None:
    from .models import Notification
    from .services import push_live

    notification = Notification.objects.filter(pk=notification_id).select_related("recipient").first()
    if notification is not None:
        push_live(notification)


@db_periodic_task(crontab(minute="*"))
def resend_lost_emails() -> int:
    """Outbox rows whose task never ran (the queue was unreachable at commit, or a worker lost it)."""
    from .models import OutgoingEmail

    stale = OutgoingEmail.objects.filter(
        state=OutgoingEmail.State.PENDING,
        attempts=0,
        created_at__lt=timezone.now() - datetime.timedelta(minutes=5),
    ).values_list("pk", flat=True)[:500]
    for pk in stale:
        send_email(pk)
    return len(stale)
