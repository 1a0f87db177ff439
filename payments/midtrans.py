"""The one place that talks to Midtrans, through the official `midtransclient`.

Everything here goes over HTTP with the same client classes whether the other end is Midtrans
(sandbox or production) or the built-in simulator (`payments.simulator`, served by this app under
/payments/simulator/ when no keys are configured). What changes is only configuration:

* base URLs: MIDTRANS_API_URL / MIDTRANS_SNAP_URL, defaulting to Midtrans's own hosts with keys,
  or to SITE_URL + the simulator's paths without keys (so an operator can also point the app at an
  egress proxy or any other stand-in);
* the server key: MIDTRANS_SERVER_KEY, or without keys a simulator key derived from SECRET_KEY so
  that the simulator's notifications carry real, verifiable signatures;
* a timeout on every HTTP call (midtransclient has none of its own).
"""

import hashlib
import hmac
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import midtransclient
import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from midtransclient.config import ApiConfig
from midtransclient.error_midtrans import JSONDecodeError, MidtransAPIError

SANDBOX_API_URL = "https://api.sandbox.midtrans.com"
PRODUCTION_API_URL = "https://api.midtrans.com"
SANDBOX_SNAP_URL = "https://app.sandbox.midtrans.com/snap/v1"
PRODUCTION_SNAP_URL = "https://app.midtrans.com/snap/v1"
SANDBOX_SNAP_JS = "https://app.sandbox.midtrans.com/snap/snap.js"
PRODUCTION_SNAP_JS = "https://app.midtrans.com/snap/snap.js"

SIMULATOR_API_PATH = "/payments/simulator/api"
SIMULATOR_SNAP_PATH = "/payments/simulator/snap/v1"
SIMULATOR_CLIENT_KEY = "SIM-client-hellopet-local"

# Payment types Midtrans can refund through the API (bank transfers, convenience stores and the like
# cannot: those are refunded by hand). https://docs.midtrans.com/reference/refund-transaction
REFUNDABLE_PAYMENT_TYPES = {"credit_card", "gopay", "shopeepay", "qris", "akulaku", "kredivo", "dana"}


class GatewayError(Exception):
    """Midtrans could not be reached or answered with a server error: try again later."""


class NotSettledYet(ValidationError):
    """A partial refund of a card capture that Midtrans has not settled yet: possible only later."""


class GatewayRefused(Exception):  # noqa: N818 (a refusal, not a programming error)
    """Midtrans answered, and said no (4xx): retrying the same request will not help."""

    def __init__(self, message: str, response: dict | None = None):
        super().__init__(message)
        self.response = response or {}


# --- configuration ---------------------------------------------------------------------------------
def is_simulator() -> bool:
    return settings.PAYMENT_SIMULATOR


def simulator_server_key() -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), b"hellopet-payment-simulator", hashlib.sha256).hexdigest()
    return f"SIM-server-{digest[:32]}"


def server_key() -> str:
    return settings.MIDTRANS_SERVER_KEY or simulator_server_key()


def client_key() -> str:
    return settings.MIDTRANS_CLIENT_KEY or (SIMULATOR_CLIENT_KEY if is_simulator() else "")


def api_base_url() -> str:
    if settings.MIDTRANS_API_URL:
        return settings.MIDTRANS_API_URL.rstrip("/")
    if is_simulator():
        return settings.SITE_URL + SIMULATOR_API_PATH
    return PRODUCTION_API_URL if settings.MIDTRANS_IS_PRODUCTION else SANDBOX_API_URL


def snap_base_url() -> str:
    if settings.MIDTRANS_SNAP_URL:
        return settings.MIDTRANS_SNAP_URL.rstrip("/")
    if is_simulator():
        return settings.SITE_URL + SIMULATOR_SNAP_PATH
    return PRODUCTION_SNAP_URL if settings.MIDTRANS_IS_PRODUCTION else SANDBOX_SNAP_URL


def snap_js_url() -> str:
    """Snap.js is always loaded by the browser from Midtrans itself (never through the egress proxy)."""
    return PRODUCTION_SNAP_JS if settings.MIDTRANS_IS_PRODUCTION else SANDBOX_SNAP_JS


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def snap_origins() -> list[str]:
    """Origins the Content-Security-Policy must allow (script-src, frame-src) for Snap with real keys.

    Snap.js comes from app[.sandbox].midtrans.com and opens its payment frame there; card 3-D Secure
    pages are framed from api[.sandbox].midtrans.com.
    """
    if settings.MIDTRANS_IS_PRODUCTION:
        return [_origin(PRODUCTION_SNAP_JS), _origin(PRODUCTION_API_URL)]
    return [_origin(SANDBOX_SNAP_JS), _origin(SANDBOX_API_URL)]


def notification_url() -> str:
    return settings.SITE_URL + reverse("payments:notification")


# --- clients ---------------------------------------------------------------------------------------
class _ConfiguredApiConfig(ApiConfig):
    """midtransclient hard-codes Midtrans's hosts; this reads ours (proxy, simulator) instead."""

    def get_core_api_base_url(self):
        return api_base_url()

    def get_snap_base_url(self):
        return snap_base_url()


