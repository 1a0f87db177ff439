"""Reconciliation: make our ledger agree with Midtrans, and expire what Midtrans will never report.

Run by the task queue every minute (payments.tasks), or by hand (manage.py payments_reconcile); safe
to run concurrently with itself and the webhook: every step
goes through the same locked, forward-only service functions, and no transaction is held open while
Midtrans is asked. Steps:

1. pending orders: ask Midtrans for their status and apply it (a lost notification is recovered);
   an order Midtrans never heard of (the payer never picked a method) or still pending after its
   expiry is closed: Snap page expiry and QRIS expiry send no notification; card captures that
   fraud detection challenged are asked about until Midtrans accepts or denies them (a decision in
   the dashboard may send no notification), and are never expired here while Midtrans holds the card;
2. pending payments past their expiry with no open order are expired;
3. orders left open under a payment that is already closed here (cancelled) are expired at Midtrans,
   so they can no longer be paid;
4. hooks whose delivered status lags the payment's status are delivered again.
"""

import datetime
import logging
from collections import Counter

from django.db.models import F, Q
from django.utils import timezone

from . import midtrans, services
from .models import Payment, PaymentAttempt

logger = logging.getLogger(__name__)

BATCH = 500
# When Midtrans cannot be reached, an order is still expired locally this long after its expiry.
UNREACHABLE_GRACE = datetime.timedelta(hours=1)


def _close_at_midtrans(attempt: PaymentAttempt) -> str:
    """Expire an order at Midtrans, then apply whatever Midtrans then says (it may have been paid)."""
    try:
        closed = midtrans.expire(attempt.order_id)
    except midtrans.GatewayRefused:
        closed = {}  # not pending any more at Midtrans (paid, denied...): its status says what it is
    if closed is None:
        return services.attempt_expire(attempt=attempt, source="reconcile")
    return services.attempt_sync(attempt=attempt, source="reconcile")


def _sync_open_attempt(attempt: PaymentAttempt, now) -> str:
    if attempt.status == PaymentAttempt.Status.CAPTURE:
        # A challenged card capture: Midtrans holds the card's money until fraud review accepts or
        # denies it, and may not send a notification when it does. Asked every run, never expired here.
        try:
            return "challenged: " + services.attempt_sync(attempt=attempt, source="reconcile")
        except (midtrans.GatewayError, midtrans.GatewayRefused) as exc:
            logger.warning("reconcile: status of challenged %s unavailable: %s", attempt.order_id, exc)
            return "challenged: gateway error"
        except services.AmountMismatch as exc:
            logger.error("reconcile: %s: %s", attempt.order_id, exc.message)
            return "amount mismatch"
    try:
        if attempt.payment.status != Payment.Status.PENDING:
            return _close_at_midtrans(attempt)
        outcome = services.attempt_sync(attempt=attempt, source="reconcile")
        attempt.refresh_from_db()
        if attempt.is_open and attempt.expires_at + services.EXPIRY_SKEW < now:
            outcome = _close_at_midtrans(attempt)
        return outcome
    except (midtrans.GatewayError, midtrans.GatewayRefused) as exc:
        logger.warning("reconcile: status of %s unavailable: %s", attempt.order_id, exc)
        if attempt.expires_at + UNREACHABLE_GRACE < now:
            return services.attempt_expire(attempt=attempt, source="reconcile")
        return "gateway error"
    except services.AmountMismatch as exc:
        logger.error("reconcile: %s: %s", attempt.order_id, exc.message)
        return "amount mismatch"


def reconcile(*, now: datetime.datetime | None = None) -> Counter:
    now = now or timezone.now()
    counts: Counter = Counter()

    # 1 + 3: every open order that reached Midtrans (a failed Snap creation has no token).
    open_attempts = (
        PaymentAttempt.objects.filter(Q(status__in=PaymentAttempt.OPEN) | services.CHALLENGED)
        .exclude(snap_token="")
        .select_related("payment")
        .order_by(F("checked_at").asc(nulls_first=True))[:BATCH]
    )
    for attempt in open_attempts:
        counts[f"order: {_sync_open_attempt(attempt, now)}"] += 1

    # Orders whose Snap creation never finished are dead: nothing at Midtrans to ask about.
    PaymentAttempt.objects.filter(
        status=PaymentAttempt.Status.CREATED, snap_token="", expires_at__lt=now
    ).update(status=PaymentAttempt.Status.FAILURE, updated_at=now)

    # 2: pending payments past expiry with nothing open at Midtrans.
    overdue = Payment.objects.filter(status=Payment.Status.PENDING, expires_at__lt=now - services.EXPIRY_SKEW)
    for payment in overdue[:BATCH]:
        if services.payment_expire_if_overdue(payment=payment, source="reconcile"):
            counts["payment expired"] += 1

    # 4: hooks that did not get through (the owning app raised, or the process died after commit).
    lagging = Payment.objects.exclude(status=Payment.Status.PENDING).filter(
        ~Q(delivered_status=F("status")) | ~Q(delivered_refunded_amount=F("refunded_amount"))
    )
    for payment_id in lagging.values_list("pk", flat=True)[:BATCH]:
        try:
            services.deliver(payment_id)
            counts["hook delivered"] += 1
        except Exception:  # one app's failing hook must not stop the others; logged, retried next run
            logger.exception("reconcile: delivering payment %s failed", payment_id)
            counts["hook failed"] += 1
    return counts
