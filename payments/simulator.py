"""The offline simulator: a small local stand-in for Midtrans, used when no Midtrans keys are set.

It is a *server*, not a mock: the app's real payment code (payments.midtrans with the official
midtransclient) calls it over HTTP at the configured base URLs, which default to
SITE_URL + /payments/simulator/... when no keys are configured. It serves:

  POST snap/v1/transactions         create a Snap order -> {token, redirect_url}
  GET  snap/v2/vtweb/<token>        the hosted "Snap page": pay / pay later / fail / let it expire (SIMULATOR)
  GET  api/v2/<order_id>/status     Core API transaction status
  POST api/v2/<order_id>/refund     Core API refund (no notification is sent for it)
  POST api/v2/<order_id>/expire     Core API expire (reconciliation closes abandoned orders with it)

The customer's choice is sent to the notification URL as a signed HTTP notification, exactly as
Midtrans would, and handled by the real webhook (which then asks the status API above). The
simulator keeps its state in its own table (SimulatedTransaction), never in the payment ledger.

Midtrans authenticates API calls with HTTP Basic (server key): so does the stand-in, and its three
machine-to-machine POST endpoints are CSRF-exempt for that reason (no browser session is involved).
Everything here answers 404 once real keys are configured.
"""

import base64
import datetime
import hmac
import json
import logging
import re
import uuid
from functools import wraps

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import midtrans
from .models import SimulatedTransaction

logger = logging.getLogger(__name__)

WIB = datetime.timezone(datetime.timedelta(hours=7))
ORDER_ID = re.compile(r"^[A-Za-z0-9\-_.~]{1,50}$")
METHODS = {
    # payment_type: what the customer picks on the simulator page, and how Midtrans reports success.
    "credit_card": ("capture", "accept"),
    "gopay": ("settlement", ""),
    "qris": ("settlement", ""),
    "bank_transfer": ("settlement", ""),
}
STATUS_CODES = {
    "capture": "200",
    "settlement": "200",
    "pending": "201",
    "deny": "202",
    "expire": "407",
    "cancel": "200",
    "refund": "200",
    "partial_refund": "200",
}
# Midtrans settles a card capture the next working day (until then a refund is a void, `cancel`);
# the stand-in settles it after this delay, so a demo can see both.
CARD_SETTLEMENT_DELAY = datetime.timedelta(minutes=5)
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


# --- plumbing ----------------------------------------------------------------------------------------
def _error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"status_code": str(status), "status_message": message, **extra}, status=status)


