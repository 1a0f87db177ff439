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
from dataclasses import dataclass
from urllib.parse import parse_qsl

from django.db import DatabaseError

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


def _finish(record: PaymentNotification, status: int, outcome: str) -> Answer:
    record.response_status = status
    record.outcome = outcome[:200]
    try:
        record.save(
            update_fields=[
                "response_status",
                "outcome",
                "attempt",
                "payment",
                "signature_valid",
                "order_id",
                "transaction_status",
            ]
        )
    except DatabaseError:
        logger.exception("could not store the outcome of notification %s", record.pk)
    return Answer(status, outcome)


def handle(body: bytes) -> Answer:
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
    if not midtrans.signature_valid(payload):
        logger.warning("Midtrans notification with a bad signature for order %r", record.order_id)
        return _finish(record, 403, "bad signature")
    record.signature_valid = True
    attempt = PaymentAttempt.objects.filter(order_id=record.order_id).first()
    if attempt is None:
        return _finish(record, 404, "unknown order")
    record.attempt = attempt
    record.payment_id = attempt.payment_id
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
        status = midtrans.transaction_status(attempt.order_id)
    except (midtrans.GatewayError, midtrans.GatewayRefused) as exc:
        logger.warning("status check for %s failed: %s", attempt.order_id, exc)
        return _finish(record, 503, f"status check failed: {exc}")
    if status is None:
        return _finish(record, 503, "Midtrans does not know the order yet")
    try:
        outcome = services.attempt_apply_status(attempt=attempt, status=status, source="notification")
    except services.AmountMismatch as exc:
        logger.error("order %s: %s", attempt.order_id, exc.message)
        return _finish(record, 400, "confirmed amount differs from the order")
    except DatabaseError:
        logger.exception("applying notification %s failed", record.pk)
        return _finish(record, 503, "database error")
    # attempt_apply_status's transaction has committed here: only now may Midtrans hear 2xx.
    return _finish(record, 200, outcome)
