"""The offline simulator end to end, in-process: the real midtransclient code sends real HTTP requests,
which `responses` hands to this app (simulator endpoints and the webhook) through the test client."""

import base64
import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from payments import midtrans, services, simulator
from payments.models import Payment, PaymentNotification, Refund, SimulatedTransaction
from payments.reconcile import reconcile

pytestmark = pytest.mark.django_db

SIM = "http://testserver.hellopet/payments/simulator"


def start(payment, owner, client_for):
    """Pay now -> the simulator's checkout page (like Snap's redirect_url)."""
    client = client_for(owner)
    response = client.post(f"/payments/{payment.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SIM}/snap/v2/vtweb/")
    return client, response["Location"].removeprefix("http://testserver.hellopet")


def choose(client, checkout_path, choice, method="qris"):
    page = client.get(checkout_path)
    assert page.status_code == 200
    assert "SIMULATOR" in page.content.decode()
    return client.post(checkout_path, {"choice": choice, "method": method})


@pytest.mark.parametrize(
    ("choice", "method", "expected", "hook"),
    [
        ("pay", "qris", Payment.Status.PAID, "paid"),
        ("pay", "credit_card", Payment.Status.PAID, "paid"),
        ("fail", "credit_card", Payment.Status.FAILED, "failed"),
        ("expire", "bank_transfer", Payment.Status.EXPIRED, "expired"),
    ],
)
def test_simulator_outcomes_arrive_through_the_signed_webhook(
    choice,
    method,
    expected,
    hook,
    payment,
    owner,
    client_for,
    handler,
    in_process_simulator,
    django_capture_on_commit_callbacks,
):
    client, checkout = start(payment, owner, client_for)
    with django_capture_on_commit_callbacks(execute=True):
        response = choose(client, checkout, choice, method)
    assert response.status_code == 302
    assert response["Location"].startswith(
        f"http://testserver.hellopet/payments/{payment.pk}/finish/?order_id="
    )

    payment.refresh_from_db()
    assert payment.status == expected
    assert handler.calls == [(hook, str(payment.pk))]
    notification = PaymentNotification.objects.get()
    assert notification.signature_valid and notification.response_status == 200
    # The webhook confirmed with the stand-in's status API before acting.
    urls = [c.request.url for c in in_process_simulator.calls]
    assert any(u.endswith("/status") for u in urls)

    finish = client.get(response["Location"].removeprefix("http://testserver.hellopet"))
    assert f'data-payment-status="{expected}"' in finish.content.decode()


def test_lost_notification_is_recovered_by_the_finish_page(
    payment, owner, client_for, handler, in_process_simulator, django_capture_on_commit_callbacks, monkeypatch
):
    from payments import simulator

    monkeypatch.setattr(simulator, "send_notification", lambda txn: (False, "network down"))
    client, checkout = start(payment, owner, client_for)
    response = choose(client, checkout, "pay")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.get(response["Location"].removeprefix("http://testserver.hellopet"))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert handler.calls == [("paid", str(payment.pk))]


def test_lost_notification_is_recovered_by_reconcile(
    payment, owner, client_for, handler, in_process_simulator, monkeypatch
):
    from payments import simulator

    monkeypatch.setattr(simulator, "send_notification", lambda txn: (False, "network down"))
    client, checkout = start(payment, owner, client_for)
    choose(client, checkout, "pay")
    assert reconcile()["order: paid"] == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_untouched_snap_order_expires_through_reconcile(
    payment, owner, client_for, handler, in_process_simulator
):
    start(payment, owner, client_for)
    assert reconcile()["order: no transaction at Midtrans yet"] == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=5))
    payment.attempts.update(expires_at=timezone.now() - datetime.timedelta(minutes=5))
    counts = reconcile()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert counts["order: expired"] == 1


def test_refund_through_the_simulators_core_api(
    payment, owner, client_for, staff, handler, in_process_simulator, django_capture_on_commit_callbacks
):
    client, checkout = start(payment, owner, client_for)
    choose(client, checkout, "pay", method="credit_card")
    # The card settles (Midtrans: the next working day); before that only a whole void is possible.
    SimulatedTransaction.objects.update(transaction_time=timezone.now() - simulator.CARD_SETTLEMENT_DELAY)
    payment.attempts.update(status="settlement")  # as Midtrans's settlement notification records it
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_payment(payment=payment, amount=50_000, reason="Jadwal berubah", by=staff)
    refund.refresh_from_db()
    assert refund.state == Refund.State.DONE and refund.gateway_reference == "1"
    txn = SimulatedTransaction.objects.get()
    assert txn.transaction_status == "partial_refund" and txn.refunded_amount == 50_000


