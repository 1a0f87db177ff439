"""Item 9 of issue 15: a member moves a grooming booking to another time in one step; the deposit stays
(no refund, no second charge) and the salon confirms the new time."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grooming import services
from grooming.models import Booking
from notifications.models import Notification
from payments.models import Payment
from tests import factories
from tests.conftest import login_in_browser
from tests.grooming.factories import (
    BookingFactory,
    SalonFactory,
    SalonManagerFactory,
    ServiceFactory,
    tomorrow_at,
)


def _paid_deposit_booking(member, salon, hour=10):
    booking = services.booking_create(
        member=member, service=salon.services.get(), starts_at=tomorrow_at(salon, hour), pet_name="Mochi",
        pet_species="cat",
    )  # fmt: skip
    Payment.objects.filter(pk=booking.payment_id).update(status=Payment.Status.PAID)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CONFIRMED)
    booking.refresh_from_db()
    return booking


@pytest.fixture
def deposit_salon(db):
    manager = SalonManagerFactory()
    salon = SalonFactory(deposit_amount=50_000)
    salon.managers.add(manager)
    ServiceFactory(salon=salon, species="cat", duration_minutes=60)
    return salon


@pytest.mark.django_db
def test_reschedule_keeps_the_deposit_and_asks_the_salon_again(deposit_salon, owner):
    booking = _paid_deposit_booking(owner, deposit_salon)
    payment_id, payments_before = booking.payment_id, Payment.objects.count()
    new_start = tomorrow_at(deposit_salon, 14)
    moved = services.booking_reschedule(booking=booking, by=owner, starts_at=new_start)
    assert moved.pk == booking.pk and moved.starts_at == new_start
    assert moved.ends_at == new_start + dt.timedelta(minutes=60)
    assert moved.status == Booking.Status.REQUESTED  # the salon confirms the new time
    assert moved.payment_id == payment_id and Payment.objects.count() == payments_before
    assert Payment.objects.get(pk=payment_id).status == Payment.Status.PAID  # nothing refunded
    manager = deposit_salon.managers.get()
    assert Notification.objects.filter(recipient=manager, kind="grooming.booking_rescheduled").exists()
    assert "Dipindah dari" in moved.events.last().note or "Moved from" in moved.events.last().note


@pytest.mark.django_db
def test_reschedule_by_an_hour_overlapping_its_own_time_is_allowed(deposit_salon, owner):
    booking = _paid_deposit_booking(owner, deposit_salon)
    later = booking.starts_at + dt.timedelta(minutes=30)  # overlaps the old slot: not a conflict with itself
    assert services.booking_reschedule(booking=booking, by=owner, starts_at=later).starts_at == later


@pytest.mark.django_db
def test_reschedule_to_a_taken_time_or_by_someone_else_or_too_late_is_refused(
    deposit_salon, owner, other_member
):
    booking = _paid_deposit_booking(owner, deposit_salon)
    _paid_deposit_booking(other_member, deposit_salon, hour=14)
    with pytest.raises(services.SlotTaken):
        services.booking_reschedule(booking=booking, by=owner, starts_at=tomorrow_at(deposit_salon, 14))
    with pytest.raises(PermissionDenied):
        services.booking_reschedule(
            booking=booking, by=other_member, starts_at=tomorrow_at(deposit_salon, 16)
        )
    soon = BookingFactory(
        service=deposit_salon.services.get(), member=owner, status=Booking.Status.CONFIRMED,
        starts_at=timezone.now() + dt.timedelta(hours=1),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.booking_reschedule(booking=soon, by=owner, starts_at=tomorrow_at(deposit_salon, 16))
    booking.refresh_from_db()
    assert booking.starts_at == tomorrow_at(deposit_salon, 10)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_moves_a_booking_on_a_phone(live_asgi_server, browser):
    base = live_asgi_server
    manager = SalonManagerFactory()
    salon = SalonFactory(deposit_amount=50_000)
    salon.managers.add(manager)
    ServiceFactory(salon=salon, species="cat", duration_minutes=60)
    member = factories.VerifiedMemberFactory()
    booking = _paid_deposit_booking(member, salon)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, base, member)
    page.goto(f"{base}/grooming/bookings/{booking.pk}/")
    page.click("#reschedule-booking")
    page.wait_for_load_state()
    assert "DP Anda tetap melekat pada booking" in page.locator("main").inner_text()
    page.check("#reschedule-form input[value='" + tomorrow_at(salon, 15).isoformat() + "']")
    page.click("#reschedule-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base}/grooming/bookings/{booking.pk}/"
    assert "Menunggu konfirmasi salon" in page.locator("#booking-status").inner_text()
    booking.refresh_from_db()
    assert booking.starts_at == tomorrow_at(salon, 15) and booking.payment.status == Payment.Status.PAID
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
