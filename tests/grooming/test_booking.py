"""Booking lifecycle through the service functions: slots, deposit, confirm/decline/cancel, reviews."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grooming import services
from grooming.models import Booking, Closure, Review
from notifications.models import Notification
from payments.models import Payment
from payments.services import payment_set_status
from tests.grooming.factories import BookingFactory, ServiceFactory, tomorrow_at

pytestmark = pytest.mark.django_db


def book(member, service, start, **kwargs):
    return services.booking_create(
        member=member,
        service=service,
        starts_at=start,
        pet_name="Mochi",
        pet_species=service.species,
        **kwargs,
    )


def test_member_books_a_free_slot_and_managers_are_told(owner, salon, cat_bath, salon_manager):
    start = tomorrow_at(salon, 10)
    booking = book(owner, cat_bath, start)
    assert booking.status == Booking.Status.REQUESTED
    assert booking.ends_at == start + dt.timedelta(minutes=60)
    assert booking.price == 80_000
    assert Notification.objects.filter(recipient=salon_manager, kind="grooming.booking_requested").exists()


def test_slot_taken_is_not_offered_and_cannot_be_booked(owner, other_member, salon, cat_bath):
    start = tomorrow_at(salon, 10)
    book(owner, cat_bath, start)
    day = start.date()
    free = services.available_slots(salon=salon, service=cat_bath, day=day)
    assert start not in free
    assert start - dt.timedelta(minutes=30) not in free  # 09:30-10:30 overlaps
    assert start + dt.timedelta(minutes=60) in free
    with pytest.raises(ValidationError, match="just booked by someone else"):
        book(other_member, cat_bath, start + dt.timedelta(minutes=30))


def test_capacity_two_takes_two_pets_at_once_then_stops(
    owner, other_member, unverified_member, salon, cat_bath
):
    salon.capacity = 2
    salon.save()
    start = tomorrow_at(salon, 10)
    first, second = book(owner, cat_bath, start), book(other_member, cat_bath, start)
    assert {first.seat, second.seat} == {0, 1}
    with pytest.raises(ValidationError):
        book(unverified_member, cat_bath, start)


def test_no_slots_on_a_closure_day_or_outside_hours_or_too_soon(owner, salon, cat_bath):
    start = tomorrow_at(salon, 10)
    Closure.objects.create(salon=salon, date=start.date(), reason="Libur")
    assert services.available_slots(salon=salon, service=cat_bath, day=start.date()) == []
    with pytest.raises(ValidationError):
        book(owner, cat_bath, start)
    with pytest.raises(ValidationError):
        book(owner, cat_bath, tomorrow_at(salon, 6))  # before opening
    soon = timezone.now() + dt.timedelta(minutes=30)
    with pytest.raises(ValidationError):
        book(owner, cat_bath, soon.replace(second=0, microsecond=0))


def test_pet_species_must_match_the_service(owner, salon, cat_bath):
    with pytest.raises(ValidationError, match="for cat"):
        services.booking_create(
            member=owner,
            service=cat_bath,
            starts_at=tomorrow_at(salon, 10),
            pet_name="Rex",
            pet_species="dog",
        )


def test_manager_confirms_then_completes_and_member_reviews_once(owner, salon, cat_bath, salon_manager):
    booking = book(owner, cat_bath, tomorrow_at(salon, 10))
    services.booking_confirm(booking=booking, by=salon_manager)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    with pytest.raises(ValidationError, match="not started"):
        services.booking_complete(booking=booking, by=salon_manager)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2), ends_at=timezone.now() - dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="completed visit"):
        services.review_create(booking=booking, author=owner, rating=5, text="Bagus")
    services.booking_complete(booking=booking, by=salon_manager)
    assert Notification.objects.filter(recipient=owner, kind="grooming.booking_completed").exists()
    review = services.review_create(booking=booking, author=owner, rating=5, text="Bagus sekali")
    assert review.salon == salon
    with pytest.raises(ValidationError, match="already"):
        services.review_create(booking=booking, author=owner, rating=4, text="Lagi")
    assert list(booking.events.values_list("status", "actor")) == [
        ("requested", owner.pk),
        ("confirmed", salon_manager.pk),
        ("completed", salon_manager.pk),
    ]
    services.review_reply(review=review, by=salon_manager, text="Terima kasih!")
    review.refresh_from_db()
    assert review.reply == "Terima kasih!"


def test_only_the_member_reviews_and_only_managers_reply(owner, other_member, salon, cat_bath, other_manager):
    booking = BookingFactory(service=cat_bath, member=owner, status=Booking.Status.COMPLETED)
    with pytest.raises(PermissionDenied):
        services.review_create(booking=booking, author=other_member, rating=5, text="x")
    review = services.review_create(booking=booking, author=owner, rating=3, text="Oke")
    with pytest.raises(PermissionDenied):
        services.review_reply(review=review, by=other_manager, text="hi")
    with pytest.raises(ValidationError):
        services.review_create(
            booking=BookingFactory(
                service=cat_bath, member=owner, status="completed", starts_at=tomorrow_at(salon, 14)
            ),
            author=owner,
            rating=6,
            text="x",
        )


def test_only_managers_confirm_decline_and_decline_needs_a_reason(
    owner, salon, cat_bath, other_manager, salon_manager
):
    booking = book(owner, cat_bath, tomorrow_at(salon, 10))
    for user in (owner, other_manager):
        with pytest.raises(PermissionDenied):
            services.booking_confirm(booking=booking, by=user)
    with pytest.raises(ValidationError, match="reason"):
        services.booking_decline(booking=booking, by=salon_manager, reason=" ")
    services.booking_decline(booking=booking, by=salon_manager, reason="Groomer sakit")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    # The slot is free again.
    assert tomorrow_at(salon, 10) in services.available_slots(
        salon=salon, service=cat_bath, day=tomorrow_at(salon, 10).date()
    )


def test_member_cancels_until_two_hours_before_manager_any_time_with_reason(
    owner, salon, cat_bath, salon_manager
):
    near = BookingFactory(service=cat_bath, member=owner, starts_at=timezone.now() + dt.timedelta(minutes=90))
    with pytest.raises(ValidationError, match="2 hours"):
        services.booking_cancel(booking=near, by=owner)
    with pytest.raises(ValidationError, match="reason"):
        services.booking_cancel(booking=near, by=salon_manager)
    services.booking_cancel(booking=near, by=salon_manager, reason="Listrik padam")
    near.refresh_from_db()
    assert near.status == Booking.Status.CANCELLED and near.reason == "Listrik padam"
    assert Notification.objects.filter(recipient=owner, kind="grooming.booking_cancelled").exists()

    later = book(owner, cat_bath, tomorrow_at(salon, 15))
    services.booking_cancel(booking=later, by=owner)
    later.refresh_from_db()
    assert later.status == Booking.Status.CANCELLED
    assert Notification.objects.filter(recipient=salon_manager, kind="grooming.booking_cancelled").exists()


def test_stranger_cannot_cancel(owner, other_member, salon, cat_bath):
    booking = book(owner, cat_bath, tomorrow_at(salon, 10))
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, by=other_member, reason="x")


# --- deposits ---------------------------------------------------------------------------------------
@pytest.fixture
def deposit_salon(salon):
    salon.deposit_amount = 50_000
    salon.save()
    return salon


def test_deposit_holds_the_slot_then_payment_sends_the_request(
    owner, deposit_salon, cat_bath, salon_manager, django_capture_on_commit_callbacks
):
    booking = book(owner, cat_bath, tomorrow_at(deposit_salon, 10))
    assert booking.status == Booking.Status.AWAITING_PAYMENT
    payment = booking.payment
    assert payment.purpose == "grooming" and payment.amount == 50_000 and payment.target == booking
    assert booking.hold_expires_at == payment.expires_at
    assert not Notification.objects.filter(recipient=salon_manager).exists()
    with django_capture_on_commit_callbacks(execute=True):
        payment_set_status(payment=payment, status="paid")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    assert Notification.objects.filter(recipient=salon_manager, kind="grooming.booking_requested").exists()


def test_failed_deposit_releases_the_slot(
    owner, other_member, deposit_salon, cat_bath, django_capture_on_commit_callbacks
):
    start = tomorrow_at(deposit_salon, 10)
    booking = book(owner, cat_bath, start)
    with django_capture_on_commit_callbacks(execute=True):
        payment_set_status(payment=booking.payment, status=Payment.Status.EXPIRED)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert book(other_member, cat_bath, start).status == Booking.Status.AWAITING_PAYMENT


def test_unpaid_hold_past_expiry_no_longer_blocks_and_is_swept(
    owner, other_member, deposit_salon, cat_bath, django_capture_on_commit_callbacks
):
    start = tomorrow_at(deposit_salon, 10)
    booking = book(owner, cat_bath, start)
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert start in services.available_slots(salon=deposit_salon, service=cat_bath, day=start.date())
    with django_capture_on_commit_callbacks(execute=True):
        second = book(other_member, cat_bath, start)  # releases the stale hold under the salon lock
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert booking.payment.status == Payment.Status.CANCELLED
    assert second.is_active
    assert Notification.objects.filter(recipient=owner, kind="grooming.booking_released").exists()


def test_release_sweep_command(owner, deposit_salon, cat_bath, django_capture_on_commit_callbacks):
    booking = book(owner, cat_bath, tomorrow_at(deposit_salon, 10))
    assert services.release_expired_holds() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_expired_holds(now=timezone.now() + dt.timedelta(days=1)) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED


def test_paid_deposit_is_refunded_when_the_salon_declines(
    owner, deposit_salon, cat_bath, salon_manager, django_capture_on_commit_callbacks
):
    booking = book(owner, cat_bath, tomorrow_at(deposit_salon, 10))
    with django_capture_on_commit_callbacks(execute=True):
        payment_set_status(payment=booking.payment, status="paid")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_decline(booking=booking, by=salon_manager, reason="Penuh")
    booking.payment.refresh_from_db()
    assert booking.payment.refunds.count() == 1
    assert booking.payment.refunds.get().amount == 50_000


def test_notification_emails_go_out_after_commit(
    owner, salon, cat_bath, salon_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(owner, cat_bath, tomorrow_at(salon, 10))
    assert [m.to for m in mail.outbox] == [[salon_manager.email]]


def test_inactive_service_or_salon_cannot_be_booked(owner, salon, cat_bath):
    other = ServiceFactory(salon=salon, is_active=False)
    with pytest.raises(ValidationError):
        book(owner, other, tomorrow_at(salon, 10))
    salon.is_active = False
    salon.save()
    with pytest.raises(ValidationError):
        book(owner, cat_bath, tomorrow_at(salon, 10))
    assert Review.objects.count() == 0


def test_resending_the_same_booking_returns_it_instead_of_failing(owner, salon, cat_bath):
    start = tomorrow_at(salon, 10)
    first = book(owner, cat_bath, start)
    assert book(owner, cat_bath, start) == first
    assert Booking.objects.count() == 1


def test_a_booking_is_named_in_the_salons_local_time(owner, salon, cat_bath):
    booking = book(owner, cat_bath, tomorrow_at(salon, 8))
    assert str(booking).endswith(f"{tomorrow_at(salon, 8):%Y-%m-%d} 08:00 WIB")