class _TimeoutSession(requests.Session):
    """midtransclient calls `requests.request` without a timeout: a hung Midtrans would hang us."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def _configure(client, custom_headers: dict | None = None, timeout: float | None = None):
    client.api_config = _ConfiguredApiConfig(
        is_production=settings.MIDTRANS_IS_PRODUCTION,
        server_key=server_key(),
        client_key=client_key(),
        custom_headers=custom_headers or {},
    )
    client.http_client.http_client = _TimeoutSession(timeout or settings.MIDTRANS_TIMEOUT_SECONDS)
    return client


def snap_client() -> midtransclient.Snap:
    # X-Override-Notification: Midtrans posts this transaction's notifications to our webhook, so each
    # environment (staging, production) gets its own without touching the dashboard setting.
    return _configure(midtransclient.Snap(), {"X-Override-Notification": notification_url()})


def core_client(timeout: float | None = None) -> midtransclient.CoreApi:
    return _configure(midtransclient.CoreApi(), timeout=timeout)


def _call(fn, *args):
    try:
        return fn(*args)
    except MidtransAPIError as exc:
        body = exc.api_response_dict or {}
        code = _int(body.get("status_code")) or exc.http_status_code
        if code and 400 <= code < 500:
            raise GatewayRefused(body.get("status_message") or str(exc), body) from exc
        raise GatewayError(str(exc)) from exc
    except (requests.RequestException, JSONDecodeError, ValueError) as exc:
        raise GatewayError(f"{type(exc).__name__}: {exc}") from exc


def _int(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


# --- operations --------------------------------------------------------------------------------------
def create_snap_transaction(parameters: dict) -> dict:
    """POST {snap}/transactions -> {"token": ..., "redirect_url": ...}."""
    response = _call(snap_client().create_transaction, parameters)
    if not response.get("token"):
        raise GatewayError(f"Snap answered without a token: {response!r}")
    return response


def transaction_status(order_id: str, *, timeout: float | None = None) -> dict | None:
    """GET {api}/v2/<order_id>/status; None when Midtrans has no transaction for that order (yet).

    A Snap order exists at Midtrans only once the customer picks a payment method, so 404 is normal.
    (Not `transactions.notification()`: midtransclient 1.4.2 passes its arguments in the wrong order.)
    """
    try:
        return _call(core_client(timeout).transactions.status, order_id)
    except GatewayRefused as exc:
        if str(exc.response.get("status_code")) == "404":
            return None
        raise


def refund(order_id: str, *, refund_key: str, amount: int, reason: str) -> dict:
    """Give the payer their money back: `cancel` (void) or `refund`, whichever Midtrans accepts now.

    A card payment is first *captured* and only *settled* the next working day. Before settlement
    Midtrans refuses a refund (412) and the capture must be voided with `cancel` instead, which
    releases the whole amount on the card; after settlement it is a `refund` (dedup'd by
    refund_key). The order's current status at Midtrans decides. A partial refund of a capture not
    yet settled cannot be made at all (a void is always whole): NotSettledYet says to try after
    settlement. The answer of `cancel` carries `voided: True` and our refund_key.
    """
    current = transaction_status(order_id)
    if current is not None and str(current.get("transaction_status") or "").lower() == "capture":
        if parse_amount(current.get("gross_amount")) != int(amount):
            raise NotSettledYet(
                _(
                    "This card payment is not settled yet: it can only be cancelled in full now. "
                    "Refund part of it after settlement (the next working day)."
                )
            )
        response = _call(core_client().transactions.cancel, order_id)
        return {**response, "refund_key": refund_key, "voided": True}
    parameters = {"refund_key": refund_key, "amount": int(amount), "reason": reason[:255]}
    return _call(core_client().transactions.refund, order_id, parameters)


def expire(order_id: str) -> dict | None:
    """Close a pending order at Midtrans so it can no longer be paid; None when Midtrans has none."""
    try:
        return _call(core_client().transactions.expire, order_id)
    except GatewayRefused as exc:
        if str(exc.response.get("status_code")) == "404":
            return None
        raise


# --- notifications ---------------------------------------------------------------------------------
def signature(order_id: str, status_code: str, gross_amount: str, key: str | None = None) -> str:
    raw = f"{order_id}{status_code}{gross_amount}{key if key is not None else server_key()}"
    return hashlib.sha512(raw.encode()).hexdigest()


def signature_valid(payload: dict) -> bool:
    """sha512(order_id + status_code + gross_amount + server_key), compared in constant time.

    The fields are used exactly as sent (gross_amount is a string like "150000.00").
    """
    given = payload.get("signature_key")
    parts = [payload.get("order_id"), payload.get("status_code"), payload.get("gross_amount")]
    if not isinstance(given, str) or not all(isinstance(p, str | int) for p in parts):
        return False
    expected = signature(*(str(p) for p in parts))
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode())


def parse_amount(value) -> int | None:
    """Midtrans sends amounts as "150000.00"; whole rupiah or None when it is not a whole number."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if amount != amount.to_integral_value() or amount < 0:
        return None
    return int(amount)
