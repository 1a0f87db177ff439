"""Issue 13, items 2-7: what an independent Midtrans review found, each as behaviour."""

import datetime
import json
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from payments import registry, services, webhook
from payments.checks import midtrans_configuration
from payments.models import Payment, PaymentAttempt
from payments.reconcile import reconcile

from .conftest import ROOT_DIR, SANDBOX_API, SANDBOX_SNAP, signed, status_response, status_url

pytestmark = pytest.mark.django_db


def challenged(payment):
    return PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="capture",
        fraud_status="challenge",
        payment_type="credit_card",
        snap_token="tok",
        expires_at=payment.expires_at,
    )


def overdue(payment, minutes=90):
    past = timezone.now() - datetime.timedelta(minutes=minutes)
    Payment.objects.filter(pk=payment.pk).update(expires_at=past)
    payment.attempts.update(expires_at=past)


# --- 2. challenged card captures ---------------------------------------------------------------------
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize(
    ("decision", "status"), [("accept", Payment.Status.PAID), ("deny", Payment.Status.FAILED)]
)
def test_challenged_capture_is_polled_until_midtrans_decides_without_a_notification(
    payment, handler, mocked, decision, status, django_capture_on_commit_callbacks
):
    attempt = challenged(payment)
    overdue(payment)
    mocked.get(status_url(attempt.order_id), json=status_response("capture_challenge", attempt))
    counts = reconcile()
    assert counts["order: challenged: recorded capture"] == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING  # never expired while Midtrans holds the card

    mocked.replace(
        "GET",
        status_url(attempt.order_id),
        json=status_response(
            "capture_accept" if decision == "accept" else "deny",
            attempt,
            **({"fraud_status": "accept"} if decision == "accept" else {}),
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        reconcile()
    payment.refresh_from_db()
    assert payment.status == status


@pytest.mark.usefixtures("sandbox")
def test_challenged_capture_is_never_expired_locally_even_when_midtrans_is_unreachable(payment, mocked):
    challenged(payment)
    overdue(payment, minutes=24 * 60)
    counts = reconcile()  # no status mock: Midtrans unreachable
    assert counts["order: challenged: gateway error"] == 1
    assert not services.payment_expire_if_overdue(payment=payment, source="finish-page")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_challenged_capture_blocks_a_second_order(payment):
    challenged(payment)
    with pytest.raises(ValidationError):
        services.attempt_start(payment=payment)


# --- 3. refunds of a captured card: void before settlement --------------------------------------------
@pytest.mark.usefixtures("sandbox")
def test_refund_of_a_captured_unsettled_card_is_a_cancel_not_a_refund(
    payment, handler, mocked, django_capture_on_commit_callbacks
):
    attempt = challenged(payment)
    PaymentAttempt.objects.filter(pk=attempt.pk).update(fraud_status="accept")
    services.payment_set_status(payment=payment, status="paid")
    mocked.get(status_url(attempt.order_id), json=status_response("capture_accept", attempt))
    cancel = mocked.post(
        f"{SANDBOX_API}/v2/{attempt.order_id}/cancel",
        json={"status_code": "200", "transaction_status": "cancel", "order_id": attempt.order_id},
    )
    refund_call = mocked.post(f"{SANDBOX_API}/v2/{attempt.order_id}/refund", status=412, json={})

    with django_capture_on_commit_callbacks(execute=True):  # sent from the task queue after commit
        refund = services.payment_refund(payment=payment, reason="Dokter berhalangan")
    refund.refresh_from_db()

    assert cancel.call_count == 1 and refund_call.call_count == 0
    assert not refund.manual and refund.state == "done"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED


@pytest.mark.usefixtures("sandbox")
def test_refund_after_settlement_is_a_refund(payment, mocked, django_capture_on_commit_callbacks):
    attempt = challenged(payment)
    PaymentAttempt.objects.filter(pk=attempt.pk).update(status="settlement", fraud_status="accept")
    services.payment_set_status(payment=payment, status="paid")
    mocked.get(status_url(attempt.order_id), json=status_response("settlement", attempt))
    refund_call = mocked.post(
        f"{SANDBOX_API}/v2/{attempt.order_id}/refund", json={"status_code": "200", "refund_chargeback_id": 9}
    )
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(payment=payment, reason="Batal")
    refund.refresh_from_db()
    assert refund_call.call_count == 1 and refund.gateway_reference == "9"


# --- 4. the webhook's time budget --------------------------------------------------------------------
class _SlowStatus(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        time.sleep(8)  # a hung Midtrans (its own status timeout would be 10 s)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_midtrans(settings):
    server = None
    for port in range(13500, 13520):  # this worktree's port range
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), _SlowStatus)
            break
        except OSError:
            continue
    assert server is not None
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MIDTRANS_API_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield
    server.shutdown()
    server.server_close()


@pytest.mark.usefixtures("sandbox", "slow_midtrans")
def test_webhook_answers_503_well_within_five_seconds_when_the_status_api_hangs(payment, open_attempt):
    body = json.dumps(signed("settlement", open_attempt)).encode()
    started = time.monotonic()
    answer = webhook.handle(body)
    took = time.monotonic() - started
    assert answer.status == 503 and "status check failed" in answer.outcome
    assert took < 4.0, took
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


# --- 5. Snap expiry never outlives the app's ----------------------------------------------------------
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize("seconds_left", [90, 61, 3599])
def test_snap_expiry_ends_at_or_before_the_payments_own(payment, mocked, seconds_left):
    Payment.objects.filter(pk=payment.pk).update(
        expires_at=timezone.now() + datetime.timedelta(seconds=seconds_left)
    )
    payment.refresh_from_db()
    mocked.post(f"{SANDBOX_SNAP}/transactions", json={"token": "t", "redirect_url": "https://x"}, status=201)
    attempt = services.attempt_start(payment=payment)
    expiry = json.loads(mocked.calls[0].request.body)["expiry"]
    start = datetime.datetime.strptime(expiry["start_time"], "%Y-%m-%d %H:%M:%S %z")
    midtrans_ends = start + datetime.timedelta(minutes=expiry["duration"])
    assert midtrans_ends <= payment.expires_at
    assert midtrans_ends == attempt.expires_at
    assert expiry["duration"] == (seconds_left - 1) // 60


@pytest.mark.usefixtures("sandbox")
def test_less_than_a_minute_left_cannot_start_an_order(payment, mocked):
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() + datetime.timedelta(seconds=50))
    payment.refresh_from_db()
    with pytest.raises(ValidationError):
        services.attempt_start(payment=payment)
    assert len(mocked.calls) == 0


