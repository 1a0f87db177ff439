"""Payment state changes. Every change: lock the row, move forward only, tell the owner app after commit.

Public API used by other apps:
    payment_create(payer=, purpose=, target=, amount=, description=, expires_at=None) -> Payment
    payment_pay_url(payment) -> str            # the page that opens Midtrans Snap (or the simulator)
    payment_cancel(payment=)                   # the paid-for thing was abandoned before payment
    refund_payment(payment=, amount=None, reason=, by=None) -> Refund   # (alias payment_refund)
    payment_set_status(payment=, status=)      # tests and gateway paths
Hooks back into the owning app go through `payments.registry`.

No database transaction is ever held open across an HTTP call to Midtrans: with the simulator the
other end is this same app, and on SQLite a held write lock would deadlock it.
"""

import datetime
import logging
import math

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from background.queue import enqueue_on_commit
from common.money import format_rupiah
from notifications.services import notify

from . import midtrans, tasks
from .models import Payment, PaymentAttempt, PaymentEvent, Refund
from .registry import UnknownPurpose, handler_for, is_registered

logger = logging.getLogger(__name__)

PAID_STATUSES = {Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED}
# Forward-only: which payment statuses may follow which.
TRANSITIONS = {
    Payment.Status.PENDING: {
        Payment.Status.PAID,
        Payment.Status.FAILED,
        Payment.Status.EXPIRED,
        Payment.Status.CANCELLED,
    },
    Payment.Status.PAID: {Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED},
    Payment.Status.PARTIALLY_REFUNDED: {Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED},
    Payment.Status.FAILED: set(),
    Payment.Status.EXPIRED: set(),
    Payment.Status.CANCELLED: set(),
    Payment.Status.REFUNDED: set(),
}

A = PaymentAttempt.Status
# Attempt statuses mirror what Midtrans confirmed, but never move back (a late "pending" after
# "settlement" is ignored). Equal ranks may follow each other (capture -> settlement, a local
# "expire" overtaken by a confirmed settlement, settlement -> deny on a rare bank reversal).
ATTEMPT_RANK = {
    A.CREATED: 0,
    A.PENDING: 1,
    A.CAPTURE: 2,
    A.SETTLEMENT: 2,
    A.DENY: 2,
    A.CANCEL: 2,
    A.EXPIRE: 2,
    A.FAILURE: 2,
    A.PARTIAL_REFUND: 3,
    A.REFUND: 4,
}
# A small allowance for clocks: we expire an order locally only this long after Midtrans should have.
EXPIRY_SKEW = datetime.timedelta(minutes=1)
# A card capture that fraud detection challenged: Midtrans holds the money until someone accepts or
# denies it in the dashboard, and may send no notification when that happens. Never expired locally.
CHALLENGED = Q(status=A.CAPTURE, fraud_status="challenge")


# --- locks -------------------------------------------------------------------------------------------
# One order everywhere: payment, then its attempt. Both with FOR NO KEY UPDATE on PostgreSQL: the
# rows' keys never change, and a plain FOR UPDATE would also block the FOR KEY SHARE lock that every
# insert or update of a row *referencing* them takes (a notification record, an event, a refund). With
# FOR UPDATE, ten duplicate notifications deadlocked each other: one held the payment and waited for
# the attempt while another's notification record held the attempt (key share) and waited for the
# payment. (SQLite ignores row locks; its IMMEDIATE transactions serialise writers.)
def lock_payment(pk) -> Payment:
    return Payment.objects.select_for_update(no_key=True).get(pk=pk)


def lock_attempt(pk) -> PaymentAttempt:
    return PaymentAttempt.objects.select_for_update(no_key=True).get(pk=pk)


class AmountMismatch(ValidationError):
    """Midtrans reports a different amount than the one we asked for: never act on it."""


