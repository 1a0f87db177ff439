"""Concurrent deliveries of the same notification on real PostgreSQL: exactly one fulfilment."""

import json
import threading

import pytest
import responses
from django.db import connection

from payments import services, webhook
from payments.models import Payment, PaymentAttempt

from .conftest import signed, status_response, status_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("sandbox"),
]


def run_in_threads(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_two_concurrent_deliveries_of_one_notification_fulfil_once(payment, handler):
    attempt = PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="pending",
        snap_token="tok",
        expires_at=payment.expires_at,
    )
    body = json.dumps(signed("settlement", attempt)).encode()
    both_checked = threading.Barrier(2)

    def status_callback(request):
        # Hold both deliveries until both have confirmed with Midtrans: they then race for the lock.
        both_checked.wait(timeout=10)
        return 200, {}, json.dumps(status_response("settlement", attempt))

    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, status_url(attempt.order_id), callback=status_callback)
        answers = run_in_threads(2, lambda: webhook.handle(body))

    assert sorted(a.status for a in answers) == [200, 200]
    assert sorted(a.outcome for a in answers) == ["no change (already settled)", "paid"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert handler.calls == [("paid", str(payment.pk))]
    assert payment.events.filter(to_status="paid").count() == 1


def test_concurrent_full_refunds_refund_once(payment, handler):
    PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="settlement",
        payment_type="bank_transfer",
        snap_token="tok",
        expires_at=payment.expires_at,
    )
    services.payment_set_status(payment=payment, status="paid")

    def refund():
        try:
            return services.payment_refund(payment=Payment.objects.get(pk=payment.pk), reason="Batal")
        except Exception as exc:
            return exc

    results = run_in_threads(2, refund)
    payment.refresh_from_db()
    assert payment.refunded_amount == payment.amount
    assert payment.refunds.count() == 1
    assert sum(1 for r in results if isinstance(r, Exception)) == 1
