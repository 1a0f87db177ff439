"""The consultation state machine: opening, payment hooks, accept, end, summary, cancel (and refunds)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations import services
from consultations.models import Consultation, VetProfile
from notifications.models import Notification
from payments.models import Payment
from payments.services import payment_set_status
from tests import factories
from tests.consultations.factories import ConsultationFactory, specialty

Status = Consultation.Status
pytestmark = pytest.mark.django_db


def open_consultation(owner, vet, **kwargs):
    fields = dict(pet_name="Mochi", pet_species=specialty("cats"), pet_age="2 tahun", complaint="Muntah.")
    fields.update(kwargs)
    return services.consultation_open(owner=owner, vet=vet, **fields)


def pay(consultation, capture):
    with capture(execute=True):
        payment_set_status(payment=consultation.payment, status=Payment.Status.PAID)
    consultation.refresh_from_db()


# --- opening ---------------------------------------------------------------------------------------------
def test_opening_creates_a_consultation_awaiting_payment_with_its_payment(owner, vet_profile):
    consultation = open_consultation(owner, vet_profile.user, photos=[factories.image_file()])

    assert consultation.status == Status.AWAITING_PAYMENT
    assert consultation.fee == 75_000
    payment = consultation.payment
    assert (payment.purpose, payment.amount, payment.payer) == ("consultation", 75_000, owner)
    assert payment.target == consultation
    photo = consultation.photos.get()
    assert photo.image.storage is storages["private"]  # never under MEDIA_URL


def test_the_fee_is_fixed_when_opening(owner, vet_profile):
    consultation = open_consultation(owner, vet_profile.user)
    VetProfile.objects.filter(pk=vet_profile.pk).update(fee=150_000)
    consultation.refresh_from_db()
    assert consultation.fee == consultation.payment.amount == 75_000


def test_a_vet_cannot_consult_themselves(vet_profile):
    with pytest.raises(ValidationError) as error:
        open_consultation(vet_profile.user, vet_profile.user)
    assert error.value.code == "self_consultation"


def test_a_vet_may_consult_another_vet_as_an_owner(vet_profile, other_vet):
    assert open_consultation(vet_profile.user, other_vet).status == Status.AWAITING_PAYMENT


def test_cannot_open_with_a_vet_whose_licence_is_not_approved(owner):
    from tests.consultations.factories import VetProfileFactory

    unlicensed = factories.UserFactory(is_vet=True)
    factories.VetLicenceFactory(user=unlicensed)  # pending
    VetProfileFactory(user=unlicensed)
    with pytest.raises(ValidationError) as error:
        open_consultation(owner, unlicensed)
    assert error.value.code == "vet_not_listed"


def test_cannot_open_with_an_offline_vet(owner, vet_profile):
    services.vet_set_availability(vet=vet_profile.user, availability="offline")
    with pytest.raises(ValidationError) as error:
        open_consultation(owner, vet_profile.user)
    assert error.value.code == "vet_offline"


def test_an_online_vet_not_seen_for_long_counts_as_offline(owner, vet_profile):
    VetProfile.objects.filter(pk=vet_profile.pk).update(
        last_seen_at=timezone.now() - datetime.timedelta(hours=3)
    )
    with pytest.raises(ValidationError):
        open_consultation(owner, vet_profile.user)


def test_a_busy_vet_can_still_be_consulted(owner, other_member, vet_profile, make_consultation):
    make_consultation(Status.ACTIVE, owner=other_member)
    assert open_consultation(owner, vet_profile.user).status == Status.AWAITING_PAYMENT


@pytest.mark.parametrize("status", [Status.AWAITING_PAYMENT, Status.WAITING, Status.ACTIVE])
def test_only_one_open_consultation_per_owner_and_vet(owner, vet_profile, make_consultation, status):
    make_consultation(status)
    with pytest.raises(ValidationError) as error:
        open_consultation(owner, vet_profile.user)
    assert error.value.code == "already_open"


@pytest.mark.parametrize("status", [Status.ENDED, Status.CANCELLED, Status.EXPIRED])
def test_a_closed_consultation_does_not_block_a_new_one(owner, vet_profile, make_consultation, status):
    make_consultation(status)
    assert open_consultation(owner, vet_profile.user).status == Status.AWAITING_PAYMENT


def test_the_database_refuses_a_second_open_consultation(owner, vet_profile, make_consultation):
    make_consultation(Status.WAITING)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationFactory(owner=owner, vet=vet_profile.user, status=Status.ACTIVE)


def test_at_most_three_photos(owner, vet_profile):
    with pytest.raises(ValidationError):
        open_consultation(owner, vet_profile.user, photos=[factories.image_file() for _ in range(4)])
    assert not Consultation.objects.exists()


# --- payment hooks -----------------------------------------------------------------------------------------
def test_payment_settled_puts_the_consultation_in_the_vets_queue_and_notifies_the_vet(
    owner, vet_profile, django_capture_on_commit_callbacks
):
    consultation = open_consultation(owner, vet_profile.user)
    pay(consultation, django_capture_on_commit_callbacks)

    assert consultation.status == Status.WAITING
    assert consultation.paid_at is not None
    note = Notification.objects.get(recipient=vet_profile.user)
    assert note.kind == "consultations.waiting"
    assert note.url == f"/consultations/{consultation.pk}/"


def test_the_paid_hook_is_idempotent(owner, vet_profile, django_capture_on_commit_callbacks):
    consultation = open_consultation(owner, vet_profile.user)
    pay(consultation, django_capture_on_commit_callbacks)
    paid_at = consultation.paid_at
    assert services.consultation_mark_paid(consultation=consultation) is False
    consultation.refresh_from_db()
    assert consultation.paid_at == paid_at
    assert Notification.objects.filter(recipient=vet_profile.user).count() == 1


@pytest.mark.parametrize(
    "payment_status, expected",
    [
        (Payment.Status.EXPIRED, Status.EXPIRED),
        (Payment.Status.FAILED, Status.EXPIRED),
        (Payment.Status.CANCELLED, Status.CANCELLED),
    ],
)
def test_an_unpaid_consultation_closes_with_its_payment(
    owner, vet_profile, django_capture_on_commit_callbacks, payment_status, expected
):
    consultation = open_consultation(owner, vet_profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        payment_set_status(payment=consultation.payment, status=payment_status)
    consultation.refresh_from_db()
    assert consultation.status == expected
    # ... and the owner may open a new one with the same vet
    assert open_consultation(owner, vet_profile.user).status == Status.AWAITING_PAYMENT


def test_the_failed_hook_does_not_touch_a_paid_consultation(make_consultation):
    consultation = make_consultation(Status.WAITING)
    assert services.consultation_payment_failed(consultation=consultation, payment_status="expired") is False
    consultation.refresh_from_db()
    assert consultation.status == Status.WAITING


def test_money_arriving_for_a_cancelled_consultation_is_refunded(
    make_consultation, no_refund_calls, django_capture_on_commit_callbacks
):
    consultation = make_consultation(Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.consultation_mark_paid(consultation=consultation) is False
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    assert [call["payment"] for call in no_refund_calls] == [consultation.payment]


def test_the_return_url_is_the_consultation_page(owner, vet_profile):
    from payments.registry import handler_for

    consultation = open_consultation(owner, vet_profile.user)
    assert (
        handler_for("consultation").return_url(consultation.payment) == f"/consultations/{consultation.pk}/"
    )


# --- accept ---------------------------------------------------------------------------------------------
def test_the_vet_accepts_a_waiting_consultation(make_consultation, owner, vet):
    consultation = make_consultation(Status.WAITING)
    services.consultation_accept(consultation=consultation, vet=vet)
    consultation.refresh_from_db()
    assert consultation.status == Status.ACTIVE and consultation.accepted_at
    assert Notification.objects.get(recipient=owner).kind == "consultations.accepted"


@pytest.mark.parametrize(
    "status", [Status.AWAITING_PAYMENT, Status.ACTIVE, Status.ENDED, Status.CANCELLED, Status.EXPIRED]
)
def test_only_a_waiting_consultation_can_be_accepted(make_consultation, vet, status):
    consultation = make_consultation(status)
    with pytest.raises(ValidationError):
        services.consultation_accept(consultation=consultation, vet=vet)
    consultation.refresh_from_db()
    assert consultation.status == status


def test_only_its_vet_can_accept(make_consultation, owner, other_vet):
    consultation = make_consultation(Status.WAITING)
    for user in (owner, other_vet):
        with pytest.raises(PermissionDenied):
            services.consultation_accept(consultation=consultation, vet=user)


def test_accepting_makes_the_vet_busy_in_the_directory(make_consultation, vet):
    consultation = make_consultation(Status.WAITING)
    services.consultation_accept(consultation=consultation, vet=vet)
    assert VetProfile.objects.with_live_availability().get(user=vet).live_availability == "busy"


# --- end and summary ---------------------------------------------------------------------------------------
def test_the_owner_ends_and_the_vet_adds_the_summary_after(make_consultation, owner, vet):
    consultation = make_consultation(Status.ACTIVE)
    services.consultation_end(consultation=consultation, by=owner)
    consultation.refresh_from_db()
    assert (consultation.status, consultation.ended_by) == (Status.ENDED, owner)
    note = Notification.objects.get(recipient=vet)
    assert note.kind == "consultations.ended"
    assert "Budi" in note.body and "Santoso" not in note.body  # owners go by first name

    services.consultation_write_summary(
        consultation=consultation, vet=vet, summary="Hairball. Sisir tiap hari."
    )
    consultation.refresh_from_db()
    assert consultation.summary == "Hairball. Sisir tiap hari."
    assert Notification.objects.filter(recipient=owner, kind="consultations.summary").count() == 1


def test_the_vet_ends_with_the_summary_at_once(make_consultation, owner, vet):
    consultation = make_consultation(Status.ACTIVE)
    services.consultation_end(consultation=consultation, by=vet, summary="  Diet lambung 3 hari.  ")
    consultation.refresh_from_db()
    assert consultation.status == Status.ENDED
    assert consultation.summary == "Diet lambung 3 hari."
    assert Notification.objects.get(recipient=owner).kind == "consultations.ended"


def test_the_summary_an_owner_sends_when_ending_is_ignored(make_consultation, owner):
    consultation = make_consultation(Status.ACTIVE)
    services.consultation_end(consultation=consultation, by=owner, summary="I am the vet now")
    consultation.refresh_from_db()
    assert consultation.summary == ""


@pytest.mark.parametrize("status", [Status.AWAITING_PAYMENT, Status.WAITING, Status.ENDED, Status.CANCELLED])
def test_only_an_active_consultation_can_be_ended(make_consultation, owner, status):
    consultation = make_consultation(status)
    with pytest.raises(ValidationError):
        services.consultation_end(consultation=consultation, by=owner)


def test_strangers_cannot_end(make_consultation, other_member, other_vet, staff):
    consultation = make_consultation(Status.ACTIVE)
    for user in (other_member, other_vet, staff):
        with pytest.raises(PermissionDenied):
            services.consultation_end(consultation=consultation, by=user)


def test_the_summary_is_written_only_after_the_end_and_only_by_the_vet(make_consultation, owner, vet):
    consultation = make_consultation(Status.ACTIVE)
    with pytest.raises(ValidationError):
        services.consultation_write_summary(consultation=consultation, vet=vet, summary="Too early")
    services.consultation_end(consultation=consultation, by=owner)
    with pytest.raises(PermissionDenied):
        services.consultation_write_summary(consultation=consultation, vet=owner, summary="Not mine")
    with pytest.raises(ValidationError):
        services.consultation_write_summary(consultation=consultation, vet=vet, summary="   ")


def test_the_vet_can_correct_the_summary_and_the_owner_is_told_once(make_consultation, owner, vet):
    consultation = make_consultation(Status.ENDED)
    services.consultation_write_summary(consultation=consultation, vet=vet, summary="Satu")
    services.consultation_write_summary(consultation=consultation, vet=vet, summary="Dua")
    consultation.refresh_from_db()
    assert consultation.summary == "Dua"
    assert Notification.objects.filter(recipient=owner, kind="consultations.summary").count() == 1


# --- cancel and refund -------------------------------------------------------------------------------------
def test_the_owner_cancels_before_paying_and_the_payment_is_cancelled(
    owner, vet_profile, django_capture_on_commit_callbacks
):
    consultation = open_consultation(owner, vet_profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_cancel(consultation=consultation, by=owner)
    consultation.refresh_from_db()
    consultation.payment.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    assert consultation.payment.status == Payment.Status.CANCELLED
    assert not Notification.objects.filter(recipient=vet_profile.user).exists()  # the vet never saw it


def test_the_owner_cannot_cancel_a_paid_consultation_before_the_accept_timeout(
    make_consultation, owner, settings, no_refund_calls
):
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = 15
    paid_at = timezone.now()
    consultation = make_consultation(Status.WAITING, paid_at=paid_at)
    with pytest.raises(ValidationError) as error:
        services.consultation_cancel(
            consultation=consultation, by=owner, now=paid_at + datetime.timedelta(minutes=14, seconds=59)
        )
    assert error.value.code == "too_early"
    consultation.refresh_from_db()
    assert consultation.status == Status.WAITING
    assert no_refund_calls == []


def test_after_the_accept_timeout_the_owner_cancels_and_is_refunded(
    make_consultation, owner, vet, settings, no_refund_calls, django_capture_on_commit_callbacks
):
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = 15
    paid_at = timezone.now() - datetime.timedelta(minutes=15)
    consultation = make_consultation(Status.WAITING, paid_at=paid_at)
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_cancel(consultation=consultation, by=owner)
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    assert consultation.cancel_reason  # a default reason the vet and the refund record show
    assert len(no_refund_calls) == 1 and no_refund_calls[0]["by"] == owner
    assert Notification.objects.get(recipient=vet).kind == "consultations.cancelled"


def test_the_timeout_is_configurable(make_consultation, owner, settings, no_refund_calls):
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = 5
    paid_at = timezone.now()
    consultation = make_consultation(Status.WAITING, paid_at=paid_at)
    services.consultation_cancel(
        consultation=consultation, by=owner, now=paid_at + datetime.timedelta(minutes=5)
    )
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED


def test_the_vet_declines_a_waiting_consultation_and_the_owner_is_refunded(
    make_consultation, owner, vet, no_refund_calls, django_capture_on_commit_callbacks
):
    consultation = make_consultation(Status.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_cancel(consultation=consultation, by=vet, reason="Saya sedang operasi.")
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    assert consultation.cancel_reason == "Saya sedang operasi."
    assert len(no_refund_calls) == 1
    assert Notification.objects.get(recipient=owner).kind == "consultations.cancelled"


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED, Status.CANCELLED, Status.EXPIRED])
def test_participants_cannot_cancel_once_started_or_closed(
    make_consultation, owner, vet, status, no_refund_calls
):
    consultation = make_consultation(status, paid_at=timezone.now() - datetime.timedelta(hours=1))
    for user in (owner, vet):
        with pytest.raises(ValidationError):
            services.consultation_cancel(consultation=consultation, by=user)
    assert no_refund_calls == []


def test_a_stranger_cannot_cancel(make_consultation, other_member):
    consultation = make_consultation(Status.AWAITING_PAYMENT)
    with pytest.raises(PermissionDenied):
        services.consultation_cancel(consultation=consultation, by=other_member)


def test_staff_can_cancel_an_active_consultation_with_a_refund(
    make_consultation, staff, owner, vet, no_refund_calls, django_capture_on_commit_callbacks
):
    consultation = make_consultation(Status.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_cancel(consultation=consultation, by=staff, reason="Laporan penyalahgunaan")
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    assert len(no_refund_calls) == 1
    assert {n.recipient for n in Notification.objects.all()} == {owner, vet}


def test_cancel_after_timeout_refunds_the_real_payment(
    owner, vet_profile, settings, django_capture_on_commit_callbacks
):
    """End to end through the payments app: paid, not accepted in time, cancelled, refunded."""
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = 15
    consultation = open_consultation(owner, vet_profile.user)
    pay(consultation, django_capture_on_commit_callbacks)
    later = consultation.paid_at + datetime.timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_cancel(consultation=consultation, by=owner, now=later)
    consultation.refresh_from_db()
    payment = Payment.objects.get(pk=consultation.payment_id)
    assert consultation.status == Status.CANCELLED
    assert payment.refunds.count() == 1
    assert payment.refunds.get().amount == 75_000


def test_reconcile_retries_a_refund_that_failed(make_consultation, no_refund_calls):
    from django.core.management import call_command

    consultation = make_consultation(Status.CANCELLED)  # paid, cancelled, payment still "paid"
    assert list(services.refunds_missing()) == [consultation]
    call_command("consultations_reconcile")
    assert [call["payment"] for call in no_refund_calls] == [consultation.payment]
