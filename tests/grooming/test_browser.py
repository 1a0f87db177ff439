"""End to end on a phone: find an open cat salon under a price, book, confirm, complete, review."""

import datetime as dt

import pytest
from django.utils import timezone

from grooming.models import Booking, Review
from tests.conftest import login_in_browser
from tests.factories import regency
from tests.grooming.factories import SalonFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ALL_DAY = [(d, "00:00", "23:59") for d in range(7)]


def test_member_books_manager_confirms_member_reviews(
    live_asgi_server, browser, phone_context, owner, salon_manager
):
    base = live_asgi_server
    salon = SalonFactory(
        name="Pawfect Grooming Bandung",
        slug="pawfect-grooming-bandung",
        city=regency("32.73"),
        open_hours=ALL_DAY,
    )
    salon.managers.add(salon_manager)
    cat = ServiceFactory(salon=salon, name="Mandi kucing", species="cat", price=80_000, duration_minutes=60)
    ServiceFactory(salon=salon, name="Grooming anjing", species="dog", price=200_000)
    dear = SalonFactory(name="Salon Mahal", city=regency("32.73"), open_hours=ALL_DAY)
    ServiceFactory(salon=dear, species="cat", price=400_000)

    page = phone_context.new_page()
    login_in_browser(page, base, owner)
    page.goto(f"{base}/grooming/")
    page.select_option("select[name=city]", "32.73")
    page.select_option("select[name=species]", "cat")
    page.fill("input[name=max_price]", "100000")
    page.check("input[name=open_now]")
    page.click(".grooming-filters button[type=submit]")
    page.wait_for_load_state()
    cards = page.locator("#salon-list .salon-card")
    assert cards.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    cards.first.click()
    page.wait_for_url(f"{base}/grooming/{salon.slug}/")
    assert page.locator("#open-state.status-open").count() == 1
    page.click(f"#services a[href$='?service={cat.pk}']")
    tomorrow = (timezone.now().astimezone(salon.tz) + dt.timedelta(days=1)).date().isoformat()
    page.click(f".day-picker a[href*='date={tomorrow}']")
    page.wait_for_load_state()
    slot = page.locator("input[name=slot]").nth(12)  # some time tomorrow
    chosen = slot.get_attribute("value")
    slot.check()
    page.fill("input[name=pet_name]", "Mochi")
    page.click("#booking-form button[type=submit]")
    page.wait_for_load_state()
    booking = Booking.objects.get()
    assert page.url == f"{base}/grooming/bookings/{booking.pk}/"
    assert booking.status == Booking.Status.REQUESTED and booking.pet_name == "Mochi"
    assert booking.starts_at == dt.datetime.fromisoformat(chosen)

    manager_page = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    login_in_browser(manager_page, base, salon_manager)
    manager_page.goto(f"{base}/grooming/bookings/")
    manager_page.click(f"#salon-bookings a[href='/grooming/bookings/{booking.pk}/']")
    manager_page.click("#confirm-booking")
    manager_page.wait_for_load_state()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    # The visit happens (move it into the past), then the manager closes it.
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2), ends_at=timezone.now() - dt.timedelta(hours=1)
    )
    manager_page.reload()
    manager_page.click("#complete-booking")
    manager_page.wait_for_load_state()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED

    page.goto(f"{base}/grooming/bookings/{booking.pk}/")
    page.click("#write-review")
    page.check("input[name=rating][value='5']")
    page.fill("textarea[name=text]", "Mochi wangi sekali, groomernya sabar.")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/grooming/{salon.slug}/")
    assert page.locator("#reviews").inner_text().count("Mochi wangi sekali") == 1
    assert Review.objects.get().rating == 5


def test_deposit_is_paid_through_the_payment_page(live_asgi_server, phone_context, owner, salon_manager):
    """Book at a salon that asks a deposit, pay it in the simulator, the booking goes to the salon."""
    base = live_asgi_server
    salon = SalonFactory(name="Guguk Spa", slug="guguk-spa", open_hours=ALL_DAY, deposit_amount=50_000)
    salon.managers.add(salon_manager)
    cat = ServiceFactory(salon=salon, species="cat", price=120_000)
    page = phone_context.new_page()
    login_in_browser(page, base, owner)
    tomorrow = (timezone.now().astimezone(salon.tz) + dt.timedelta(days=1)).date().isoformat()
    page.goto(f"{base}/grooming/{salon.slug}/book/?service={cat.pk}&date={tomorrow}")
    page.locator("input[name=slot]").nth(20).check()
    page.fill("input[name=pet_name]", "Kiko")
    page.click("#booking-form button[type=submit]")
    page.wait_for_load_state()
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.AWAITING_PAYMENT
    assert page.url == f"{base}/payments/{booking.payment_id}/"
    page.click(".pay-form button[type=submit]")
    page.click("button[name=choice][value=pay]")
    page.wait_for_load_state()
    for _ in range(50):  # the notification and the finish page's status check arrive asynchronously
        booking.refresh_from_db()
        if booking.status != Booking.Status.AWAITING_PAYMENT:
            break
        page.wait_for_timeout(200)
    assert booking.status == Booking.Status.REQUESTED
    page.goto(f"{base}/grooming/bookings/{booking.pk}/")
    assert page.locator("#booking-status.status-requested").count() == 1
