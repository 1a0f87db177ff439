"""Item 10 of issue 15: a search for "kucing" finds salons that groom cats (not dog-only salons whose
description mentions cats); the home page has a salon strip; "Home service" speaks Indonesian; the review
form is offered only when a review is possible."""

import pytest

from grooming.models import Booking
from grooming.selectors import split_species
from tests import factories
from tests.conftest import login_in_browser
from tests.grooming.factories import BookingFactory, SalonFactory, ServiceFactory


@pytest.mark.parametrize(
    "q, expected",
    [("kucing", ("cat", "")), ("Kucing Bandung", ("cat", "Bandung")), ("anak anjing", ("dog", "")),
     ("salon guguk", ("dog", "salon")), ("pawfect", ("", "pawfect")), ("kelinci", ("rabbit", ""))],
)  # fmt: skip
def test_a_species_in_the_search_becomes_a_species_filter(q, expected):
    assert split_species(q) == expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cat_search_home_strip_and_review_offer_on_a_phone(live_asgi_server, browser):
    base = live_asgi_server
    dog_only = SalonFactory(name="Guguk Spa", description="Khusus anjing, bukan kucing.")
    ServiceFactory(salon=dog_only, species="dog", name="Mandi anjing")
    cats = SalonFactory(name="Meong House", home_service=True, description="Salon hewan.")
    ServiceFactory(salon=cats, species="cat", name="Mandi kucing")
    member = factories.VerifiedMemberFactory(city=None)

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{base}/grooming/?q=kucing&city=")
    names = page.locator("#salon-list .salon-card h2").all_inner_texts()
    assert names == ["Meong House"]
    assert "Layanan ke rumah" in page.locator("#salon-list").inner_text()

    page.goto(f"{base}/")
    strip = page.locator("#home-salons .salon-card")
    assert strip.count() == 2 and strip.first.is_visible()

    login_in_browser(page, base, member)
    booking = BookingFactory(service=cats.services.get(), member=member, status=Booking.Status.CONFIRMED)
    page.goto(f"{base}/grooming/bookings/{booking.pk}/")
    assert page.locator("#write-review").count() == 0
    page.goto(f"{base}/grooming/bookings/{booking.pk}/review/")
    assert page.url == f"{base}/grooming/bookings/{booking.pk}/"
    assert "setelah kunjungan selesai" in page.locator(".messages").inner_text()

    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.COMPLETED)
    page.goto(f"{base}/grooming/bookings/{booking.pk}/")
    page.click("#write-review")
    page.check("input[name=rating][value='5']")
    page.fill("textarea[name=text]", "Rapi dan ramah")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/grooming/bookings/{booking.pk}/")
    assert page.locator("#write-review").count() == 0
    assert "Rapi dan ramah" in page.locator("main").inner_text()
    context.close()