# --- creating and paying ---------------------------------------------------------------------------
def payment_create(
    *,
    payer,
    purpose: str,
    target,
    amount: int,
    description: str,
    expires_at: datetime.datetime | None = None,
) -> Payment:
    if int(amount) <= 0:
        raise ValidationError(_("A payment needs a positive amount."))
    if not purpose or len(purpose) > 30:
        raise ValueError("purpose must be 1-30 characters (the name the app registered its handler under)")
    if not is_registered(purpose):
        raise UnknownPurpose(f"no payment handler registered for purpose {purpose!r}")
    return Payment.objects.create(
        payer=payer,
        purpose=purpose,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        amount=int(amount),
        description=description[:200],
        expires_at=expires_at or timezone.now() + datetime.timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES),
    )


def payment_pay_url(payment: Payment) -> str:
    return reverse("payments:pay", args=[payment.pk])


def payment_finish_url(payment: Payment) -> str:
    return reverse("payments:finish", args=[payment.pk])


def attempt_for(payment: Payment) -> PaymentAttempt | None:
    return payment.attempts.order_by("-created_at", "-pk").first()


def _usable(attempt: PaymentAttempt | None) -> bool:
    return bool(attempt and attempt.is_open and attempt.expires_at > timezone.now())


def _order_id(payment: Payment, number: int) -> str:
    # HP-<20 hex of the payment uuid>-<n>: unique, [A-Za-z0-9-], far below Midtrans's 50 characters.
    return f"HP-{payment.pk.hex[:20]}-{number}"


def snap_expiry_minutes(expires_at: datetime.datetime, start: datetime.datetime) -> int:
    """Whole minutes from `start` that Midtrans may accept payment: rounded *down*, so Midtrans's
    expiry never outlives ours (rounded up, Midtrans took money up to 59 s after the app had
    released the reservation)."""
    return math.floor((expires_at - start).total_seconds() / 60)


def _snap_parameters(payment: Payment, attempt: PaymentAttempt, *, start: datetime.datetime) -> dict:
    payer = payment.payer
    names = (payer.full_name or payer.email).split(maxsplit=1)
    minutes = snap_expiry_minutes(attempt.expires_at, start)
    start = timezone.localtime(start, datetime.timezone(datetime.timedelta(hours=7)))
    customer = {"first_name": names[0][:255], "email": payer.email}
    if len(names) > 1:
        customer["last_name"] = names[1][:255]
    if payer.phone:
        customer["phone"] = payer.phone
    return {
        "transaction_details": {"order_id": attempt.order_id, "gross_amount": attempt.amount},
        "item_details": [
            {
                "id": payment.purpose[:50],
                "price": attempt.amount,
                "quantity": 1,
                "name": payment.description[:50],
                "category": payment.purpose[:50],
                "merchant_name": "HELLOPET!",
            }
        ],
        "customer_details": customer,
        # Snap's custom expiry: the order (token and any VA/QRIS it creates) dies with the payment.
        "expiry": {
            "start_time": start.strftime("%Y-%m-%d %H:%M:%S %z"),
            "unit": "minutes",
            "duration": minutes,
        },
        "callbacks": {"finish": settings.SITE_URL + payment_finish_url(payment)},
    }


def attempt_start(*, payment: Payment) -> PaymentAttempt:
    """The Midtrans order the payer should pay now: the open one, or a new Snap transaction.

    Raises ValidationError when the payment cannot be paid, midtrans.GatewayError / GatewayRefused
    when Midtrans could not create the order.
    """
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        if not locked.is_pending:
            raise ValidationError(_("This payment is no longer awaiting payment."))
        if locked.expires_at <= timezone.now():
            raise ValidationError(_("This payment has expired."))
        if locked.attempts.filter(CHALLENGED).exists():
            raise ValidationError(
                _("Your card payment is being reviewed by the bank. Please wait for the result.")
            )
        current = attempt_for(locked)
        if _usable(current):
            # Also an attempt still being created by a parallel click: one order per payment at a
            # time, so the payer cannot pay twice in two tabs.
            return current
        # Midtrans's expiry is start + whole minutes, never later than ours: the order dies at or
        # before the payment (and the reservation it holds), and the attempt records exactly when.
        start = timezone.now().replace(microsecond=0)
        minutes = snap_expiry_minutes(locked.expires_at, start)
        if minutes < 1:
            raise ValidationError(_("This payment expires in less than a minute and can no longer be paid."))
        attempt = PaymentAttempt.objects.create(
            payment=locked,
            order_id=_order_id(locked, locked.attempts.count() + 1),
            amount=locked.amount,
            expires_at=start + datetime.timedelta(minutes=minutes),
        )
    try:
        response = midtrans.create_snap_transaction(_snap_parameters(locked, attempt, start=start))
    except (midtrans.GatewayError, midtrans.GatewayRefused):
        # Not reusable: the next click makes a fresh order instead of waiting for a token forever.
        PaymentAttempt.objects.filter(pk=attempt.pk).update(status=A.FAILURE, updated_at=timezone.now())
        raise
    attempt.snap_token = str(response["token"])[:100]
    attempt.redirect_url = str(response.get("redirect_url") or "")[:500]
    attempt.save(update_fields=["snap_token", "redirect_url", "updated_at"])
    return attempt


