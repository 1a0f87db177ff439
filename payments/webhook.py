"""Midtrans HTTP notifications: verify, confirm with the Core API, apply, and say what to answer.

Midtrans retries a notification until it gets a 2xx, so the answer matters:
  400 unreadable body, or the amount is not the order's      (retrying will not help; logged)
  403 bad signature                                          (forged or wrong server key)
  404 unknown order_id                                       (not ours, e.g. another environment)
  503 Midtrans's status API or our database failed           (please retry)
  200 applied, or a duplicate / stale notification that changed nothing
Every notification is stored first, whatever its fate, for audit.
"""

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from . import midtrans, services
from .models import PaymentAttempt, PaymentNotification

logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024


@dataclass
class Answer:
    status: int
    outcome: str


def parse(body: bytes) -> dict | None:
    """Lenient: JSON whatever the content type (BOM, whitespace), else a form-encoded body."""
    text = body.decode("utf-8-sig", errors="replace").strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = dict(parse_qsl(text)) if "=" in text else None
    if not isinstance(data, dict):
        return None
    # Numbers arrive as strings from Midtrans, but be tolerant of a proxy that re-encoded them.
    return {
        key: (str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value)
        for key, value in data.items()
    }


def _store(record: PaymentNotification, *fields: str) -> None:
    """Save part of the audit record on its own (autocommit: no lock is held while it waits)."""
    try:
        record.save(update_fields=list(fields))
    except DatabaseError:
        logger.exception("could not store notification %s", record.pk)


def _finish(record: PaymentNotification, status: int, outcome: str) -> Answer:
    record.response_status = status
    record.outcome = outcome[:200]
    _store(record, "response_status", "outcome")
    return Answer(status, outcome)


@contextmanager
def _lock_timeout():
    """Bound how long a notification waits for the payment's row lock (PostgreSQL): past it the
    answer is 503 and Midtrans retries, instead of Midtrans giving up on a slow answer."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SET LOCAL lock_timeout = '{int(settings.PAYMENT_WEBHOOK_LOCK_TIMEOUT_MS)}ms'"
                )
        yield


def handle(body: bytes) -> Answer:
    """Store, verify, confirm, apply. Within Midtrans's advice of answering in 5 s: the status call
    has its own short timeout (MIDTRANS_NOTIFICATION_TIMEOUT_SECONDS) and lock waits are bounded;
    either running out answers 503, and Midtrans sends the notification again."""
    try:
        record = PaymentNotification.objects.create(
            raw_body=body[:MAX_BODY].decode("utf-8", errors="replace")
        )
    except DatabaseError:
        logger.exception("could not store a Midtrans notification")
        return Answer(503, "database unavailable")
    payload = parse(body[:MAX_BODY])
    if payload is None:
        return _finish(record, 400, "unreadable body")
    record.order_id = str(payload.get("order_id") or "")[:100]
    record.transaction_status = str(payload.get("transaction_status") or "")[:30]
    record.signature_valid = midtrans.signature_valid(payload)
    if not record.signature_valid:
        _store(record, "order_id", "transaction_status")
        logger.warning("Midtrans notification with a bad signature for order %r", record.order_id)
        return _finish(record, 403, "bad signature")
    attempt = PaymentAttempt.objects.filter(order_id=record.order_id).first()
    if attempt is not None:
        record.attempt = attempt
        record.payment_id = attempt.payment_id
    # What it is about is stored before anything is locked: the references take key-share locks on
    # the payment and the attempt, which must never be waited for while holding another lock.
    _store(record, "order_id", "transaction_status", "signature_valid", "attempt", "payment")
    if attempt is None:
        return _finish(record, 404, "unknown order")
    if midtrans.parse_amount(payload.get("gross_amount")) != attempt.amount:
        logger.error(
            "notification for %s says %r, the order is %s",
            attempt.order_id,
            payload.get("gross_amount"),
            attempt.amount,
        )
        return _finish(record, 400, "amount differs from the order")
    # Never act on the notification's own claims: ask the Core API what really happened.
    try:
        status = midtrans.transaction_status(
            attempt.order_id, timeout=settings.MIDTRANS_NOTIFICATION_TIMEOUT_SECONDS
        )
    except (midtrans.GatewayError, midtrans.GatewayRefused) as exc:
        logger.warning("status check for %s failed: %s", attempt.order_id, exc)
        return _finish(record, 503, f"status check failed: {exc}")
    if status is None:
        return _finish(record, 503, "Midtrans does not know the order yet")
    try:
        with _lock_timeout():
            outcome = services.attempt_apply_status(attempt=attempt, status=status, source="notification")
    except services.AmountMismatch as exc:
        logger.error("order %s: %s", attempt.order_id, exc.message)
        return _finish(record, 400, "confirmed amount differs from the order")
    except DatabaseError as exc:
        logger.warning("applying notification %s failed: %s", record.pk, exc)
        return _finish(record, 503, "database busy, retry")
    # attempt_apply_status's transaction has committed here: only now may Midtrans hear 2xx.
    return _finish(record, 200, outcome)
