"""Item 18 of issue 15: contact phone numbers are tap-to-call links, and a salon manager reaches their
salon's dashboard from the account menu."""

import pytest

from tests import factories
from tests.conftest import login_in_browser
from tests.grooming.factories import BookingFactory, SalonFactory, SalonManagerFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phones_are_tel_links_and_managers_have_a_dashboard_entry(live_asgi_server, browser):
    base = live_asgi_server
    manager = SalonManagerFactory()
    salon = SalonFactory(phone="+6281234567890")
    salon.managers.add(manager)
    member = factories.VerifiedMemberFactory(phone="+6281299990000")
    booking = BookingFactory(service=ServiceFactory(salon=salon), member=member)

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{base}/grooming/{salon.slug}/")
    assert page.locator("a[href='tel:+6281234567890']").is_visible()
    assert "Telepon +62 812-3456-7890" in page.locator("main").inner_text()  # grouped for reading

    login_in_browser(page, base, manager)
    page.goto(f"{base}/grooming/bookings/{booking.pk}/")
    assert page.locator("a[href='tel:+6281299990000']").inner_text() == "+62 812-9999-0000"
    page.click(".menu-button")
    page.click(".account-menu > summary")
    entry = page.locator(".account-links a[href='/grooming/manage/']")
    assert entry.is_visible() and entry.inner_text() == "Dasbor salon"
    entry.click()
    page.wait_for_load_state()
    assert page.url == f"{base}/grooming/manage/"
    context.close()


@pytest.mark.django_db
def test_members_without_a_salon_have_no_dashboard_entry(client_for, owner):
    assert "/grooming/manage/" not in client_for(owner).get("/").content.decode()
