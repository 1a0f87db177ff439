"""Earnings fixtures: payments written directly (paid at a chosen time) and refunds of them."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WIB)


def paid_payment(payer, target, amount: int, paid_at: datetime.datetime, purpose: str = "consultation"):
    """A settled payment as the gateway paths leave it (without telling any app)."""
    from payments.models import Payment

    return Payment.objects.create(
        payer=payer,
        purpose=purpose,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        description=f"Pembayaran {amount}",
        amount=amount,
        status=Payment.Status.PAID,
        paid_at=paid_at,
        expires_at=paid_at,
        delivered_status=Payment.Status.PAID,
    )


def refund_payment(payment, amount: int, at: datetime.datetime):
    """A refund recorded as payments records it (the row, the refunded amount, the status)."""
    from payments.models import Payment, Refund

    refund = Refund.objects.create(payment=payment, amount=amount, reason="Dibatalkan", manual=True)
    Refund.objects.filter(pk=refund.pk).update(created_at=at)
    payment.refunded_amount += amount
    payment.status = (
        Payment.Status.REFUNDED
        if payment.refunded_amount == payment.amount
        else Payment.Status.PARTIALLY_REFUNDED
    )
    Payment.objects.filter(pk=payment.pk).update(
        refunded_amount=payment.refunded_amount, status=payment.status
    )
    refund.refresh_from_db()
    return refund


@pytest.fixture
def record(db):
    """record(payment, subject, kind) -> new lines, as a payment hook calls it."""
    from earnings.services import record_payment

    def call(payment, subject, kind):
        return record_payment(
            payment=payment,
            partner=subject,
            partner_name=getattr(subject, "full_name", None) or str(subject),
            kind=kind,
            description=payment.description,
            subject_url="/somewhere/",
        )

    return call
