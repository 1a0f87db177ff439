import json

import pytest
from django.core.exceptions import ValidationError

from payments import services
from payments.models import Payment, PaymentAttempt, Refund

pytestmark = pytest.mark.django_db

API = "http://testserver.hellopet/payments/simulator/api"


def settle(payment, payment_type="credit_card", mocked=None, midtrans_status="settlement"):
    """A paid payment; with `mocked`, Midtrans's status API reports the order `midtrans_status`."""
    attempt = PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="settlement",
        payment_type=payment_type,
        expires_at=payment.expires_at,
    )
    services.payment_set_status(payment=payment, status="paid")
    if mocked is not None:
        mocked.get(
            f"{API}/v2/{attempt.order_id}/status",
            json={
                "status_code": "200",
                "transaction_status": midtrans_status,
                "gross_amount": f"{payment.amount}.00",
                "order_id": attempt.order_id,
            },
        )
    return attempt


def test_full_refund_goes_through_the_core_api_and_tells_the_app(
    payment, handler, staff, mocked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attempt = settle(payment, mocked=mocked)
    mocked.post(
        f"{API}/v2/{attempt.order_id}/refund",
        json={
            "status_code": "200",
            "status_message": "Success, refund request is approved",
            "transaction_status": "refund",
            "refund_chargeback_id": 77,
            "refund_amount": "150000.00",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(payment=payment, reason="Dokter tidak tersedia", by=staff)

    sent = mocked.calls[-1].request
    assert json.loads(sent.body) == {
        "refund_key": f"{attempt.order_id}-R1",
        "amount": 150000,
        "reason": "Dokter tidak tersedia",
    }
    assert sent.headers["Authorization"].startswith("Basic ")
    payment.refresh_from_db()
    refund.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_amount == 150_000
    assert refund.state == Refund.State.DONE and not refund.manual and refund.gateway_reference == "77"
    assert handler.calls[-1] == ("refunded", str(payment.pk), 150_000)


def test_two_partial_refunds_are_each_delivered(payment, handler, mocked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attempt = settle(payment, mocked=mocked)
    mocked.post(f"{API}/v2/{attempt.order_id}/refund", json={"status_code": "200", "refund_chargeback_id": 1})
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=payment, amount=50_000, reason="Sebagian")
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=payment, amount=40_000, reason="Sebagian lagi")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert payment.refunded_amount == 90_000
    assert [c for c in handler.calls if c[0] == "partially_refunded"] == [
        ("partially_refunded", str(payment.pk), 50_000),
        ("partially_refunded", str(payment.pk), 90_000),
    ]
    assert json.loads(mocked.calls[-1].request.body)["refund_key"] == f"{attempt.order_id}-R2"


def test_bank_transfer_refund_is_recorded_as_owed_without_calling_midtrans(payment, handler, mocked):
    settle(payment, payment_type="bank_transfer")
    refund = services.payment_refund(payment=payment, reason="Salon tutup")
    assert len(mocked.calls) == 0
    assert refund.manual and refund.state == Refund.State.AWAITING_MANUAL
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    done = services.refund_mark_done(refund=refund, note="BCA transfer ref 123")
    assert done.state == Refund.State.DONE and done.completed_at


def test_midtrans_refusing_a_refund_records_it_as_owed(payment, mocked, django_capture_on_commit_callbacks):
    attempt = settle(payment, payment_type="gopay", mocked=mocked)
    mocked.post(
        f"{API}/v2/{attempt.order_id}/refund", json={"status_code": "412", "status_message": "Too old"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_payment(payment=payment, reason="Dibatalkan")
    refund.refresh_from_db()
    assert refund.state == Refund.State.AWAITING_MANUAL and refund.manual
    assert "Too old" in refund.manual_note
    assert len([c for c in mocked.calls if c.request.method == "POST"]) == 1  # a refusal is final: no retry


def test_refund_is_recorded_before_midtrans_is_asked(payment, mocked):
    """Inside the caller's transaction nothing talks to Midtrans: the row is there, the call waits."""
    settle(payment)
    refund = services.refund_payment(payment=payment, reason="Dibatalkan")
    assert len(mocked.calls) == 0
    assert refund.state == Refund.State.PENDING and refund.refund_key.endswith("-R1")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED


@pytest.mark.parametrize("amount", [0, -5, 150_001])
def test_refund_amount_must_fit(payment, amount):
    settle(payment, payment_type="bank_transfer")
    with pytest.raises(ValidationError):
        services.payment_refund(payment=payment, amount=amount, reason="x")


def test_unpaid_payment_cannot_be_refunded(payment):
    with pytest.raises(ValidationError):
        services.payment_refund(payment=payment, reason="x")


def test_refund_needs_a_reason(payment):
    settle(payment, payment_type="bank_transfer")
    with pytest.raises(ValidationError):
        services.payment_refund(payment=payment, reason="  ")