# --- moving a payment --------------------------------------------------------------------------------
def _record(payment: Payment, old: str, new: str, source: str, note: str = "") -> None:
    PaymentEvent.objects.create(
        payment=payment, from_status=old, to_status=new, source=source, note=note[:300]
    )


def _move(payment: Payment, new_status: str, *, source: str = "", note: str = "") -> bool:
    """Set a locked payment's status if the move is forward; return whether it changed."""
    if new_status == payment.status and new_status != Payment.Status.PARTIALLY_REFUNDED:
        return False
    if new_status not in TRANSITIONS[payment.status]:
        return False
    old = payment.status
    payment.status = new_status
    if new_status == Payment.Status.PAID:
        payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "paid_at", "refunded_amount", "updated_at"])
    _record(payment, old, new_status, source or "set_status", note)
    pk = payment.pk
    transaction.on_commit(lambda: _deliver_logged(pk), robust=True)
    if new_status == Payment.Status.PAID:
        _notify_payer(payment, "payments.paid")
    return True


def payment_set_status(*, payment: Payment, status: str, source: str = "set_status") -> bool:
    """Move a payment (locked here) to `status` if that is forward. Used by the gateway paths and tests."""
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        changed = _move(locked, status, source=source)
    payment.refresh_from_db()
    return changed


def payment_cancel(*, payment: Payment) -> bool:
    """The paid-for thing was abandoned before payment. An open Midtrans order is closed by reconciliation."""
    return payment_set_status(payment=payment, status=Payment.Status.CANCELLED, source="cancel")


def _flag(payment: Payment, note: str, *, source: str) -> None:
    logger.error("payment %s needs attention: %s", payment.pk, note)
    payment.needs_attention = note[:300]
    payment.save(update_fields=["needs_attention", "updated_at"])
    _record(payment, payment.status, payment.status, source, note)


def _target_status(transaction_status: str, fraud_status: str) -> str | None:
    """What a confirmed Midtrans status means for the payment (None: nothing to do)."""
    if transaction_status == "settlement":
        return Payment.Status.PAID
    if transaction_status == "capture":
        # Card captured: only an "accept" from fraud detection is money we may act on; "challenge"
        # waits for a decision in the Midtrans dashboard.
        return {"accept": Payment.Status.PAID, "deny": Payment.Status.FAILED}.get(fraud_status)
    if transaction_status in ("deny", "cancel", "failure"):
        return Payment.Status.FAILED
    if transaction_status == "expire":
        return Payment.Status.EXPIRED
    return None  # pending, authorize, refund, chargeback: refunds are handled from their "refunds" list


