"""Pay page and finish page with real-Midtrans settings: the Snap request is checked as sent."""

import base64
import datetime
import json

import pytest
import requests
from django.utils import timezone

from payments import midtrans, services
from payments.models import Payment, PaymentAttempt

from .conftest import CLIENT_KEY, SANDBOX_SNAP, SERVER_KEY, status_response, status_url

pytestmark = pytest.mark.django_db

SNAP_OK = {
    "token": "66e4fa55-fdac-4ef9-91b5-733b97d1b862",
    "redirect_url": f"{SANDBOX_SNAP}/../v2/vtweb/66e4fa55",
}


def pay_url(payment):
    return f"/payments/{payment.pk}/"


def finish_url(payment):
    return f"/payments/{payment.pk}/finish/"


@pytest.mark.usefixtures("sandbox")
def test_paying_creates_a_snap_transaction_with_the_exact_request(payment, owner, client_for, mocked):
    mocked.post(f"{SANDBOX_SNAP}/transactions", json=SNAP_OK, status=201)
    owner.phone = "+6281234567890"
    owner.save()

    response = client_for(owner).post(pay_url(payment))

    assert response.status_code == 200
    attempt = PaymentAttempt.objects.get()
    assert attempt.order_id == f"HP-{payment.pk.hex[:20]}-1" and len(attempt.order_id) <= 50
    request = mocked.calls[0].request
    assert request.url == f"{SANDBOX_SNAP}/transactions"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
    assert (
        request.headers["X-Override-Notification"]
        == "http://testserver.hellopet/payments/midtrans/notification/"
    )
    assert request.req_kwargs["timeout"] == 10.0
    body = json.loads(request.body)
    expiry = body.pop("expiry")
    assert body == {
        "transaction_details": {"order_id": attempt.order_id, "gross_amount": 150000},
        "item_details": [
            {
                "id": "test",
                "price": 150000,
                "quantity": 1,
                "name": "Konsultasi dokter hewan",
                "category": "test",
                "merchant_name": "HELLOPET!",
            }
        ],
        "customer_details": {
            "first_name": "Budi",
            "last_name": "Santoso",
            "email": "budi@example.test",
            "phone": "+6281234567890",
        },
        "callbacks": {"finish": f"http://testserver.hellopet/payments/{payment.pk}/finish/"},
    }
    assert expiry["unit"] == "minutes" and expiry["duration"] in (59, 60)  # whole minutes, rounded down
    assert expiry["start_time"].endswith("+0700")
    # The page opens Snap.js (sandbox) with the client key and the token.
    html = response.content.decode()
    assert 'src="https://app.sandbox.midtrans.com/snap/snap.js"' in html
    assert f'data-client-key="{CLIENT_KEY}"' in html
    assert f'data-snap-token="{SNAP_OK["token"]}"' in html


@pytest.mark.usefixtures("sandbox")
def test_second_click_reuses_the_open_order(payment, owner, client_for, mocked):
    mocked.post(f"{SANDBOX_SNAP}/transactions", json=SNAP_OK, status=201)
    client = client_for(owner)
    client.post(pay_url(payment))
    client.post(pay_url(payment))
    assert len(mocked.calls) == 1
    assert PaymentAttempt.objects.count() == 1


@pytest.mark.usefixtures("sandbox")
def test_snap_down_shows_a_clear_error_and_the_next_try_makes_a_new_order(payment, owner, client_for, mocked):
    mocked.post(f"{SANDBOX_SNAP}/transactions", body=requests.ConnectTimeout("timed out"))
    response = client_for(owner).post(pay_url(payment))
    assert response.status_code == 503
    assert "Tidak ada dana yang ditagihkan" in response.content.decode()  # "Nothing was charged"
    assert PaymentAttempt.objects.get().status == "failure"

    mocked.replace("POST", f"{SANDBOX_SNAP}/transactions", json=SNAP_OK, status=201)
    assert client_for(owner).post(pay_url(payment)).status_code == 200
    assert PaymentAttempt.objects.filter(status="created").get().order_id.endswith("-2")


@pytest.mark.usefixtures("sandbox")
def test_snap_refusing_the_order_is_a_503_not_a_500(payment, owner, client_for, mocked):
    mocked.post(
        f"{SANDBOX_SNAP}/transactions",
        status=400,
        json={"error_messages": ["transaction_details.order_id has already been taken"]},
    )
    assert client_for(owner).post(pay_url(payment)).status_code == 503


def test_production_settings_use_production_hosts(settings, payment, owner, client_for, mocked):
    settings.MIDTRANS_SERVER_KEY = "Mid-server-PRODTEST"
    settings.MIDTRANS_CLIENT_KEY = "Mid-client-PRODTEST"
    settings.PAYMENT_SIMULATOR = False
    settings.MIDTRANS_IS_PRODUCTION = True
    mocked.post("https://app.midtrans.com/snap/v1/transactions", json=SNAP_OK, status=201)
    html = client_for(owner).post(pay_url(payment)).content.decode()
    assert 'src="https://app.midtrans.com/snap/snap.js"' in html
    assert midtrans.snap_origins() == ["https://app.midtrans.com", "https://api.midtrans.com"]


