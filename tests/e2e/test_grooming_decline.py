"""Item 11 of issue 15: declining without a reason keeps the manager on the booking's own address with
the error shown once next to the decline form; the member's notification names the zone inside the
sentence, mentions a refund only when a deposit was paid, and never doubles a full stop."""

import pytest

from grooming import services
from grooming.models import Booking
from notifications.models import Notification
from tests import factories
from tests.conftest import login_in_browser
from tests.grooming.factories import (
    BookingFactory,
    SalonFactory,
    SalonManagerFactory,
    ServiceFactory,
    tomorrow_at,
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_declines_on_a_phone(live_asgi_server, browser):
    base = live_asgi_server
    manager = SalonManagerFactory()
    salon = SalonFactory(city=factories.regency("51.71"))  # Denpasar: WITA
    salon.managers.add(manager)
    member = factories.VerifiedMemberFactory()
    booking = BookingFactory(service=ServiceFactory(salon=salon), member=member)

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, base, manager)
    page.goto(f"{base}/grooming/bookings/{booking.pk}/")
    page.fill("#decline-reason", "   ")  # passes the browser's "required", not the server
    page.click("form[action$='/decline/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base}/grooming/bookings/{booking.pk}/"
    assert page.locator("main").inner_text().count("Berikan alasan kepada pemesan.") == 1
    error = page.locator("form[action$='/decline/'] #action-error")
    assert error.is_visible()

    page.fill("#decline-reason", "Groomer kami sakit hari itu.")
    page.click("form[action$='/decline/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base}/grooming/bookings/{booking.pk}/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    context.close()

    text = Notification.objects.get(recipient=member, kind="grooming.booking_declined").body
    assert "WITA." in text and "(WIB)" not in text and "(WITA)" not in text
    assert "Groomer kami sakit hari itu." in text and ".." not in text
    assert "DP" not in text and "dikembalikan" not in text


@pytest.mark.django_db
def test_declined_deposit_booking_says_the_deposit_is_refunded():
    manager = SalonManagerFactory()
    salon = SalonFactory(deposit_amount=50_000)
    salon.managers.add(manager)
    member = factories.VerifiedMemberFactory()
    booking = services.booking_create(
        member=member, service=ServiceFactory(salon=salon), starts_at=tomorrow_at(salon, 10),
        pet_name="Mochi", pet_species="cat",
    )  # fmt: skip
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.REQUESTED)  # the deposit was paid
    booking.refresh_from_db()
    services.booking_decline(booking=booking, by=manager, reason="Tutup.")
    text = Notification.objects.get(recipient=member, kind="grooming.booking_declined").body
    assert "DP Anda sebesar Rp 50.000 dikembalikan" in text
    assert "Alasan: Tutup." in text and ".." not in text
