"""A mail server that accepts connections and never answers: requests still answer at once, and every
e-mail is delivered once the server recovers (aiosmtpd on the same port)."""

import contextlib
import datetime
import json
import socket
import threading
import time

import environ
import pytest
import responses
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from adoption.models import Application
from consultations import services as consultation_services
from notifications.models import OutgoingEmail
from payments.models import PaymentAttempt
from tests import factories
from tests.adoption.factories import ApplicationFactory, PetFactory
from tests.consultations.factories import VetProfileFactory, specialty

pytestmark = pytest.mark.django_db(transaction=True)
API = "https://api.sandbox.midtrans.com"


class BlackHoleSMTP:
    """Accepts TCP connections and never says a word (no 220 greeting)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(50)
        self.port = self.listener.getsockname()[1]
        self.held = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            self.held.append(conn)

    def close(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        for conn in self.held:
            conn.close()


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((tuple(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def black_hole(settings):
    server = BlackHoleSMTP()
    # EMAIL_URL=smtp://127.0.0.1:<port>, read the way settings.py reads it.
    config = environ.Env.email_url_config(f"smtp://127.0.0.1:{server.port}")
    for name, value in config.items():
        setattr(settings, name, value)
    settings.EMAIL_TIMEOUT = 1
    yield server
    server.close()


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def test_requests_answer_at_once_while_smtp_hangs_and_every_email_arrives_after_recovery(
    black_hole, real_queue, in_process_consumer, settings
):
    settings.ALLOWED_HOSTS = ["testserver"]
    # Three requests that each send e-mail: a password reset, an adoption approval, a consultation payment.
    member = factories.VerifiedMemberFactory(email="budi@example.test")
    lister = factories.VerifiedMemberFactory(email="rina@example.test")
    application = ApplicationFactory(pet=PetFactory(lister=lister, fee=0), adopter=member)
    ApplicationFactory(pet=application.pet)  # a second applicant, told the pet went to someone else
    vet = factories.VetFactory(email="ayu@example.test")
    VetProfileFactory(user=vet)
    consultation = consultation_services.consultation_open(
        owner=member,
        vet=vet,
        pet_name="Mochi",
        pet_species=specialty("cats"),
        pet_age="2",
        complaint="Muntah.",
    )

    # Warm up (URLconf, templates) so that the timing is the request's own work.
    Client().get("/accounts/password-reset/")
    reset, reset_time = timed(
        lambda: Client().post("/accounts/password-reset/", {"email": "budi@example.test"})
    )
    lister_client = Client()
    lister_client.force_login(lister)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    approval, approval_time = timed(
        lambda: lister_client.post(
            f"/adoption/listings/applications/{application.pk}/approve/",
            {
                "pickup_date": tomorrow.isoformat(),
                "pickup_time": "10:00",
                "pickup_address": "Jl. Dago No. 12, Bandung",
                "pickup_phone": "0812-3456-7890",
            },
        )
    )
    payment_time, notification = _pay_through_the_webhook(consultation, settings)

    assert reset.status_code == 302 and approval.status_code == 302 and notification.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    print(
        f"answered in: reset {reset_time:.3f} s, approval {approval_time:.3f} s, payment {payment_time:.3f} s"
    )
    assert max(reset_time, approval_time, payment_time) < 1.0, (reset_time, approval_time, payment_time)
    queued = list(OutgoingEmail.objects.values_list("to", "subject"))
    recipients = sorted(to for to, _subject in queued)
    # Reset link + approval (adopter) + "chose another adopter" + "paid" (payer) + "waiting" (vet).
    assert len(queued) == 5, queued
    assert {"budi@example.test", "ayu@example.test"} <= set(recipients)

    # The consumer tries while the server hangs: each try gives up after EMAIL_TIMEOUT and retries later.
    in_process_consumer()
    _wait_for(lambda: black_hole.connections >= 2, seconds=10)
    assert OutgoingEmail.objects.filter(state=OutgoingEmail.State.SENT).count() == 0

    # The mail server recovers on the same port.
    port = black_hole.port
    black_hole.close()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _wait_for(
            lambda: OutgoingEmail.objects.filter(state=OutgoingEmail.State.SENT).count() == 5, seconds=40
        )
    finally:
        controller.stop()
    delivered = sorted(rcpt[0] for rcpt, _content in inbox.messages)
    assert delivered == recipients  # every e-mail, each once
    # Those tried during the outage timed out and were sent by a later try.
    assert OutgoingEmail.objects.filter(attempts__gte=2).count() >= 2


def _pay_through_the_webhook(consultation, settings):
    """Midtrans (sandbox keys, HTTP mocked) notifies a settlement; the webhook confirms it with the
    status API."""
    from payments import midtrans

    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-test"
    settings.MIDTRANS_CLIENT_KEY = "SB-Mid-client-test"
    settings.PAYMENT_SIMULATOR = False
    payment = consultation.payment
    attempt = PaymentAttempt.objects.create(
        payment=payment,
        order_id=f"HP-{payment.pk.hex[:20]}-1",
        amount=payment.amount,
        status="pending",
        snap_token="tok",
        expires_at=payment.expires_at,
    )
    body = {
        "transaction_status": "settlement",
        "status_code": "200",
        "order_id": attempt.order_id,
        "gross_amount": f"{attempt.amount}.00",
        "payment_type": "bank_transfer",
        "transaction_id": "5f5c1f4e-1d3a-4e1e-9d7c-2f5d0e9e8b1a",
        "fraud_status": "accept",
    }
    body["signature_key"] = midtrans.signature(body["order_id"], body["status_code"], body["gross_amount"])
    with responses.RequestsMock() as mocked:
        mocked.get(f"{API}/v2/{attempt.order_id}/status", json={**body, "status_message": "Success"})
        response, elapsed = timed(
            lambda: Client().post(
                "/payments/midtrans/notification/", data=json.dumps(body), content_type="application/json"
            )
        )
    return elapsed, response


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")
