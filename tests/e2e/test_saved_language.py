"""Item 6 of issue 15 in a real browser at phone size: the ID/EN switch of a member is saved to their
profile (another device opens in it, e-mails follow it) and notifications are shown in the language the
reader uses now, including ones stored before the switch."""

import pytest
from playwright.sync_api import expect

from notifications.models import OutgoingEmail
from notifications.services import notify
from tests.conftest import login_in_browser
from tests.consultations.chat_support import make_consultation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def close_greenlet_connections():
    from django.db import connections

    connections.close_all()


def test_switch_is_saved_and_notifications_follow_the_reader(live_asgi_server, browser, owner, vet):
    try:
        base = live_asgi_server
        consultation = make_consultation(owner, vet)
        notify(
            owner,
            kind="consultations.accepted",
            context={"consultation": consultation},
            url="/c/",
            email=False,
        )

        phone = browser.new_context(viewport={"width": 360, "height": 740})
        page = phone.new_page()
        login_in_browser(page, base, owner)
        page.goto(f"{base}/notifications/")
        title = page.locator(".notif-title").first
        expect(title).to_have_text("drh. Ayu Pratiwi telah menerima konsultasi Anda")

        page.click(".menu-button")
        page.click(".lang-switch button[value=en]")
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(title).to_have_text("drh. Ayu Pratiwi accepted your consultation")  # the same stored row
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        owner.refresh_from_db()
        assert owner.language == "en"

        # Another device, no cookie: English from the first page after logging in.
        laptop = browser.new_context(viewport={"width": 1280, "height": 900})
        other = laptop.new_page()
        login_in_browser(other, base, owner)
        other.goto(f"{base}/notifications/")
        expect(other.locator("html")).to_have_attribute("lang", "en")
        expect(other.locator(".notif-title").first).to_have_text(
            "drh. Ayu Pratiwi accepted your consultation"
        )

        # E-mails from now on are in English too.
        notify(owner, kind="accounts.identity_approved", context={"verification": None})
        assert OutgoingEmail.objects.get().subject == "Your identity verification was approved"

        # Back to Indonesian on the laptop: the phone follows on its next page.
        other.click(".lang-switch button[value=id]")
        other.wait_for_load_state()
        expect(other.locator("html")).to_have_attribute("lang", "id")
        page.goto(f"{base}/notifications/")
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(page.locator(".notif-title").last).to_have_text(
            "drh. Ayu Pratiwi telah menerima konsultasi Anda"
        )
        phone.close()
        laptop.close()
    finally:
        close_greenlet_connections()