def attempt_apply_status(
    *, attempt: PaymentAttempt, status: dict, source: str, only_if_open: bool = False
) -> str:
    """Apply a status *confirmed by the Core API* to an attempt and its payment. Returns what happened.

    `only_if_open` is for conclusions of our own (a local expiry): they never override what Midtrans
    confirmed meanwhile. Raises AmountMismatch when Midtrans's amount is not the attempt's (nothing is
    changed then).
    """
    txn = str(status.get("transaction_status") or "").strip().lower()
    fraud = str(status.get("fraud_status") or "").strip().lower()
    amount = midtrans.parse_amount(status.get("gross_amount"))
    if txn not in A.values:
        return f"ignored unknown status {txn!r}"[:200]
    if amount is not None and amount != attempt.amount:
        raise AmountMismatch(f"Midtrans amount {status.get('gross_amount')!r} is not {attempt.amount}")
    with transaction.atomic():
        payment = lock_payment(attempt.payment_id)  # always payment first, then the attempt
        locked = lock_attempt(attempt.pk)
        if only_if_open and not locked.is_open:
            return f"no change (order already {locked.status})"
        locked.checked_at = timezone.now()
        fields = ["checked_at", "updated_at"]
        if ATTEMPT_RANK[txn] >= ATTEMPT_RANK[locked.status] and (
            txn != locked.status or txn == A.PARTIAL_REFUND
        ):
            locked.status = txn
            locked.fraud_status = fraud[:20]
            fields += ["status", "fraud_status"]
        elif txn == locked.status and fraud and fraud != locked.fraud_status:
            # capture/challenge -> capture/accept: the same status, decided by fraud review.
            locked.fraud_status = fraud[:20]
            fields.append("fraud_status")
        for name in ("payment_type", "transaction_id"):
            value = str(status.get(name) or "")[:64]
            if value and value != getattr(locked, name):  # the payer may switch methods while pending
                setattr(locked, name, value)
                fields.append(name)
        locked.save(update_fields=fields)

        target = _target_status(txn, fraud)
        if target is None:
            if status.get("refunds") and payment.is_paid:
                return _record_gateway_refunds(payment, locked, status["refunds"], source=source)
            return f"recorded {txn}"
        if target == Payment.Status.PAID:
            if payment.status == Payment.Status.PENDING:
                _move(payment, Payment.Status.PAID, source=source, note=locked.order_id)
                return "paid"
            if payment.status in Payment.FINAL_UNPAID and not payment.needs_attention:
                _flag(
                    payment,
                    f"Midtrans settled {locked.order_id} after the payment was "
                    f"{payment.status}: refund the payer.",
                    source=source,
                )
                return "settled after close: flagged for refund"
            return "no change (already settled)" if payment.status in PAID_STATUSES else "no change"
        # Failed or expired at Midtrans.
        if payment.status == Payment.Status.PENDING:
            latest = attempt_for(payment)
            if latest is not None and latest.pk != locked.pk:
                return f"recorded {txn} of an older order"
            _move(payment, target, source=source, note=locked.order_id)
            return str(target)
        if txn == A.CANCEL and payment.status == Payment.Status.REFUNDED:
            return "no change (voided by our refund)"  # a card refunded before settlement is a void
        if payment.status in PAID_STATUSES and txn in ("deny", "cancel") and not payment.needs_attention:
            _flag(
                payment,
                f"Midtrans reports {txn} for {locked.order_id} after it was paid "
                "(reversal or cancelled capture): check the money.",
                source=source,
            )
            return f"{txn} after paid: flagged"
        return "no change"


def _record_gateway_refunds(payment: Payment, attempt: PaymentAttempt, refunds: list, *, source: str) -> str:
    """Refunds Midtrans reports that our ledger does not know (made in the Midtrans dashboard, or
    reported before our own request returned): record them so the ledger, revenue and the owning
    app agree with the money. Runs inside attempt_apply_status's transaction, payment locked."""
    added = 0
    for item in refunds if isinstance(refunds, list) else []:
        if not isinstance(item, dict):
            continue
        reference = str(item.get("refund_chargeback_id") or "")[:100]
        key = str(item.get("refund_key") or f"{attempt.order_id}-CB{reference}")[:80]
        amount = midtrans.parse_amount(item.get("refund_amount"))
        if Refund.objects.filter(refund_key=key).exists() or not amount:
            continue
        if amount > payment.amount - payment.refunded_amount:
            _flag(
                payment,
                f"Midtrans reports a refund of {amount} on {attempt.order_id} beyond what was "
                "paid: check the dashboard.",
                source=source,
            )
            continue
        Refund.objects.create(
            payment=payment,
            amount=amount,
            reason=str(item.get("reason") or "Refunded through the Midtrans dashboard")[:300],
            refund_key=key,
            gateway_reference=reference,
            completed_at=timezone.now(),
        )
        payment.refunded_amount += amount
        added += 1
        new = (
            Payment.Status.REFUNDED
            if payment.refunded_amount >= payment.amount
            else Payment.Status.PARTIALLY_REFUNDED
        )
        _move(payment, new, source=source, note=f"Midtrans refund {key}")
    return f"recorded {added} refund(s) from Midtrans" if added else "no change (refunds known)"


