"""midtransclient 1.4.2 has three known faults; payments/midtrans.py is the one module that uses it, and
guards each one. Per fault: a test that shows the library still has it (when an upgrade fixes it, that
test fails and the guard can go) and a test that fails if our wrapper stopped guarding it.

1. No timeout: it calls `requests.request` without one, so a hung Midtrans would hang a worker.
2. Fixed hosts: `ApiConfig` returns Midtrans's own hosts, whatever we configure (proxy, simulator).
3. Argument order: `transactions.notification()` passes the custom headers as the query string and the
   proxies as the headers (a positional argument is missing), so we use `transactions.status()`.
"""

import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import midtransclient
import pytest
import responses
from midtransclient.transactions import Transactions

from payments import midtrans

from .conftest import SANDBOX_API, SERVER_KEY

ROOT = Path(__file__).resolve().parents[2]
STATUS_OK = {"status_code": "200", "transaction_status": "settlement", "order_id": "HP-x-1"}


@pytest.fixture
def sandbox(settings):
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.MIDTRANS_CLIENT_KEY = "SB-Mid-client-TESTONLY"
    settings.PAYMENT_SIMULATOR = False
    settings.MIDTRANS_IS_PRODUCTION = False
    settings.MIDTRANS_API_URL = settings.MIDTRANS_SNAP_URL = ""


def _raw_core(custom_headers=None):
    """midtransclient as its README uses it: no wrapper."""
    return midtransclient.CoreApi(
        is_production=False, server_key=SERVER_KEY, client_key="c", custom_headers=custom_headers or {}
    )


def test_only_payments_midtrans_imports_midtransclient():
    uses = re.compile(r"^\s*(import|from)\s+midtransclient\b", re.MULTILINE)
    users = []
    for top in sorted(ROOT.iterdir()):
        if top.name.startswith(".") or top.name in ("tests", "var", "node_modules") or not top.is_dir():
            continue
        for path in top.rglob("*.py"):
            if "node_modules" not in path.parts and uses.search(path.read_text(encoding="utf-8")):
                users.append(str(path.relative_to(ROOT)))
    assert users == ["payments/midtrans.py"]


# --- 1. no timeout ----------------------------------------------------------------------------------
@pytest.fixture
def hung_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a hung Midtrans)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    server.close()


def test_fault_midtransclient_sends_without_a_timeout():
    with responses.RequestsMock() as mocked:
        mocked.get(f"{SANDBOX_API}/v2/HP-x-1/status", json=STATUS_OK)
        _raw_core().transactions.status("HP-x-1")
        assert mocked.calls[0].request.req_kwargs["timeout"] is None


def test_guard_every_call_of_ours_carries_the_configured_timeout(sandbox, settings):
    settings.MIDTRANS_TIMEOUT_SECONDS = 7.5
    with responses.RequestsMock() as mocked:
        mocked.get(f"{SANDBOX_API}/v2/HP-x-1/status", json=STATUS_OK)
        mocked.post(f"{SANDBOX_API}/v2/HP-x-1/expire", json=STATUS_OK)
        midtrans.transaction_status("HP-x-1")
        midtrans.transaction_status("HP-x-1", timeout=2.0)
        midtrans.expire("HP-x-1")
        assert [c.request.req_kwargs["timeout"] for c in mocked.calls] == [7.5, 2.0, 7.5]


def test_guard_a_hung_midtrans_is_a_gateway_error_within_the_timeout(sandbox, settings, hung_server):
    settings.MIDTRANS_API_URL = hung_server
    outcome = {}

    def call():
        started = time.monotonic()
        try:
            midtrans.transaction_status("HP-x-1", timeout=0.5)
        except Exception as exc:  # noqa: BLE001 (the test reports whatever came out)
            outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "the status call hung on a server that never answers (no timeout)"
    assert isinstance(outcome["error"], midtrans.GatewayError)
    assert outcome["seconds"] < 5


# --- 2. fixed hosts ---------------------------------------------------------------------------------
def test_fault_midtransclient_always_talks_to_midtrans_hosts():
    client = _raw_core()
    assert client.api_config.get_core_api_base_url() == SANDBOX_API
    assert midtransclient.Snap(is_production=True).api_config.get_snap_base_url() == (
        "https://app.midtrans.com/snap/v1"
    )


def test_guard_requests_go_to_the_configured_hosts(sandbox, settings):
    settings.MIDTRANS_API_URL = "http://egress.internal:8080/midtrans-api"
    settings.MIDTRANS_SNAP_URL = "http://egress.internal:8080/midtrans-snap/v1"
    with responses.RequestsMock() as mocked:  # anything sent to Midtrans's own hosts raises here
        mocked.get("http://egress.internal:8080/midtrans-api/v2/HP-x-1/status", json=STATUS_OK)
        mocked.post(
            "http://egress.internal:8080/midtrans-snap/v1/transactions",
            json={"token": "t", "redirect_url": "r"},
            status=201,
        )
        assert midtrans.transaction_status("HP-x-1") == STATUS_OK
        assert midtrans.create_snap_transaction({"transaction_details": {}})["token"] == "t"


def test_guard_without_keys_requests_go_to_the_local_simulator(settings):
    assert settings.PAYMENT_SIMULATOR and not settings.MIDTRANS_SERVER_KEY
    with responses.RequestsMock() as mocked:
        mocked.get(f"{settings.SITE_URL}/payments/simulator/api/v2/HP-x-1/status", json=STATUS_OK)
        assert midtrans.transaction_status("HP-x-1") == STATUS_OK


# --- 3. argument order ------------------------------------------------------------------------------
def test_fault_notification_sends_the_custom_headers_as_the_query_string():
    with responses.RequestsMock() as mocked:
        mocked.get(f"{SANDBOX_API}/v2/T-1/status", json=STATUS_OK)
        _raw_core({"X-Override-Notification": "https://example.test/hook"}).transactions.notification(
            {"transaction_id": "T-1"}
        )
        request = mocked.calls[0].request
        assert parse_qs(urlsplit(request.url).query) == {
            "X-Override-Notification": ["https://example.test/hook"]
        }
        assert "X-Override-Notification" not in request.headers


def test_guard_our_status_lookup_never_uses_notification(sandbox, monkeypatch):
    def broken(self, notification=None):
        raise AssertionError("transactions.notification() mixes up its arguments (midtransclient 1.4.2)")

    monkeypatch.setattr(Transactions, "notification", broken)
    with responses.RequestsMock() as mocked:
        mocked.get(f"{SANDBOX_API}/v2/HP-x-1/status", json=STATUS_OK)
        assert midtrans.transaction_status("HP-x-1") == STATUS_OK
        request = mocked.calls[0].request
        assert urlsplit(request.url).query == ""
        assert request.headers["Accept"] == "application/json"
