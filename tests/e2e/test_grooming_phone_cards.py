"""Item 8 of issue 15: on a 360 px phone the services of a salon and "My bookings" are cards whose price
and status are in view without swiping; on a desktop they stay tables."""

import datetime as dt

import pytest
from django.utils import timezone

from grooming import services
from tests import factories
from tests.conftest import login_in_browser
from tests.grooming.factories import SalonFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _inside_viewport(locator, width):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_services_and_bookings_are_cards_on_a_phone_and_tables_on_a_desktop(live_asgi_server, browser):
    base = live_asgi_server
    salon = SalonFactory(name="Salon Dengan Nama Yang Cukup Panjang Sekali")
    ServiceFactory(salon=salon, name="Grooming lengkap dengan potong kuku dan bersih telinga", price=350_000)
    service = ServiceFactory(salon=salon, name="Mandi kucing", price=80_000)
    member = factories.VerifiedMemberFactory()
    start = (
        (timezone.now() + dt.timedelta(days=1))
        .astimezone(salon.tz)
        .replace(hour=10, minute=0, second=0, microsecond=0)
    )
    services.booking_create(
        member=member, service=service, starts_at=start, pet_name="Mochi", pet_species="cat"
    )

    phone = browser.new_context(viewport={"width": 360, "height": 740})
    page = phone.new_page()
    login_in_browser(page, base, member)
    page.goto(f"{base}/grooming/{salon.slug}/")
    prices = page.locator("#services .service-price")
    assert prices.count() == 2
    for i in range(2):
        assert prices.nth(i).is_visible() and _inside_viewport(prices.nth(i), 360)
    assert "Rp 350.000" in prices.nth(0).inner_text() or "Rp 350.000" in prices.nth(1).inner_text()
    assert page.locator("#services thead").bounding_box()["height"] <= 1  # column heads become cell labels
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(f"{base}/grooming/bookings/")
    status = page.locator("#my-bookings .status").first
    assert status.is_visible() and _inside_viewport(status, 360)
    assert status.inner_text() == "Menunggu konfirmasi salon"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.close()

    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    login_in_browser(page, base, member)
    page.goto(f"{base}/grooming/{salon.slug}/")
    assert page.locator("#services thead").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('#services tr')).display") == "table-row"
    desktop.close()