def test_same_day_card_refund_is_a_void_at_the_stand_in(
    payment, owner, client_for, staff, handler, in_process_simulator, django_capture_on_commit_callbacks
):
    """Issue 13.3: a captured, unsettled card is voided with `cancel` (refund would be 412), not
    turned into a manual bank transfer; a partial refund waits for settlement."""
    client, checkout = start(payment, owner, client_for)
    choose(client, checkout, "pay", method="credit_card")
    with pytest.raises(ValidationError):
        services.payment_refund(payment=payment, amount=50_000, reason="Sebagian", by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(payment=payment, reason="Jadwal berubah", by=staff)
    refund.refresh_from_db()
    assert refund.state == Refund.State.DONE and not refund.manual
    txn = SimulatedTransaction.objects.get()
    assert txn.transaction_status == "cancel" and txn.refunded_amount == 0
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    # Midtrans's cancel status, reported back, is our own void: nothing to flag.
    assert services.attempt_sync(attempt=payment.attempts.get(), source="reconcile").startswith("no change")
    payment.refresh_from_db()
    assert payment.needs_attention == "" and payment.attempts.get().status == "cancel"


def test_bank_transfer_refund_in_the_simulator_is_manual(payment, owner, client_for, in_process_simulator):
    client, checkout = start(payment, owner, client_for)
    choose(client, checkout, "pay", method="bank_transfer")
    refund = services.payment_refund(payment=payment, reason="Salon tutup")
    assert refund.state == Refund.State.AWAITING_MANUAL


def test_cancelled_payment_order_is_closed_at_the_stand_in(payment, owner, client_for, in_process_simulator):
    client, checkout = start(payment, owner, client_for)
    # The payer chose bank transfer and got a VA: the order is pending at Midtrans.
    txn = SimulatedTransaction.objects.get()
    txn.transaction_status, txn.payment_type = "pending", "bank_transfer"
    txn.save()
    services.payment_cancel(payment=payment)
    counts = reconcile()
    txn.refresh_from_db()
    assert txn.transaction_status == "expire"
    assert counts["order: no change"] == 1
    assert payment.attempts.get().status == "expire"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED


def test_closed_checkout_page_offers_no_choice(payment, owner, client_for, in_process_simulator):
    client, checkout = start(payment, owner, client_for)
    choose(client, checkout, "pay")
    again = client.post(checkout, {"choice": "fail", "method": "qris"})
    assert again.status_code == 200
    assert 'name="choice"' not in again.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_bad_choice_is_a_400(payment, owner, client_for, in_process_simulator):
    client, checkout = start(payment, owner, client_for)
    assert client.post(checkout, {"choice": "steal", "method": "qris"}).status_code == 400


# --- the stand-in's API behaves like Midtrans's -----------------------------------------------------------
def _auth(key):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_stand_in_api_needs_the_simulator_server_key():
    body = json.dumps({"transaction_details": {"order_id": "HP-a-1", "gross_amount": 1000}})
    client = Client(enforce_csrf_checks=True)
    url = "/payments/simulator/snap/v1/transactions"
    assert client.post(url, body, content_type="application/json").status_code == 401
    assert (
        client.post(url, body, content_type="application/json", **_auth("SB-Mid-server-guess")).status_code
        == 401
    )
    ok = client.post(url, body, content_type="application/json", **_auth(midtrans.simulator_server_key()))
    assert ok.status_code == 201 and ok.json()["token"]
    again = client.post(url, body, content_type="application/json", **_auth(midtrans.simulator_server_key()))
    assert again.status_code == 400  # order_id already taken


def test_stand_in_status_is_404_until_the_customer_acts():
    client = Client()
    key = _auth(midtrans.simulator_server_key())
    body = json.dumps({"transaction_details": {"order_id": "HP-b-1", "gross_amount": 1000}})
    client.post("/payments/simulator/snap/v1/transactions", body, content_type="application/json", **key)
    response = client.get("/payments/simulator/api/v2/HP-b-1/status", **key)
    assert response.status_code == 404 and response.json()["status_code"] == "404"


def test_stand_in_is_gone_when_real_keys_are_configured(sandbox):
    assert Client().get("/payments/simulator/api/v2/HP-b-1/status").status_code == 404
    assert Client().get("/payments/simulator/snap/v2/vtweb/anything").status_code == 404


def test_pay_later_stays_pending_and_can_be_paid_afterwards(
    payment, owner, client_for, handler, in_process_simulator, django_capture_on_commit_callbacks
):
    client, checkout = start(payment, owner, client_for)
    choose(client, checkout, "later", method="bank_transfer")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert payment.attempts.get().status == "pending"
    assert PaymentNotification.objects.get().outcome == "recorded pending"
    # Back on the pay page, "Pay now" returns to the same simulated order.
    again = client.post(f"/payments/{payment.pk}/")
    assert again["Location"].endswith(checkout)
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, checkout, "pay", method="bank_transfer")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert handler.calls == [("paid", str(payment.pk))]


def test_stand_in_refuses_items_that_do_not_add_up_like_midtrans():
    key = _auth(midtrans.simulator_server_key())
    body = json.dumps(
        {
            "transaction_details": {"order_id": "HP-c-1", "gross_amount": 1000},
            "item_details": [{"id": "x", "price": 900, "quantity": 1, "name": "Konsultasi"}],
        }
    )
    response = Client().post(
        "/payments/simulator/snap/v1/transactions", body, content_type="application/json", **key
    )
    assert response.status_code == 400