def attempt_sync(*, attempt: PaymentAttempt, source: str) -> str:
    """Ask Midtrans for the attempt's status and apply it; expire it when its time is over.

    Raises midtrans.GatewayError / GatewayRefused when Midtrans could not answer.
    """
    status = midtrans.transaction_status(attempt.order_id)
    if status is not None:
        return attempt_apply_status(attempt=attempt, status=status, source=source)
    # Midtrans has no transaction: the payer never picked a method. Snap page expiry sends nothing.
    if attempt.expires_at + EXPIRY_SKEW < timezone.now():
        return attempt_expire(attempt=attempt, source=source)
    return "no transaction at Midtrans yet"


def attempt_expire(*, attempt: PaymentAttempt, source: str) -> str:
    """Expire an open attempt locally (Midtrans said nothing, or has nothing, after its expiry)."""
    return attempt_apply_status(
        attempt=attempt,
        status={"transaction_status": A.EXPIRE, "gross_amount": attempt.amount},
        source=source,
        only_if_open=True,
    )


def payment_expire_if_overdue(*, payment: Payment, source: str) -> bool:
    """Expire a pending payment whose time is over and that has no order open at Midtrans.

    With an open order we wait for Midtrans (or reconciliation) instead: it may have been paid in
    the last seconds, and its notification be on its way.
    """
    if not payment.is_pending or payment.expires_at + EXPIRY_SKEW >= timezone.now():
        return False
    if payment.attempts.filter(status__in=PaymentAttempt.OPEN).exclude(snap_token="").exists():
        return False
    if payment.attempts.filter(CHALLENGED).exists():
        return False  # Midtrans holds the payer's card money: wait for its decision (reconcile polls)
    return payment_set_status(payment=payment, status=Payment.Status.EXPIRED, source=source)


# --- telling the owning app ---------------------------------------------------------------------------
def deliver(payment_id) -> None:
    """Tell the owning app the payment's current status (idempotent; reconciliation calls it again)."""
    with transaction.atomic():
        payment = lock_payment(payment_id)
        if (
            payment.delivered_status == payment.status
            and payment.delivered_refunded_amount == payment.refunded_amount
        ):
            return
        handler = handler_for(payment.purpose)
        if payment.status == Payment.Status.PAID:
            handler.paid(payment)
        elif payment.status in Payment.FINAL_UNPAID:
            handler.failed(payment)
        elif payment.status in (Payment.Status.REFUNDED, Payment.Status.PARTIALLY_REFUNDED):
            handler.refunded(payment)
        payment.delivered_status = payment.status
        payment.delivered_refunded_amount = payment.refunded_amount
        payment.save(update_fields=["delivered_status", "delivered_refunded_amount"])


def _deliver_logged(payment_id) -> None:
    try:
        deliver(payment_id)
    except Exception:  # the owning app failed; reconciliation re-delivers, the payment change stands
        logger.exception("delivering payment %s to its app failed; reconciliation will retry", payment_id)


def _notify_payer(payment: Payment, kind: str, **context) -> None:
    notify(payment.payer, kind=kind, context={"payment": payment, **context}, url=payment_finish_url(payment))


# --- refunds ---------------------------------------------------------------------------------------------
def _refundable_attempt(payment: Payment) -> PaymentAttempt | None:
    return (
        payment.attempts.filter(status__in=[A.SETTLEMENT, A.CAPTURE, A.PARTIAL_REFUND])
        .order_by("-created_at")
        .first()
    )


