"""Item 5 of issue 15 in the browser: a member in Bali sees times in WITA with the label, in the format
of the language they picked; a visitor sees WIB."""

import datetime as dt

import pytest

from notifications.models import Notification
from notifications.services import notify
from tests import factories
from tests.conftest import login_in_browser
from tests.grooming.factories import SalonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bali_member_sees_wita_in_each_language_and_a_visitor_sees_wib(live_asgi_server, browser):
    base = live_asgi_server
    member = factories.UserFactory(city=factories.regency("51.71"), language="id")  # Kota Denpasar
    notify(member, kind="accounts.identity_approved", context={"verification": None}, email=False)
    Notification.objects.update(created_at=dt.datetime(2026, 12, 3, 6, 20, tzinfo=dt.UTC))

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, base, member)
    page.goto(f"{base}/notifications/")
    assert page.locator(".notif-meta time").first.inner_text() == "3 Des 2026 14.20 WITA"

    page.click(".menu-button")
    page.click(".lang-switch button[value=en]")
    page.wait_for_load_state()
    assert page.locator(".notif-meta time").first.inner_text() == "3 Dec 2026, 2:20 pm WITA"
    context.close()

    salon = SalonFactory(city=factories.regency("32.73"))
    visitor = browser.new_context(viewport={"width": 360, "height": 740})
    page = visitor.new_page()
    page.goto(f"{base}/grooming/{salon.slug}/")
    local = page.locator("main").inner_text()
    assert "Waktu setempat" in local and " WIB" in local
    visitor.close()
