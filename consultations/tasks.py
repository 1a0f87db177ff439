"""Consultations on the task queue: the accept timeout of each paid consultation, and a minute sweep."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def accept_timeout(consultation_id: str) -> str:
    from .models import Consultation
    from .services import consultation_accept_timeout

    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        return "gone"
    return consultation_accept_timeout(consultation=consultation)


@db_task()
def broadcast_event(consultation_id: str, event_type: str, data: dict) -> None:
    """Push a state change to the consultation's open chat sockets (through Redis, off the request)."""
    from .chat import services as chat
    from .models import Consultation

    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is not None:
        chat.broadcast_consultation_event(consultation, event_type, **data)


@db_periodic_task(crontab(minute="*"))
@lock_task("consultations-accept-timeouts")
def accept_timeouts_every_minute() -> dict:
    from .services import accept_timeouts_due

    return accept_timeouts_due()
