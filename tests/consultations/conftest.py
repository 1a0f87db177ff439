"""Fixtures for the consultations tests: the personas' vet profiles and consultations in each state.

`vet` (tests/conftest.py) gets an online profile; `other_vet` is a second listed vet.
"""

import pytest

from consultations.models import Consultation
from payments.models import Payment
from payments.services import payment_create
from tests import factories
from tests.consultations.factories import ConsultationFactory, VetProfileFactory


@pytest.fixture(scope="session", autouse=True)
def _close_chat_writer_connections(django_db_setup, django_db_blocker):
    """The chat writer keeps its own PostgreSQL connections (consultations/chat/live.py) that Django's
    teardown does not see; close them before the test database is dropped."""
    yield
    from consultations.chat import live as chat_live

    with django_db_blocker.unblock():
        chat_live.close_writer_connection()


@pytest.fixture
def vet_profile(vet):
    return VetProfileFactory(user=vet)


@pytest.fixture
def other_vet(db):
    user = factories.VetFactory(full_name="drh. Made Wirawan", email="made@example.test")
    VetProfileFactory(user=user, fee=60_000)
    return user


def payment_for(consultation) -> Payment:
    """The consultation's payment, in the status its own status implies (no hooks run)."""
    payment = payment_create(
        payer=consultation.owner,
        purpose="consultation",
        target=consultation,
        amount=consultation.fee,
        description=f"Konsultasi {consultation.pet_name}",
    )
    if consultation.paid_at:
        status = Payment.Status.PAID
    elif consultation.status == Consultation.Status.AWAITING_PAYMENT:
        status = Payment.Status.PENDING
    else:
        status = Payment.Status.EXPIRED
    Payment.objects.filter(pk=payment.pk).update(
        status=status, paid_at=consultation.paid_at, delivered_status=status
    )
    payment.refresh_from_db()
    return payment


@pytest.fixture
def make_consultation(owner, vet_profile):
    """make_consultation(status="waiting", **fields) between `owner` and `vet`."""

    def make(status=Consultation.Status.WAITING, **fields):
        fields.setdefault("owner", owner)
        fields.setdefault("vet", vet_profile.user)
        consultation = ConsultationFactory(status=status, **fields)
        consultation.payment = payment_for(consultation)
        consultation.save(update_fields=["payment"])
        return consultation

    return make


@pytest.fixture
def no_refund_calls(monkeypatch):
    """Record refund requests instead of calling the payments app (for tests about this app's rules)."""
    calls = []

    def fake_refund(*, payment, reason, by=None, amount=None, manual=False):
        calls.append({"payment": payment, "reason": reason, "by": by})

    monkeypatch.setattr("payments.services.refund_payment", fake_refund)
    return calls
