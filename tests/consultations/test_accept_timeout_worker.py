"""With a real consumer process (`manage.py run_huey`) and nobody touching anything: a paid
consultation no vet accepts is cancelled and refunded through Midtrans (the local simulator served by
a live server), and the owner is told in-app and by e-mail. Timeouts are seconds here."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.utils import timezone
from huey.storage import SqliteStorage

from consultations import services
from consultations.models import Consultation
from notifications.models import Notification, OutgoingEmail
from payments.models import Payment, PaymentAttempt, Refund, SimulatedTransaction
from payments.services import payment_set_status
from tests import factories
from tests.conftest import ROOT, _database_url
from tests.consultations.factories import VetProfileFactory, specialty

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT_MINUTES = 0.05  # 3 seconds


@pytest.fixture
def worker(live_asgi_server, settings, tmp_path):
    """A `run_huey` consumer process on a SQLite queue file that this test process enqueues into."""
    from huey.contrib.djhuey import HUEY

    queue_file = str(tmp_path / "queue.sqlite3")
    HUEY.immediate = False
    HUEY.storage = SqliteStorage(HUEY.name, filename=queue_file)
    settings.SITE_URL = live_asgi_server  # the simulator the refund goes to
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = TIMEOUT_MINUTES
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hellopet.settings_test",
        "DATABASE_URL": _database_url(),
        "HELLOPET_TESTING": "1",
        "HUEY_IMMEDIATE": "0",
        "HUEY_SQLITE_PATH": queue_file,
        "SITE_URL": live_asgi_server,
        "CONSULTATION_ACCEPT_TIMEOUT_MINUTES": str(TIMEOUT_MINUTES),
        "HELLOPET_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "HELLOPET_TEST_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_huey",
            "--workers",
            "2",
            "--worker-type",
            "thread",
            "--no-periodic",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        HUEY.storage.close()
        HUEY.immediate = True
        print((tmp_path / "worker.log").read_text()[-3000:])


def paid_by_card(consultation):
    """The owner paid by card in the simulator (as its Pay button leaves it), then Midtrans confirmed."""
    payment = consultation.payment
    order_id = f"HP-{payment.pk.hex[:20]}-1"
    SimulatedTransaction.objects.create(
        order_id=order_id,
        token="tok-" + payment.pk.hex,
        gross_amount=payment.amount,
        transaction_status="capture",
        fraud_status="accept",
        payment_type="credit_card",
        expires_at=payment.expires_at,
        transaction_time=timezone.now(),
    )
    PaymentAttempt.objects.create(
        payment=payment,
        order_id=order_id,
        amount=payment.amount,
        status="capture",
        fraud_status="accept",
        payment_type="credit_card",
        snap_token="tok-" + payment.pk.hex,
        expires_at=payment.expires_at,
    )
    payment_set_status(payment=payment, status=Payment.Status.PAID, source="notification")


def test_a_consultation_nobody_accepts_is_refunded_by_the_worker_without_any_user_action(worker, owner):
    vet = factories.VetFactory(email="ayu@example.test")
    VetProfileFactory(user=vet)
    consultation = services.consultation_open(
        owner=owner,
        vet=vet,
        pet_name="Mochi",
        pet_species=specialty("cats"),
        pet_age="2",
        complaint="Muntah.",
    )
    paid_by_card(consultation)  # commits; the accept timeout is now scheduled on the worker's queue
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.WAITING
    started = time.monotonic()

    deadline = started + 60
    refund = None
    while time.monotonic() < deadline:
        refund = Refund.objects.filter(payment_id=consultation.payment_id, state=Refund.State.DONE).first()
        if refund and OutgoingEmail.objects.filter(
            to=owner.email, kind="consultations.cancelled", state="sent"
        ):
            break
        assert worker.poll() is None, "the worker died"
        time.sleep(0.25)
    else:
        pytest.fail("the consultation was not refunded by the worker in time")

    consultation.refresh_from_db()
    payment = Payment.objects.get(pk=consultation.payment_id)
    assert consultation.status == Consultation.Status.CANCELLED
    assert consultation.ended_at - consultation.paid_at >= datetime.timedelta(minutes=TIMEOUT_MINUTES)
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_amount == payment.amount
    assert refund.amount == payment.amount and refund.state == Refund.State.DONE and not refund.manual
    # Midtrans (the simulator) gave the money back once: the card was captured today and not settled
    # yet, so the capture was voided (`cancel`), the whole amount released on the card.
    txn = SimulatedTransaction.objects.get()
    assert txn.transaction_status == "cancel" and txn.refunds == []
    assert Notification.objects.filter(recipient=owner, kind="consultations.cancelled").count() == 1
    print(f"refunded {time.monotonic() - started:.1f} s after payment (accept timeout 3 s)")
