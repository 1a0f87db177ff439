import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import midtrans, services, webhook
from .access import get_payment_for_user
from .models import Payment
from .registry import UnknownPurpose, handler_for

logger = logging.getLogger(__name__)

# The finish page asks Midtrans at most this often per order (it reloads itself while pending).
FINISH_CHECK_INTERVAL = datetime.timedelta(seconds=5)


def _pay_context(payment, attempt=None, **extra):
    return {
        "payment": payment,
        "attempt": attempt,
        "simulator": midtrans.is_simulator(),
        "snap_js_url": midtrans.snap_js_url(),
        "client_key": midtrans.client_key(),
        "finish_url": services.payment_finish_url(payment),
        **extra,
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pay(request, pk):
    """Summary + "Pay now". POST creates (or reuses) the Midtrans order and opens Snap / the simulator."""
    payment = get_payment_for_user(request.user, pk)
    services.payment_expire_if_overdue(payment=payment, source="pay-page")
    if not payment.is_pending:
        return redirect(services.payment_finish_url(payment))
    if request.method == "GET":
        return render(request, "payments/pay.html", _pay_context(payment, services.attempt_for(payment)))
    try:
        attempt = services.attempt_start(payment=payment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(services.payment_finish_url(payment))
    except (midtrans.GatewayError, midtrans.GatewayRefused) as exc:
        logger.warning("creating the Snap order for payment %s failed: %s", payment.pk, exc)
        context = _pay_context(payment, None, gateway_error=True)
        return render(request, "payments/pay.html", context, status=503)
    if not attempt.snap_token:
        messages.info(request, _("Your payment is being prepared. Please try again in a moment."))
        return redirect(services.payment_pay_url(payment))
    if midtrans.is_simulator():
        return redirect(attempt.redirect_url)
    # Real Midtrans: the page opens the Snap pop-up with this token (payments.js).
    return render(request, "payments/pay.html", _pay_context(payment, attempt, open_snap=True))


def _after_paid_url(payment) -> str:
    try:
        url = handler_for(payment.purpose).after_paid_url(payment)
    except UnknownPurpose:
        return ""
    return url if url.startswith("/") and not url.startswith("//") else ""


def _return_url(payment) -> str:
    try:
        return handler_for(payment.purpose).return_url(payment)
    except UnknownPurpose:
        logger.error("payment %s has an unregistered purpose %r", payment.pk, payment.purpose)
        return "/"


@never_cache
@login_required
def finish(request, pk):
    """Where Snap (or the simulator) sends the payer back. Shows *our* status, never the query string:
    while the order is pending here we ask Midtrans directly (the notification may still be on its way)."""
    payment = get_payment_for_user(request.user, pk)
    attempt = services.attempt_for(payment)
    check_failed = False
    if (
        payment.is_pending
        and attempt is not None
        and attempt.snap_token
        and (attempt.checked_at is None or attempt.checked_at < timezone.now() - FINISH_CHECK_INTERVAL)
    ):
        try:
            services.attempt_sync(attempt=attempt, source="finish-page")
        except (midtrans.GatewayError, midtrans.GatewayRefused) as exc:
            logger.info("status check on the finish page failed for %s: %s", attempt.order_id, exc)
            check_failed = True
        except services.AmountMismatch:
            check_failed = True
        except DatabaseError as exc:
            # e.g. a lock wait cut short: the notification or reconciliation applies it; show ours.
            logger.warning("finish-page status check for %s failed: %s", attempt.order_id, exc)
            check_failed = True
        payment.refresh_from_db()
    services.payment_expire_if_overdue(payment=payment, source="finish-page")
    if payment.status == Payment.Status.PAID and (landing := _after_paid_url(payment)):
        # Issue 15.4: once paid, straight on to what was paid for (the chat room); the status page
        # stays for pending, failed, expired and refunded payments.
        messages.success(request, _("Thank you, your payment is complete."))
        return redirect(landing)
    return render(
        request,
        "payments/finish.html",
        {
            "payment": payment,
            "attempt": attempt,
            "check_failed": check_failed,
            "return_url": _return_url(payment),
            "simulator": midtrans.is_simulator(),
        },
    )


@csrf_exempt  # Midtrans cannot send a CSRF token; the sha512 signature and the status check stand in.
@transaction.non_atomic_requests  # the 2xx must follow our own commit, never precede a request-wide one
@require_POST
def notification(request):
    answer = webhook.handle(request.body)
    return HttpResponse(answer.outcome, status=answer.status, content_type="text/plain; charset=utf-8")