def refundable_amount(payment: Payment) -> int:
    """What may still be refunded: of a paid payment, or of money Midtrans took after we had closed
    the payment (settled after expiry or cancellation, flagged `needs_attention`)."""
    if payment.is_paid:
        return payment.amount - payment.refunded_amount
    if payment.status in Payment.FINAL_UNPAID and _refundable_attempt(payment) is not None:
        return payment.amount - payment.refunded_amount
    return 0


def refund_via_gateway_possible(payment: Payment) -> bool:
    attempt = _refundable_attempt(payment)
    return bool(attempt and attempt.payment_type in midtrans.REFUNDABLE_PAYMENT_TYPES)


def refund_payment(
    *,
    payment: Payment,
    amount: int | None = None,
    reason: str,
    by=None,
    manual: bool = False,
) -> Refund:
    """THE way money goes back: refund all (amount=None) or part of a payment.

    Records a `Refund` row at once, with the payment locked (the ledger never refunds more than was
    paid), moves the payment to (partially) refunded, tells the owning app and the payer after commit,
    and — when the method can be refunded through Midtrans — sends the refund to Midtrans from the task
    queue after commit (`payments.tasks.send_refund`: retried with back-off; the `refund_key` makes a
    repeated call harmless). Otherwise (bank transfer, store payments, manual=True), or when Midtrans
    refuses or stays unreachable after every retry, the refund is **owed**: `awaiting_manual`, for staff
    to transfer by hand and mark done in admin.

    Safe inside the caller's transaction (nothing here talks to Midtrans); raises ValidationError for a
    bad amount, state or empty reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for the refund."))
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        left = refundable_amount(locked)
        if not left:
            raise ValidationError(_("Only a paid payment can be refunded."))
        amount = left if amount is None else int(amount)
        if amount <= 0 or amount > left:
            raise ValidationError(
                _("The refund must be between Rp 1 and the %(max)s still refundable.")
                % {"max": format_rupiah(left)}
            )
        attempt = _refundable_attempt(locked)
        if attempt is not None and attempt.status == A.CAPTURE and amount != attempt.amount and not manual:
            # A card capture is voided whole before settlement (midtrans.refund); part of it only later.
            raise midtrans.NotSettledYet(
                _(
                    "This card payment is not settled yet: it can only be cancelled in full now. "
                    "Refund part of it after settlement (the next working day)."
                )
            )
        if manual or not refund_via_gateway_possible(locked):
            state, refund_key, manual = Refund.State.AWAITING_MANUAL, None, True
        else:
            state = Refund.State.PENDING
            refund_key = f"{attempt.order_id}-R{locked.refunds.count() + 1}"
        refund = Refund.objects.create(
            payment=locked,
            amount=amount,
            reason=reason[:300],
            manual=manual,
            state=state,
            refund_key=refund_key,
            created_by=by if getattr(by, "pk", None) else None,
        )
        locked.refunded_amount += amount
        if locked.is_paid:
            new = (
                Payment.Status.REFUNDED
                if locked.refunded_amount >= locked.amount
                else Payment.Status.PARTIALLY_REFUNDED
            )
            _move(locked, new, source="refund", note=reason)
        else:
            # Money that arrived after the payment was closed: returned without reopening anything,
            # and the owning app, told "failed" long ago, has nothing to hear.
            if locked.refunded_amount >= locked.amount:
                locked.needs_attention = ""
            locked.delivered_refunded_amount = locked.refunded_amount
            fields = ["refunded_amount", "delivered_refunded_amount", "needs_attention", "updated_at"]
            locked.save(update_fields=fields)
            _record(locked, locked.status, locked.status, "refund", reason)
        _notify_payer(locked, "payments.refunded", refund=refund)
        if state == Refund.State.PENDING:
            enqueue_on_commit(tasks.send_refund, refund.pk)
    payment.refresh_from_db()
    return refund


# The name the apps used before the queue; same function.
payment_refund = refund_payment


def refund_payment_on_commit(*, payment: Payment | None, reason: str, by=None) -> None:
    """For the paid-for apps: refund everything still refundable once the caller's transaction commits.

    After commit (not inside): payments locks the payment row first and the app's row second
    (`deliver`), so an app must not lock its own row and then the payment's. Refunding nothing (already
    refunded, never paid) is fine; a refund that could not be recorded at all (the process died) is
    found again by the app's own sweep.
    """
    if payment is None:
        return
    by = by if getattr(by, "pk", None) else None

    def refund():
        payment.refresh_from_db()
        if not refundable_amount(payment):
            return
        try:
            refund_payment(payment=payment, reason=reason, by=by)
        except Exception:
            logger.exception("recording the refund of payment %s failed", payment.pk)

    transaction.on_commit(refund, robust=True)


def _refund_order_id(refund: Refund) -> str:
    return refund.refund_key.rsplit("-R", 1)[0]


def refund_send(refund_id: int, *, last_try: bool = False) -> str:
    """Send a pending refund to Midtrans (the task's body). Idempotent by the refund's state: checked
    under lock first, and only a refund still pending is marked done or owed afterwards. The lock is
    not held across the HTTP call (with the simulator the other end is this app, and on SQLite a held
    write lock would block it); two workers sending the same refund at once send the same `refund_key`,
    which Midtrans refunds once.

    Raises midtrans.GatewayError while Midtrans is unreachable (the task retries); on the last try the
    refund becomes owed (awaiting a manual transfer) instead.
    """
    with transaction.atomic():
        refund = Refund.objects.select_for_update().filter(pk=refund_id).first()
        if refund is None or refund.state != Refund.State.PENDING:
            return "nothing to do"
        refund.attempts += 1
        refund.save(update_fields=["attempts"])
    try:
        response = midtrans.refund(
            _refund_order_id(refund), refund_key=refund.refund_key, amount=refund.amount, reason=refund.reason
        )
    except midtrans.GatewayRefused as exc:
        # Midtrans will not refund this one (method, age, already refunded): the money is still owed.
        return _refund_owed(refund_id, f"Midtrans refused: {exc}")
    except (midtrans.GatewayError, midtrans.NotSettledYet) as exc:
        # NotSettledYet: the card was captured after we looked; it settles the next working day.
        if last_try:
            return _refund_owed(refund_id, f"Midtrans unreachable after {refund.attempts} tries: {exc}")
        Refund.objects.filter(pk=refund_id).update(last_error=str(exc)[:300])
        raise
    reference = str(response.get("refund_chargeback_id") or response.get("refund_key") or "")[:100]
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund_id)
        if locked.state != Refund.State.PENDING:
            return "nothing to do"
        locked.state = Refund.State.DONE
        locked.gateway_reference = reference
        locked.completed_at = timezone.now()
        locked.last_error = ""
        locked.save(update_fields=["state", "gateway_reference", "completed_at", "last_error"])
    return "done"


def _refund_owed(refund_id: int, note: str) -> str:
    with transaction.atomic():
        locked = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
        if locked.state != Refund.State.PENDING:
            return "nothing to do"
        locked.state = Refund.State.AWAITING_MANUAL
        locked.manual = True
        locked.manual_note = note[:300]
        locked.last_error = note[:300]
        locked.save(update_fields=["state", "manual", "manual_note", "last_error"])
        payment = locked.payment
        _record(payment, payment.status, payment.status, "refund-owed", note)
        logger.error("refund %s of payment %s is owed by hand: %s", locked.pk, payment.pk, note)
        # The payer was told the money goes back to their method; now our team transfers it.
        _notify_payer(payment, "payments.refunded", refund=locked)
    return "owed"


def refunds_lost(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)):
    """Pending refunds whose task never ran (the queue was unreachable at commit)."""
    return Refund.objects.filter(
        state=Refund.State.PENDING, attempts=0, created_at__lt=timezone.now() - older_than
    )


def refund_mark_done(*, refund: Refund, note: str, by=None) -> Refund:
    """Staff transferred a manual refund by hand."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say how the money was returned (bank, reference)."))
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.state == Refund.State.DONE:
            return locked
        locked.state = Refund.State.DONE
        locked.manual_note = note[:300]
        locked.completed_at = timezone.now()
        locked.save(update_fields=["state", "manual_note", "completed_at"])
        payment = Payment.objects.get(pk=locked.payment_id)
        _record(payment, payment.status, payment.status, "manual-refund-done", note)
    return locked