def _only_without_keys(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not midtrans.is_simulator():
            raise Http404("The payment simulator is off: real Midtrans keys are configured.")
        return view(request, *args, **kwargs)

    return wrapper


def _server_key_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        try:
            scheme, encoded = header.split(" ", 1)
            key = base64.b64decode(encoded).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            key, scheme = "", ""
        expected = midtrans.simulator_server_key()
        if scheme.lower() != "basic" or not hmac.compare_digest(key.encode(), expected.encode()):
            return _error(
                401, "Access denied due to unauthorized transaction, please check client or server key"
            )
        return view(request, *args, **kwargs)

    return wrapper


def _wib(value: datetime.datetime | None) -> str:
    return value.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _expiry(parameters: dict, now: datetime.datetime) -> datetime.datetime:
    expiry = parameters.get("expiry") or {}
    try:
        start = datetime.datetime.strptime(expiry["start_time"], "%Y-%m-%d %H:%M:%S %z")
        unit = str(expiry.get("unit", "minute")).rstrip("s")
        return start + datetime.timedelta(seconds=int(expiry["duration"]) * UNIT_SECONDS[unit])
    except (KeyError, TypeError, ValueError):
        return now + datetime.timedelta(days=1)  # Snap's default


def _expire_if_due(txn: SimulatedTransaction) -> None:
    if txn.transaction_status in ("", "pending") and txn.expires_at <= timezone.now():
        txn.transaction_status = "expire"
        txn.save(update_fields=["transaction_status"])
    elif (
        txn.transaction_status == "capture"
        and txn.fraud_status != "challenge"
        and txn.transaction_time
        and txn.transaction_time + CARD_SETTLEMENT_DELAY <= timezone.now()
    ):
        txn.transaction_status, txn.settlement_time = "settlement", timezone.now()
        txn.save(update_fields=["transaction_status", "settlement_time"])


def status_body(txn: SimulatedTransaction) -> dict:
    """The Core API status response for a transaction (also the notification body, plus a signature)."""
    gross = f"{txn.gross_amount}.00"
    code = STATUS_CODES.get(txn.transaction_status, "200")
    body = {
        "status_code": code,
        "status_message": "Success, transaction is found",
        "transaction_id": str(txn.transaction_id),
        "order_id": txn.order_id,
        "merchant_id": "SIMULATOR",
        "gross_amount": gross,
        "currency": "IDR",
        "payment_type": txn.payment_type,
        "transaction_time": _wib(txn.transaction_time),
        "transaction_status": txn.transaction_status,
        "fraud_status": txn.fraud_status,
        "expiry_time": _wib(txn.expires_at),
        "signature_key": midtrans.signature(txn.order_id, code, gross, midtrans.simulator_server_key()),
    }
    if txn.settlement_time:
        body["settlement_time"] = _wib(txn.settlement_time)
    if txn.refunds:
        body["refund_amount"] = f"{txn.refunded_amount}.00"
        body["refunds"] = txn.refunds
    return body


def send_notification(txn: SimulatedTransaction) -> tuple[bool, str]:
    """POST the signed notification to the merchant, like Midtrans. Runs outside any transaction: the
    webhook is served by this same app (another request, another thread) and must be able to write."""
    body = status_body(txn)
    body["status_message"] = "midtrans payment notification"
    try:
        response = requests.post(txn.notification_url, json=body, timeout=settings.MIDTRANS_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        logger.warning("simulator: notification for %s not delivered: %s", txn.order_id, exc)
        return False, str(exc)
    return response.ok, f"{response.status_code} {response.text[:100]}"


# --- Snap API ----------------------------------------------------------------------------------------
@csrf_exempt  # machine endpoint of the stand-in, authenticated by the server key (HTTP Basic)
@_only_without_keys
@require_POST
@_server_key_required
def snap_create(request):
    try:
        parameters = json.loads(request.body)
        details = parameters["transaction_details"]
        order_id = str(details["order_id"])
        gross_amount = int(details["gross_amount"])
    except (ValueError, KeyError, TypeError):
        return _error(400, "transaction_details.order_id and gross_amount are required")
    if not ORDER_ID.match(order_id) or gross_amount < 1:
        return _error(400, "transaction_details is invalid")
    items = parameters.get("item_details") or []
    try:
        # Midtrans refuses these too: catching them here keeps our requests honest offline.
        if items and sum(int(i["price"]) * int(i["quantity"]) for i in items) != gross_amount:
            return _error(400, "transaction_details.gross_amount is not equal to the sum of item_details")
        if any(len(str(i["name"])) > 50 for i in items):
            return _error(400, "item_details.name is too long (max 50)")
    except (KeyError, TypeError, ValueError):
        return _error(400, "item_details is invalid")
    now = timezone.now()
    token = str(uuid.uuid4())
    try:
        with transaction.atomic():
            SimulatedTransaction.objects.create(
                order_id=order_id,
                token=token,
                gross_amount=gross_amount,
                request_json=parameters,
                notification_url=request.headers.get("X-Override-Notification")
                or midtrans.notification_url(),
                finish_url=str((parameters.get("callbacks") or {}).get("finish") or ""),
                expires_at=_expiry(parameters, now),
            )
    except (IntegrityError, ValidationError):
        return _error(400, "transaction_details.order_id has already been taken")
    redirect_url = settings.SITE_URL + reverse("payments:sim_checkout", args=[token])
    return JsonResponse({"token": token, "redirect_url": redirect_url}, status=201)


@never_cache
@_only_without_keys
@require_http_methods(["GET", "POST"])
def checkout(request, token):
    """The simulator's stand-in for the hosted Snap page. Whoever holds the token may pay, as on Midtrans."""
    txn = get_object_or_404(SimulatedTransaction, token=token)
    _expire_if_due(txn)
    choice = request.POST.get("choice", "")
    open_ = txn.transaction_status in ("", "pending")
    if request.method == "GET" or not open_:
        return render(
            request, "payments/simulator_checkout.html", {"txn": txn, "open": open_, "methods": METHODS}
        )
    method = request.POST.get("method", "qris")
    if choice not in ("pay", "later", "fail", "expire") or method not in METHODS:
        context = {"txn": txn, "open": open_, "methods": METHODS, "error": _("Choose what should happen.")}
        return render(request, "payments/simulator_checkout.html", context, status=400)
    now = timezone.now()
    txn.payment_type = method
    txn.transaction_time = txn.transaction_time or now
    if choice == "pay":
        txn.transaction_status, txn.fraud_status = METHODS[method]
        txn.settlement_time = now if txn.transaction_status == "settlement" else None
    elif choice == "later":
        # A VA number / QRIS code was issued and the customer has not paid yet (Midtrans: pending).
        txn.transaction_status, txn.fraud_status = "pending", "accept"
    elif choice == "fail":
        txn.transaction_status, txn.fraud_status = "deny", "accept"
    else:
        # "Let it expire": the order is created but never paid, and its time runs out now.
        txn.transaction_status, txn.expires_at = "expire", now
    txn.save()
    delivered, detail = send_notification(txn)
    if not delivered:
        # Like a Midtrans notification lost on the way: the finish page and reconciliation still find
        # the truth through the status API.
        logger.info("simulator notification for %s: %s", txn.order_id, detail)
    if not txn.finish_url:
        return render(
            request, "payments/simulator_checkout.html", {"txn": txn, "open": False, "methods": METHODS}
        )
    query = urlencode(
        {
            "order_id": txn.order_id,
            "status_code": STATUS_CODES[txn.transaction_status],
            "transaction_status": txn.transaction_status,
        }
    )
    return redirect(f"{txn.finish_url}?{query}")


# --- Core API ----------------------------------------------------------------------------------------
@_only_without_keys
@require_GET
@_server_key_required
def status(request, order_id):
    txn = SimulatedTransaction.objects.filter(order_id=order_id).first()
    if txn is not None:
        _expire_if_due(txn)
    if txn is None or not txn.transaction_status:
        return _error(404, "Transaction doesn't exist.")
    return JsonResponse(status_body(txn))


@csrf_exempt  # machine endpoint of the stand-in, authenticated by the server key (HTTP Basic)
@_only_without_keys
@require_POST
@_server_key_required
def refund(request, order_id):
    try:
        parameters = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "Invalid JSON")
    with transaction.atomic():
        txn = SimulatedTransaction.objects.select_for_update().filter(order_id=order_id).first()
        if txn is None or not txn.transaction_status:
            return _error(404, "Transaction doesn't exist.")
        _expire_if_due(txn)
        key = str(parameters.get("refund_key") or uuid.uuid4())
        for done in txn.refunds:
            if done["refund_key"] == key:  # Midtrans dedups by refund_key
                return JsonResponse(
                    {**status_body(txn), **done, "status_message": "Success, refund request is approved"}
                )
        # Like Midtrans: a card capture is refundable only once settled (before that: cancel).
        if txn.transaction_status not in ("settlement", "partial_refund"):
            return _error(412, "Transaction status cannot be updated.")
        if txn.payment_type not in midtrans.REFUNDABLE_PAYMENT_TYPES:
            return _error(412, f"Refund is not supported for {txn.payment_type}")
        try:
            amount = int(parameters.get("amount") or txn.gross_amount - txn.refunded_amount)
        except (TypeError, ValueError):
            return _error(400, "amount is invalid")
        if amount < 1 or amount > txn.gross_amount - txn.refunded_amount:
            return _error(412, "Refund amount exceeds the refundable amount")
        done = {
            "refund_chargeback_id": len(txn.refunds) + 1,
            "refund_amount": f"{amount}.00",
            "refund_key": key,
            "reason": str(parameters.get("reason") or ""),
            "created_at": _wib(timezone.now()),
        }
        txn.refunds = [*txn.refunds, done]
        txn.refunded_amount += amount
        txn.transaction_status = "refund" if txn.refunded_amount >= txn.gross_amount else "partial_refund"
        txn.save()
    return JsonResponse({**status_body(txn), **done, "status_message": "Success, refund request is approved"})


@csrf_exempt  # machine endpoint of the stand-in, authenticated by the server key (HTTP Basic)
@_only_without_keys
@require_POST
@_server_key_required
def expire(request, order_id):
    txn = SimulatedTransaction.objects.filter(order_id=order_id).first()
    if txn is None or not txn.transaction_status:
        return _error(404, "Transaction doesn't exist.")
    if txn.transaction_status != "pending":
        return _error(412, "Transaction status cannot be updated.")
    txn.transaction_status = "expire"
    txn.save(update_fields=["transaction_status"])
    return JsonResponse({**status_body(txn), "status_message": "Success, transaction has expired"})


@csrf_exempt  # machine endpoint of the stand-in, authenticated by the server key (HTTP Basic)
@_only_without_keys
@require_POST
@_server_key_required
def cancel(request, order_id):
    """Void: Midtrans cancels a pending order or a card capture not yet settled, never a settlement."""
    with transaction.atomic():
        txn = SimulatedTransaction.objects.select_for_update().filter(order_id=order_id).first()
        if txn is None or not txn.transaction_status:
            return _error(404, "Transaction doesn't exist.")
        _expire_if_due(txn)
        if txn.transaction_status == "cancel":
            return JsonResponse({**status_body(txn), "status_message": "Success, transaction is canceled"})
        if txn.transaction_status not in ("pending", "capture"):
            return _error(412, "Transaction status cannot be updated.")
        txn.transaction_status = "cancel"
        txn.save(update_fields=["transaction_status"])
    return JsonResponse({**status_body(txn), "status_message": "Success, transaction is canceled"})