# --- 6. the simulator in production ------------------------------------------------------------------
def test_simulator_without_opt_in_is_an_error_with_debug_off(settings):
    settings.DEBUG, settings.PAYMENT_SIMULATOR, settings.PAYMENT_SIMULATOR_OPT_IN = False, True, False
    assert [m.id for m in midtrans_configuration(None)] == ["payments.E003"]
    settings.PAYMENT_SIMULATOR_OPT_IN = True
    assert [m.id for m in midtrans_configuration(None)] == ["payments.I001"]
    settings.DEBUG, settings.PAYMENT_SIMULATOR_OPT_IN = True, False
    assert midtrans_configuration(None) == []


@pytest.mark.parametrize(("opt_in", "fails"), [("", True), ("true", False)])
def test_check_deploy_fails_on_a_production_config_with_the_simulator_and_no_opt_in(tmp_path, opt_in, fails):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "hellopet.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hellopet.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
    }
    if opt_in:
        env["PAYMENT_SIMULATOR"] = opt_in
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (run.returncode != 0) == fails, run.stdout + run.stderr
    assert ("payments.E003" in run.stderr) == fails


def test_banner_shows_whenever_the_simulator_is_on(client, settings):
    settings.PAYMENT_SIMULATOR = True
    assert "sim-banner" in client.get("/").content.decode()
    settings.PAYMENT_SIMULATOR = False
    cache.clear()  # a settings change comes with a restart; the visitors' page cache lives 1 s
    assert "sim-banner" not in client.get("/").content.decode()


# --- 7. an unknown purpose fails loudly and stays undelivered -----------------------------------------
def test_unknown_purpose_cannot_be_created(owner):
    with pytest.raises(registry.UnknownPurpose):
        services.payment_create(
            payer=owner, purpose="consultaton", target=owner, amount=1000, description="x"
        )


def test_payment_of_an_unregistered_purpose_stays_undelivered_and_is_retried(
    payment, handler, caplog, django_capture_on_commit_callbacks
):
    Payment.objects.filter(pk=payment.pk).update(purpose="typo")
    payment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_set_status(payment=payment, status="paid")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.delivered_status == ""
    assert "no payment handler registered for purpose 'typo'" in caplog.text
    assert reconcile()["hook failed"] == 1
    Payment.objects.filter(pk=payment.pk).update(purpose="test")  # the handler exists again
    assert reconcile()["hook delivered"] == 1
    assert handler.calls == [("paid", str(payment.pk))]
