"""Payment state changes. Every change: lock the row, move forward only, tell the owner app after commit.

Public API used by other apps:
    payment_create(payer=, purpose=, target=, amount=, description=, expires_at=None) -> Payment
    payment_pay_url(payment) -> str            # the page that opens Midtrans Snap (or the simulator)
    payment_cancel(payment=)                   # the paid-for thing was abandoned before payment
    payment_refund(payment=, amount=None, reason=, by=None) -> Refund
Hooks back into the owning app go through `payments.registry`.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Payment, PaymentAttempt
from .registry import handler_for

logger = logging.getLogger(__name__)

PAID_STATUSES = {Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED}
# Forward-only: which payment statuses may follow which.
TRANSITIONS = {
    Payment.Status.PENDING: {Payment.Status.PAID, Payment.Status.FAILED, Payment.Status.EXPIRED, Payment.Status.CANCELLED},
    Payment.Status.PAID: {Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED},
    Payment.Status.PARTIALLY_REFUNDED: {Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED},
    Payment.Status.FAILED: set(),
    Payment.Status.EXPIRED: set(),
    Payment.Status.CANCELLED: set(),
    Payment.Status.REFUNDED: set(),
}


def payment_create(*, payer, purpose: str, target, amount: int, description: str,
                   expires_at: datetime.datetime | None = None) -> Payment:
    if int(amount) <= 0:
        raise ValidationError(_("A payment needs a positive amount."))
    return Payment.objects.create(
        payer=payer,
        purpose=purpose,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        amount=int(amount),
        description=description[:200],
        expires_at=expires_at or timezone.now() + datetime.timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES),
    )


def payment_pay_url(payment: Payment) -> str:
    return reverse("payments:pay", args=[payment.pk])


def _move(payment: Payment, new_status: str) -> bool:
    """Set a locked payment's status if the move is forward; return whether it changed."""
    if new_status == payment.status and new_status != Payment.Status.PARTIALLY_REFUNDED:
        return False
    if new_status not in TRANSITIONS[payment.status]:
        return False
    payment.status = new_status
    if new_status == Payment.Status.PAID:
        payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "paid_at", "refunded_amount", "updated_at"])
    transaction.on_commit(lambda: deliver(payment.pk))
    return True


def payment_set_status(*, payment: Payment, status: str) -> bool:
    """Move a payment (locked here) to `status` if that is forward. Used by the gateway paths."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        changed = _move(locked, status)
    payment.refresh_from_db()
    return changed


def payment_cancel(*, payment: Payment) -> bool:
    return payment_set_status(payment=payment, status=Payment.Status.CANCELLED)


def deliver(payment_id) -> None:
    """Tell the owning app the payment's current status (idempotent; reconciliation calls it again)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.delivered_status == payment.status:
            return
        handler = handler_for(payment.purpose)
        if payment.status == Payment.Status.PAID:
            handler.paid(payment)
        elif payment.status in Payment.FINAL_UNPAID:
            handler.failed(payment)
        elif payment.status in (Payment.Status.REFUNDED, Payment.Status.PARTIALLY_REFUNDED):
            handler.refunded(payment)
        payment.delivered_status = payment.status
        payment.save(update_fields=["delivered_status"])


def attempt_for(payment: Payment) -> PaymentAttempt | None:
    return payment.attempts.order_by("-created_at").first()
