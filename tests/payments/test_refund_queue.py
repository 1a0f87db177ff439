"""One refund path: recorded at once, sent to Midtrans from the task queue, retried with back-off,
exactly once, and owed by hand when Midtrans refuses or stays unreachable."""

import datetime
import json

import pytest

from background.models import TaskFailure
from payments import services
from payments.models import Payment, PaymentAttempt, Refund

pytestmark = pytest.mark.django_db

API = "http://testserver.hellopet/payments/simulator/api"


def settle(payment, mocked, payment_type="credit_card"):
    """A settled payment; Midtrans's status API says so (the refund asks it: void or refund)."""
    attempt = PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="settlement",
        payment_type=payment_type,
        expires_at=payment.expires_at,
    )
    services.payment_set_status(payment=payment, status="paid")
    mocked.get(
        f"{API}/v2/{attempt.order_id}/status",
        json={
            "status_code": "200",
            "transaction_status": "settlement",
            "gross_amount": f"{payment.amount}.00",
            "order_id": attempt.order_id,
        },
    )
    return attempt


def test_refund_endpoint_failing_twice_then_succeeding_refunds_exactly_once(
    payment, mocked, task_queue, django_capture_on_commit_callbacks
):
    attempt = settle(payment, mocked)
    url = f"{API}/v2/{attempt.order_id}/refund"
    mocked.post(url, status=503, json={"status_message": "busy"})
    mocked.post(url, body=ConnectionError("connection reset"))
    mocked.post(url, json={"status_code": "200", "refund_chargeback_id": 42, "refund_amount": "150000.00"})

    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_payment(payment=payment, reason="Dokter tidak tersedia")
    refund.refresh_from_db()
    assert refund.state == Refund.State.PENDING and refund.attempts == 1  # first call failed
    assert len(task_queue.scheduled()) == 1  # the retry waits for its back-off

    task_queue.run_scheduled()

    refund.refresh_from_db()
    payment.refresh_from_db()
    calls = [c for c in mocked.calls if c.request.url == url]
    assert len(calls) == 3
    # Every try carried the same refund_key: Midtrans refunds one key once.
    assert {json.loads(c.request.body)["refund_key"] for c in calls} == {f"{attempt.order_id}-R1"}
    assert refund.state == Refund.State.DONE and refund.gateway_reference == "42" and refund.attempts == 3
    assert Refund.objects.filter(payment=payment).count() == 1
    assert payment.refunded_amount == 150_000 and payment.status == Payment.Status.REFUNDED
    assert not task_queue.scheduled()
    assert not TaskFailure.objects.exists()


def test_running_the_refund_task_again_changes_nothing(payment, mocked, django_capture_on_commit_callbacks):
    attempt = settle(payment, mocked)
    mocked.post(f"{API}/v2/{attempt.order_id}/refund", json={"status_code": "200", "refund_chargeback_id": 1})
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_payment(payment=payment, reason="Dibatalkan")
    assert services.refund_send(refund.pk) == "nothing to do"
    assert [c.request.method for c in mocked.calls] == ["GET", "POST"]  # status (void or refund?), refund


def test_midtrans_unreachable_through_every_retry_leaves_the_refund_owed(
    payment, mocked, task_queue, django_capture_on_commit_callbacks, settings
):
    attempt = settle(payment, mocked)
    mocked.post(f"{API}/v2/{attempt.order_id}/refund", status=502, json={"status_message": "bad gateway"})
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_payment(payment=payment, reason="Dibatalkan")
    task_queue.run_scheduled()

    refund.refresh_from_db()
    assert refund.state == Refund.State.AWAITING_MANUAL and refund.manual
    assert "unreachable" in refund.manual_note
    assert refund.attempts == settings.TASK_RETRIES + 1
    # Staff see it owed in admin (Refunds, state "awaiting manual transfer"), and can settle it there.
    done = services.refund_mark_done(refund=refund, note="BCA ref 9")
    assert done.state == Refund.State.DONE


def test_a_refund_whose_enqueue_was_lost_is_sent_by_the_minute_sweep(payment, mocked):
    from payments import tasks

    attempt = settle(payment, mocked)
    mocked.post(f"{API}/v2/{attempt.order_id}/refund", json={"status_code": "200", "refund_chargeback_id": 5})
    refund = services.refund_payment(payment=payment, reason="Dibatalkan")  # on_commit never runs here
    Refund.objects.filter(pk=refund.pk).update(created_at=refund.created_at - datetime.timedelta(hours=1))
    tasks.reconcile_every_minute.call_local()
    refund.refresh_from_db()
    assert refund.state == Refund.State.DONE
