"""POST /payments/midtrans/notification/ with recorded payloads; the status API mocked (`responses`)."""

import base64
import json

import pytest
import requests
from django.test import Client

from payments.models import Payment, PaymentAttempt, PaymentNotification
from payments.reconcile import reconcile

from .conftest import SERVER_KEY, signed, status_response, status_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sandbox")]

URL = "/payments/midtrans/notification/"


def post(payload, client=None, content_type="application/json"):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return (client or Client()).post(URL, data=body, content_type=content_type)


def status_of(payment):
    payment.refresh_from_db()
    return payment.status


def test_settlement_marks_paid_after_confirming_with_the_status_api(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(signed("settlement", open_attempt))

    assert response.status_code == 200
    assert status_of(payment) == Payment.Status.PAID
    assert handler.calls == [("paid", str(payment.pk))]
    request = mocked.calls[0].request
    assert request.method == "GET"
    assert request.url == status_url(open_attempt.order_id)
    expected_auth = "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
    assert request.headers["Authorization"] == expected_auth
    # midtransclient has none; ours is set, and short inside the webhook (Midtrans wants 2xx within 5 s)
    assert request.req_kwargs["timeout"] == 2.0
    open_attempt.refresh_from_db()
    assert open_attempt.status == "settlement" and open_attempt.payment_type == "bank_transfer"
    record = PaymentNotification.objects.get()
    assert record.signature_valid and record.response_status == 200 and record.payment_id == payment.pk
    assert json.loads(record.raw_body)["order_id"] == open_attempt.order_id
    assert payment.events.filter(to_status="paid", source="notification").exists()


def test_forged_signature_changes_nothing_and_is_kept_for_audit(payment, open_attempt, handler, mocked):
    payload = signed("settlement", open_attempt)
    payload["signature_key"] = "0" * 128
    response = post(payload)
    assert response.status_code == 403
    assert status_of(payment) == Payment.Status.PENDING
    assert len(mocked.calls) == 0  # not even asked
    record = PaymentNotification.objects.get()
    assert not record.signature_valid and record.outcome == "bad signature"


def test_notification_signed_with_another_key_is_refused(payment, open_attempt, mocked):
    from payments import midtrans

    payload = signed("settlement", open_attempt)
    payload["signature_key"] = midtrans.signature(
        payload["order_id"], payload["status_code"], payload["gross_amount"], "SB-Mid-server-attacker"
    )
    assert post(payload).status_code == 403
    assert status_of(payment) == Payment.Status.PENDING


def test_tampered_amount_breaks_the_signature(payment, open_attempt, mocked):
    payload = signed("settlement", open_attempt)
    payload["gross_amount"] = "1000.00"
    assert post(payload).status_code == 403
    assert status_of(payment) == Payment.Status.PENDING


def test_validly_signed_wrong_amount_is_refused(payment, open_attempt, mocked):
    response = post(signed("settlement", open_attempt, gross_amount="1000.00"))
    assert response.status_code == 400
    assert status_of(payment) == Payment.Status.PENDING
    assert len(mocked.calls) == 0


def test_status_api_reporting_another_amount_is_refused(payment, open_attempt, handler, mocked):
    mocked.get(
        status_url(open_attempt.order_id),
        json=status_response("settlement", open_attempt, gross_amount="1000.00"),
    )
    response = post(signed("settlement", open_attempt))
    assert response.status_code == 400
    assert status_of(payment) == Payment.Status.PENDING
    assert handler.calls == []


def test_valid_notification_repeated_ten_times_fulfils_once(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    payload = signed("settlement", open_attempt)
    with django_capture_on_commit_callbacks(execute=True):
        codes = [post(payload).status_code for _ in range(10)]
    assert codes == [200] * 10
    assert handler.calls == [("paid", str(payment.pk))]
    assert payment.events.filter(to_status="paid").count() == 1
    assert PaymentNotification.objects.count() == 10


def test_settlement_then_pending_stays_paid(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    url = status_url(open_attempt.order_id)
    mocked.get(url, json=status_response("settlement", open_attempt))
    with django_capture_on_commit_callbacks(execute=True):
        assert post(signed("settlement", open_attempt)).status_code == 200
    mocked.replace("GET", url, json=status_response("pending", open_attempt))  # a stale answer, even
    with django_capture_on_commit_callbacks(execute=True):
        assert post(signed("pending", open_attempt)).status_code == 200
    assert status_of(payment) == Payment.Status.PAID
    open_attempt.refresh_from_db()
    assert open_attempt.status == "settlement"
    assert handler.calls == [("paid", str(payment.pk))]


def test_out_of_order_pending_arriving_after_settlement_changes_nothing(payment, open_attempt, mocked):
    # Midtrans sent pending then settlement; we receive settlement first. The status API says settlement.
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    assert post(signed("settlement", open_attempt)).status_code == 200
    assert post(signed("pending", open_attempt)).status_code == 200
    assert status_of(payment) == Payment.Status.PAID


def test_expire_after_settlement_stays_paid(payment, open_attempt, mocked):
    url = status_url(open_attempt.order_id)
    mocked.get(url, json=status_response("settlement", open_attempt))
    post(signed("settlement", open_attempt))
    mocked.replace("GET", url, json=status_response("expire", open_attempt))
    assert post(signed("expire", open_attempt)).status_code == 200
    assert status_of(payment) == Payment.Status.PAID


def test_notification_claims_are_not_trusted_the_status_api_decides(payment, open_attempt, handler, mocked):
    mocked.get(status_url(open_attempt.order_id), json=status_response("pending", open_attempt))
    assert post(signed("settlement", open_attempt)).status_code == 200
    assert status_of(payment) == Payment.Status.PENDING
    assert handler.calls == []


@pytest.mark.parametrize(
    ("name", "expected", "hook"),
    [
        ("capture_accept", Payment.Status.PAID, "paid"),
        ("capture_challenge", Payment.Status.PENDING, None),
        ("pending", Payment.Status.PENDING, None),
        ("deny", Payment.Status.FAILED, "failed"),
        ("cancel", Payment.Status.FAILED, "failed"),
        ("expire", Payment.Status.EXPIRED, "expired"),
    ],
)
def test_each_recorded_status(
    name, expected, hook, payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    mocked.get(status_url(open_attempt.order_id), json=status_response(name, open_attempt))
    with django_capture_on_commit_callbacks(execute=True):
        assert post(signed(name, open_attempt)).status_code == 200
    assert status_of(payment) == expected
    assert handler.calls == ([(hook, str(payment.pk))] if hook else [])


def test_unknown_order_is_404(payment, open_attempt, mocked):
    other = PaymentAttempt(order_id="HP-someone-else-1", amount=150_000)
    response = post(signed("settlement", other))
    assert response.status_code == 404
    assert PaymentNotification.objects.get().outcome == "unknown order"


def test_status_api_unreachable_answers_503_and_changes_nothing(payment, open_attempt, mocked):
    mocked.get(status_url(open_attempt.order_id), body=requests.ConnectionError("no route to host"))
    assert post(signed("settlement", open_attempt)).status_code == 503
    assert status_of(payment) == Payment.Status.PENDING


def test_status_api_server_error_answers_503(payment, open_attempt, mocked):
    mocked.get(
        status_url(open_attempt.order_id), status=500, json={"status_code": "500", "status_message": "oops"}
    )
    assert post(signed("settlement", open_attempt)).status_code == 503


def test_status_api_not_knowing_the_order_answers_503(payment, open_attempt, mocked):
    mocked.get(
        status_url(open_attempt.order_id),
        json={"status_code": "404", "status_message": "Transaction doesn't exist."},
    )
    assert post(signed("settlement", open_attempt)).status_code == 503


@pytest.mark.parametrize("body", ["", "not json", "[1, 2]", '{"order_id": '])
def test_unreadable_body_is_400_and_stored(body, mocked):
    assert post(body).status_code == 400
    assert PaymentNotification.objects.get().raw_body == body


def test_parsing_is_lenient_about_content_type_bom_and_numbers(payment, open_attempt, mocked):
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    payload = signed("settlement", open_attempt)
    payload["status_code"] = 200  # a number instead of a string: same signature input
    body = "\ufeff" + json.dumps(payload)
    assert post(body.encode(), content_type="text/plain").status_code == 200
    assert status_of(payment) == Payment.Status.PAID


def test_webhook_is_csrf_exempt(payment, open_attempt, mocked):
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    assert (
        post(signed("settlement", open_attempt), client=Client(enforce_csrf_checks=True)).status_code == 200
    )


def test_get_is_not_allowed():
    assert Client().get(URL).status_code == 405


def test_settlement_after_local_cancel_is_flagged_not_revived(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    from payments import services

    services.payment_cancel(payment=payment)
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    with django_capture_on_commit_callbacks(execute=True):
        assert post(signed("settlement", open_attempt)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert "refund" in payment.needs_attention
    assert ("paid", str(payment.pk)) not in handler.calls


def test_refund_made_in_the_midtrans_dashboard_is_recorded_once_and_told(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    from payments import services

    services.payment_set_status(payment=payment, status="paid")
    mocked.get(status_url(open_attempt.order_id), json=status_response("refund", open_attempt))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert post(signed("refund", open_attempt)).status_code == 200
    open_attempt.refresh_from_db()
    assert open_attempt.status == "refund"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_amount == 150_000
    refund = payment.refunds.get()
    assert refund.refund_key == "HP-recorded-1-R1" and refund.gateway_reference == "12345"
    assert handler.calls == [("refunded", str(payment.pk), 150_000)]


def test_our_own_refund_reported_back_by_midtrans_is_not_counted_twice(payment, open_attempt, mocked):
    from payments import services

    PaymentAttempt.objects.filter(pk=open_attempt.pk).update(status="settlement", payment_type="gopay")
    services.payment_set_status(payment=payment, status="paid")
    key = f"{open_attempt.order_id}-R1"
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    mocked.post(
        f"https://api.sandbox.midtrans.com/v2/{open_attempt.order_id}/refund",
        json={"status_code": "200", "refund_chargeback_id": 12345, "refund_key": key},
    )
    services.payment_refund(payment=payment, reason="Batal")
    body = status_response("refund", open_attempt)
    body["refunds"][0]["refund_key"] = key
    mocked.get(status_url(open_attempt.order_id), json=body)
    assert post(signed("refund", open_attempt)).status_code == 200
    payment.refresh_from_db()
    assert payment.refunds.count() == 1 and payment.refunded_amount == 150_000


def test_failing_hook_does_not_undo_the_payment_and_reconcile_redelivers(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    def boom(p):
        raise RuntimeError("consultations is down")

    handler.paid = boom
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    with django_capture_on_commit_callbacks(execute=True):
        assert post(signed("settlement", open_attempt)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.delivered_status == ""

    del handler.paid  # the app recovers
    counts = reconcile()
    assert counts["hook delivered"] == 1
    assert handler.calls == [("paid", str(payment.pk))]
    payment.refresh_from_db()
    assert payment.delivered_status == Payment.Status.PAID


def test_money_that_arrived_after_close_can_be_refunded_without_reopening(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    from payments import services
    from payments.stats import monthly_gmv

    services.payment_set_status(payment=payment, status="expired")
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    post(signed("settlement", open_attempt))  # bank_transfer: refunded by hand
    payment.refresh_from_db()
    assert payment.needs_attention
    handler.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(payment=payment, reason="Dibayar setelah kedaluwarsa")
    payment.refresh_from_db()
    assert refund.state == "awaiting_manual" and refund.amount == 150_000
    assert payment.status == Payment.Status.EXPIRED and payment.refunded_amount == 150_000
    assert payment.needs_attention == ""
    assert handler.calls == []
    today = payment.created_at.date()
    assert all(row[1:] == (0, 0, 0) for row in monthly_gmv(today, today))


def test_refund_notification_arriving_before_our_refund_is_written(
    payment, open_attempt, mocked, monkeypatch
):
    from payments import midtrans, services

    PaymentAttempt.objects.filter(pk=open_attempt.pk).update(status="settlement", payment_type="gopay")
    services.payment_set_status(payment=payment, status="paid")

    def refund_and_notify_at_once(order_id, *, refund_key, amount, reason):
        body = status_response("refund", open_attempt)
        body["refunds"][0]["refund_key"] = refund_key
        mocked.get(status_url(open_attempt.order_id), json=body)
        assert post(signed("refund", open_attempt)).status_code == 200  # Midtrans was quicker than us
        return {"status_code": "200", "refund_chargeback_id": 12345, "refund_key": refund_key}

    monkeypatch.setattr(midtrans, "refund", refund_and_notify_at_once)
    refund = services.payment_refund(payment=payment, reason="Batal")
    payment.refresh_from_db()
    assert payment.refunds.get() == refund
    assert payment.refunded_amount == 150_000 and payment.status == Payment.Status.REFUNDED
