"""Payments fixtures: a test purpose with a recording handler, payments for it, and Midtrans at the
HTTP boundary (`responses`), either scripted per test or served by the local simulator in-process."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import responses
from django.test import Client

from payments import registry, services
from payments.models import Payment

PAYLOADS = Path(__file__).parent / "payloads"
ROOT_DIR = Path(__file__).resolve().parent.parent.parent
SITE = "http://testserver.hellopet"


class RecordingHandler(registry.PaymentHandler):
    def __init__(self):
        self.calls = []

    def paid(self, payment):
        self.calls.append(("paid", str(payment.pk)))

    def failed(self, payment):
        self.calls.append((payment.status, str(payment.pk)))

    def refunded(self, payment):
        self.calls.append((payment.status, str(payment.pk), payment.refunded_amount))

    def return_url(self, payment):
        return "/accounts/profile/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "testserver.hellopet", "127.0.0.1", "localhost"]
    settings.MIDTRANS_SERVER_KEY = ""
    settings.MIDTRANS_CLIENT_KEY = ""
    settings.PAYMENT_SIMULATOR = True
    settings.MIDTRANS_API_URL = ""
    settings.MIDTRANS_SNAP_URL = ""


@pytest.fixture
def handler():
    handler = RecordingHandler()
    previous = registry._registry.handlers.get("test")
    registry.register("test", handler)
    yield handler
    if previous is None:
        registry._registry.handlers.pop("test", None)
    else:
        registry.register("test", previous)


@pytest.fixture
def make_payment(owner, handler):
    def make(amount=150_000, payer=None, **kwargs) -> Payment:
        return services.payment_create(
            payer=payer or owner,
            purpose="test",
            target=payer or owner,
            amount=amount,
            description=kwargs.pop("description", "Konsultasi dokter hewan"),
            **kwargs,
        )

    return make


@pytest.fixture
def payment(make_payment):
    return make_payment()


def load_payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


@pytest.fixture
def mocked():
    """Every outgoing HTTP call must be expected by the test (responses raises on anything else)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def in_process_simulator(db):
    """Serve SITE_URL (the simulator and the webhook) from this process through the Django test client:
    the payment code still goes through midtransclient -> requests -> HTTP request objects, and
    `responses` hands each request to the app instead of the network (no server, no deadlock)."""

    def forward(request):
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {}
        for name, value in request.headers.items():
            if name.lower() in ("content-type", "content-length", "host"):
                continue
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        client = Client(HTTP_HOST="testserver.hellopet")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        response = client.generic(
            request.method,
            path,
            data=body,
            content_type=request.headers.get("Content-Type", "application/json"),
            **headers,
        )
        return response.status_code, dict(response.items()), response.content

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        import re

        rsps.add_callback(responses.GET, re.compile(f"{SITE}/.*"), callback=forward)
        rsps.add_callback(responses.POST, re.compile(f"{SITE}/.*"), callback=forward)
        yield rsps


# --- real-Midtrans mode (sandbox keys), with Midtrans mocked at the HTTP boundary -------------------
SERVER_KEY = "SB-Mid-server-TESTONLY0123456789"
CLIENT_KEY = "SB-Mid-client-TESTONLY0123456789"
SANDBOX_API = "https://api.sandbox.midtrans.com"
SANDBOX_SNAP = "https://app.sandbox.midtrans.com/snap/v1"


@pytest.fixture
def sandbox(settings):
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.MIDTRANS_CLIENT_KEY = CLIENT_KEY
    settings.PAYMENT_SIMULATOR = False
    settings.MIDTRANS_IS_PRODUCTION = False


@pytest.fixture
def open_attempt(payment):
    from payments.models import PaymentAttempt

    return PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="pending",
        snap_token="66e4fa55-fdac-4ef9-91b5-733b97d1b862",
        redirect_url="https://app.sandbox.midtrans.com/snap/v2/vtweb/66e4fa55",
        expires_at=payment.expires_at,
    )


def signed(name: str, attempt, **overrides) -> dict:
    """A recorded notification re-addressed to `attempt` and signed with the configured server key."""
    from payments import midtrans

    payload = load_payload(name)
    payload["order_id"] = attempt.order_id
    payload["gross_amount"] = f"{attempt.amount}.00"
    payload.update(overrides)
    payload["signature_key"] = midtrans.signature(
        payload["order_id"], payload["status_code"], payload["gross_amount"]
    )
    return payload


def status_response(name: str, attempt, **overrides) -> dict:
    """What GET /v2/<order_id>/status answers: the same fields as the notification, as Midtrans does."""
    body = signed(name, attempt, **overrides)
    body["status_message"] = "Success, transaction is found"
    return body


def status_url(order_id: str) -> str:
    return f"{SANDBOX_API}/v2/{order_id}/status"
