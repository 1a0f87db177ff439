"""`manage.py payments_reconcile` against Midtrans mocked at the HTTP boundary."""

import datetime
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from payments.models import Payment, PaymentAttempt
from payments.reconcile import reconcile

from .conftest import SANDBOX_API, status_response, status_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sandbox")]

NOT_FOUND = {"status_code": "404", "status_message": "Transaction doesn't exist."}


def overdue(payment, minutes=10):
    past = timezone.now() - datetime.timedelta(minutes=minutes)
    Payment.objects.filter(pk=payment.pk).update(expires_at=past)
    payment.attempts.update(expires_at=past)


def test_pending_order_settled_at_midtrans_is_applied(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    with django_capture_on_commit_callbacks(execute=True):
        counts = reconcile()
    assert counts["order: paid"] == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert handler.calls == [("paid", str(payment.pk))]


def test_order_never_started_at_midtrans_expires_after_its_time(
    payment, open_attempt, handler, mocked, django_capture_on_commit_callbacks
):
    overdue(payment)
    mocked.get(status_url(open_attempt.order_id), json=NOT_FOUND)
    with django_capture_on_commit_callbacks(execute=True):
        reconcile()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert handler.calls == [("expired", str(payment.pk))]


def test_qris_still_pending_after_expiry_is_expired_at_midtrans_first(payment, open_attempt, mocked):
    overdue(payment)
    url = status_url(open_attempt.order_id)
    # Midtrans still says pending (QRIS expiry sends no notification); once we expire it there, expire.
    # `responses` answers registered matches in order.
    mocked.get(url, json=status_response("pending", open_attempt))
    mocked.get(url, json=status_response("expire", open_attempt))
    expire = mocked.post(
        f"{SANDBOX_API}/v2/{open_attempt.order_id}/expire", json=status_response("expire", open_attempt)
    )
    reconcile_counts = reconcile()
    assert expire.call_count == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert reconcile_counts["order: expired"] == 1


def test_pending_order_within_its_time_is_left_alone(payment, open_attempt, mocked):
    mocked.get(status_url(open_attempt.order_id), json=status_response("pending", open_attempt))
    reconcile()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_payment_without_any_order_expires(payment, handler, mocked, django_capture_on_commit_callbacks):
    overdue(payment)
    with django_capture_on_commit_callbacks(execute=True):
        counts = reconcile()
    assert counts["payment expired"] == 1
    assert handler.calls == [("expired", str(payment.pk))]
    assert len(mocked.calls) == 0


def test_midtrans_unreachable_keeps_the_order_until_the_grace_is_over(payment, open_attempt, mocked):
    mocked.get(status_url(open_attempt.order_id), body=requests.ConnectionError("down"))
    overdue(payment, minutes=10)
    assert reconcile()["order: gateway error"] == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    overdue(payment, minutes=90)
    reconcile()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED


def test_order_of_a_cancelled_payment_is_closed_at_midtrans(payment, open_attempt, mocked):
    from payments import services

    services.payment_cancel(payment=payment)
    expire = mocked.post(f"{SANDBOX_API}/v2/{open_attempt.order_id}/expire", json=NOT_FOUND)
    reconcile()
    assert expire.call_count == 1
    open_attempt.refresh_from_db()
    assert open_attempt.status == PaymentAttempt.Status.EXPIRE


def test_command_is_safe_to_run_with_nothing_to_do(mocked):
    out = StringIO()
    call_command("payments_reconcile", stdout=out)
    assert "nothing to do" in out.getvalue()


def test_command_reports_what_it_did(payment, mocked):
    overdue(payment)
    out = StringIO()
    call_command("payments_reconcile", stdout=out)
    assert "payment expired: 1" in out.getvalue()


def test_local_expiry_never_overrides_a_confirmed_settlement(payment, open_attempt, mocked):
    from payments import services

    stale = PaymentAttempt.objects.get(pk=open_attempt.pk)  # read as open by a slow reconcile run
    mocked.get(status_url(open_attempt.order_id), json=status_response("settlement", open_attempt))
    services.attempt_sync(attempt=open_attempt, source="notification")  # meanwhile: settled
    assert (
        services.attempt_expire(attempt=stale, source="reconcile") == "no change (order already settlement)"
    )
    open_attempt.refresh_from_db()
    payment.refresh_from_db()
    assert open_attempt.status == "settlement" and payment.status == Payment.Status.PAID
