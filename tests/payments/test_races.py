"""Concurrent deliveries of the same notification on real PostgreSQL: exactly one fulfilment."""

import json
import threading

import pytest
import responses
from django.db import connection

from payments import services, webhook
from payments.models import Payment, PaymentAttempt, PaymentNotification

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


def test_ten_concurrent_duplicate_notifications_all_answer_2xx_and_are_all_stored(payment, handler):
    """Issue 13.1: the notification record, the payment and the attempt are locked in one order, so
    concurrent duplicates never deadlock: every answer is 2xx, every record keeps its outcome."""
    attempt = PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="pending",
        snap_token="tok",
        expires_at=payment.expires_at,
    )
    body = json.dumps(signed("settlement", attempt)).encode()

    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, status_url(attempt.order_id), json=status_response("settlement", attempt))
        answers = run_in_threads(10, lambda: webhook.handle(body))

    assert [a.status for a in answers] == [200] * 10, [a.outcome for a in answers]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert handler.calls == [("paid", str(payment.pk))]
    records = PaymentNotification.objects.filter(order_id=attempt.order_id)
    assert records.count() == 10
    assert not PaymentNotification.objects.filter(outcome="").exists()
    assert set(records.values_list("response_status", flat=True)) == {200}
    assert sorted(records.values_list("outcome", flat=True)).count("paid") == 1


def test_finish_page_racing_notifications_never_answers_500(payment, handler, owner):
    """Issue 13.1: the finish page's own status check takes the same locks in the same order."""
    from django.test import Client

    attempt = PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="pending",
        snap_token="tok",
        expires_at=payment.expires_at,
    )
    body = json.dumps(signed("settlement", attempt)).encode()
    finish = services.payment_finish_url(payment)

    def one(i):
        if i % 2:
            return webhook.handle(body).status
        client = Client()
        client.force_login(owner)
        return client.get(finish).status_code

    counter = iter(range(10))
    lock = threading.Lock()

    def target():
        with lock:
            i = next(counter)
        return one(i)

    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, status_url(attempt.order_id), json=status_response("settlement", attempt))
        answers = run_in_threads(10, target)

    assert answers == [200] * 10
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert handler.calls == [("paid", str(payment.pk))]
