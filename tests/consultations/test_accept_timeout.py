"""No vet accepts: the consultation is passed on (if the owner allowed it) or cancelled and refunded,
by the task queue, with no user action."""

import datetime

import pytest
from django.core import mail

from consultations import services, tasks
from consultations.models import Consultation
from notifications.models import Notification
from payments.models import Payment, Refund
from payments.services import payment_set_status
from pets.models import Species
from tests import factories
from tests.consultations.factories import VetProfileFactory, specialty

pytestmark = pytest.mark.django_db
Status = Consultation.Status


def open_and_pay(owner, vet, capture, **kwargs):
    consultation = services.consultation_open(
        owner=owner,
        vet=vet,
        pet_name="Mochi",
        pet_species=specialty("cats"),
        pet_age="2 tahun",
        complaint="Muntah.",
        **kwargs,
    )
    with capture(execute=True):
        payment_set_status(payment=consultation.payment, status=Payment.Status.PAID)
    consultation.refresh_from_db()
    return consultation


@pytest.fixture
def timeout(settings):
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = 15
    return datetime.timedelta(minutes=15)


def test_paying_schedules_the_accept_timeout_on_the_queue(
    owner, vet_profile, task_queue, timeout, django_capture_on_commit_callbacks
):
    consultation = open_and_pay(owner, vet_profile.user, django_capture_on_commit_callbacks)
    [scheduled] = task_queue.scheduled()
    assert scheduled.name == "accept_timeout" and scheduled.args == (str(consultation.pk),)


def test_nobody_accepting_cancels_and_refunds_with_email_and_in_app_notice(
    owner, vet_profile, task_queue, timeout, django_capture_on_commit_callbacks
):
    consultation = open_and_pay(owner, vet_profile.user, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.consultation_accept_timeout(consultation=consultation) == "not yet"
        outcome = services.consultation_accept_timeout(
            consultation=consultation, now=consultation.paid_at + timeout
        )
    assert outcome == "cancelled"
    consultation.refresh_from_db()
    payment = Payment.objects.get(pk=consultation.payment_id)
    assert consultation.status == Status.CANCELLED and consultation.ended_by is None
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunds.get().amount == consultation.fee
    notice = Notification.objects.get(recipient=owner, kind="consultations.cancelled")
    assert "dikembalikan" in notice.body  # "Biaya dikembalikan penuh." (Indonesian by default)
    assert owner.email in [m.to[0] for m in mail.outbox]


def test_the_sweep_twice_refunds_once_and_tells_once(
    owner, vet_profile, timeout, django_capture_on_commit_callbacks
):
    consultation = open_and_pay(owner, vet_profile.user, django_capture_on_commit_callbacks)
    later = consultation.paid_at + timeout + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.accept_timeouts_due(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.accept_timeouts_due(now=later)
    assert first == {"cancelled": 1} and second == {}
    assert Refund.objects.filter(payment_id=consultation.payment_id).count() == 1
    assert Notification.objects.filter(recipient=owner, kind="consultations.cancelled").count() == 1


def test_allowed_reassignment_goes_to_another_online_vet_then_cancels_after_a_second_timeout(
    owner, vet_profile, timeout, task_queue, django_capture_on_commit_callbacks
):
    second_vet = factories.VetFactory(full_name="drh. Made Wirawan", email="made@example.test")
    VetProfileFactory(user=second_vet, fee=60_000)  # cheaper than the fee paid: fine
    pricey = factories.VetFactory(full_name="drh. Mahal", email="mahal@example.test")
    VetProfileFactory(user=pricey, fee=500_000)  # asks more than was paid: never chosen
    consultation = open_and_pay(
        owner, vet_profile.user, django_capture_on_commit_callbacks, allow_reassign=True
    )
    first_vet = consultation.vet
    later = consultation.paid_at + timeout

    with django_capture_on_commit_callbacks(execute=True):
        assert services.consultation_accept_timeout(consultation=consultation, now=later) == "reassigned"
    consultation.refresh_from_db()
    assert consultation.status == Status.WAITING
    assert (consultation.vet, consultation.reassigned_from) == (second_vet, first_vet)
    assert services.accept_deadline(consultation) == later + timeout
    assert Notification.objects.filter(recipient=second_vet, kind="consultations.waiting").exists()
    assert Notification.objects.filter(recipient=owner, kind="consultations.reassigned").exists()
    assert Notification.objects.filter(recipient=first_vet, kind="consultations.reassigned").exists()
    assert not Refund.objects.exists()
    # The new vet gets the same time; it was scheduled on the queue for the new deadline.
    assert [t.name for t in task_queue.scheduled()].count("accept_timeout") == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.consultation_accept_timeout(consultation=consultation, now=later + timeout)
            == "cancelled"
        )
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    assert Refund.objects.filter(payment_id=consultation.payment_id).count() == 1


def test_reassignment_without_another_available_vet_cancels(
    owner, vet_profile, timeout, django_capture_on_commit_callbacks
):
    busy = factories.VetFactory(email="offline@example.test")
    VetProfileFactory(user=busy, availability="offline")
    consultation = open_and_pay(
        owner, vet_profile.user, django_capture_on_commit_callbacks, allow_reassign=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.consultation_accept_timeout(
            consultation=consultation, now=consultation.paid_at + timeout
        )
    assert outcome == "cancelled"


def test_an_accepted_consultation_is_left_alone(
    owner, vet_profile, timeout, django_capture_on_commit_callbacks
):
    consultation = open_and_pay(owner, vet_profile.user, django_capture_on_commit_callbacks)
    services.consultation_accept(consultation=consultation, vet=vet_profile.user)
    assert tasks.accept_timeout.call_local(str(consultation.pk)) == "not waiting"
    consultation.refresh_from_db()
    assert consultation.status == Status.ACTIVE


def test_the_booking_form_offers_reassignment(owner, vet_profile, client_for):
    c = client_for(owner)
    page = c.get(f"/vets/{vet_profile.user_id}/consult/")
    assert "Boleh dialihkan ke dokter lain" in page.content.decode()
    c.post(
        f"/vets/{vet_profile.user_id}/consult/",
        {
            "pet": "new",
            "new_name": "Mochi",
            "new_species": Species.objects.get(slug="cat").pk,
            "age_estimate_months": 24,
            "complaint": "Muntah.",
            "allow_reassign": "on",
        },
    )
    assert Consultation.objects.get(owner=owner).allow_reassign is True