def test_base_urls_can_point_at_an_egress_proxy(settings, payment, mocked):
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-X"
    settings.PAYMENT_SIMULATOR = False
    settings.MIDTRANS_API_URL = "http://egress.internal:8080/midtrans-api/"
    settings.MIDTRANS_SNAP_URL = "http://egress.internal:8080/midtrans-snap/v1"
    mocked.post("http://egress.internal:8080/midtrans-snap/v1/transactions", json=SNAP_OK, status=201)
    mocked.get("http://egress.internal:8080/midtrans-api/v2/HP-x-1/status", json={"status_code": "404"})
    services.attempt_start(payment=payment)
    assert midtrans.transaction_status("HP-x-1") is None
    assert [c.request.url.split("/")[2] for c in mocked.calls] == ["egress.internal:8080"] * 2


def test_sandbox_csp_origins(settings):
    settings.MIDTRANS_IS_PRODUCTION = False
    assert midtrans.snap_origins() == ["https://app.sandbox.midtrans.com", "https://api.sandbox.midtrans.com"]


def test_without_keys_the_base_urls_are_the_local_simulator(settings):
    assert midtrans.api_base_url() == "http://testserver.hellopet/payments/simulator/api"
    assert midtrans.snap_base_url() == "http://testserver.hellopet/payments/simulator/snap/v1"
    assert midtrans.server_key().startswith("SIM-server-")


# --- who may see a payment -----------------------------------------------------------------------------
@pytest.mark.parametrize("page", [pay_url, finish_url])
def test_anonymous_is_sent_to_login(page, payment, client_for):
    response = client_for(None).get(page(payment))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("page", [pay_url, finish_url])
@pytest.mark.parametrize(
    ("persona", "expected"), [("owner", 200), ("other_member", 404), ("vet", 404), ("staff", 200)]
)
def test_role_matrix(page, persona, expected, payment, client_for, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(page(payment)).status_code == expected


def test_get_payment_for_user(payment, owner, other_member, staff):
    from django.http import Http404

    from payments.access import get_payment_for_user

    assert get_payment_for_user(owner, payment.pk) == payment
    assert get_payment_for_user(staff, payment.pk) == payment
    with pytest.raises(Http404):
        get_payment_for_user(other_member, payment.pk)


def test_paid_payment_pay_page_goes_to_finish(payment, owner, client_for):
    services.payment_set_status(payment=payment, status="paid")
    response = client_for(owner).get(pay_url(payment))
    assert response.status_code == 302 and response["Location"] == finish_url(payment)


def test_expired_payment_cannot_start_an_order(payment, owner, client_for, mocked):
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client_for(owner).post(pay_url(payment), follow=True)
    assert response.status_code == 200
    assert len(mocked.calls) == 0
    assert not PaymentAttempt.objects.exists()


# --- finish page: shows our status, asks Midtrans while pending ---------------------------------------
@pytest.mark.usefixtures("sandbox")
def test_finish_page_asks_midtrans_while_pending_and_shows_paid(
    payment, open_attempt, owner, client_for, mocked, django_capture_on_commit_callbacks
):
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).get(finish_url(payment) + "?transaction_status=deny&status_code=202")
    assert response.status_code == 200
    assert 'data-payment-status="paid"' in response.content.decode()
    assert payment.events.filter(source="finish-page", to_status="paid").exists()


@pytest.mark.usefixtures("sandbox")
def test_finish_page_ignores_the_query_string(payment, open_attempt, owner, client_for, mocked):
    mocked.get(status_url(open_attempt.order_id), json={"status_code": "404", "status_message": "not found"})
    response = client_for(owner).get(finish_url(payment) + "?transaction_status=settlement&status_code=200")
    assert 'data-payment-status="pending"' in response.content.decode()
    assert "data-pay-pending" in response.content.decode()


@pytest.mark.usefixtures("sandbox")
def test_finish_page_survives_midtrans_being_down(payment, open_attempt, owner, client_for, mocked):
    mocked.get(status_url(open_attempt.order_id), body=requests.ConnectionError("down"))
    response = client_for(owner).get(finish_url(payment))
    assert response.status_code == 200
    assert 'data-payment-status="pending"' in response.content.decode()


def test_finish_page_links_to_the_apps_return_url(payment, owner, client_for, handler):
    services.payment_set_status(payment=payment, status="paid")
    response = client_for(owner).get(finish_url(payment))
    assert 'href="/accounts/profile/"' in response.content.decode()


def test_overdue_payment_is_expired_when_its_page_is_opened(
    payment, owner, client_for, handler, django_capture_on_commit_callbacks
):
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).get(pay_url(payment))
    assert response.status_code == 302 and response["Location"] == finish_url(payment)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert handler.calls == [("expired", str(payment.pk))]


def test_payer_is_emailed_a_receipt(payment, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_set_status(payment=payment, status="paid")
    assert len(mailoutbox) == 1
    assert "150.000" in mailoutbox[0].subject
    assert mailoutbox[0].to == ["budi@example.test"]
