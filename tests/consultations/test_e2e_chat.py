"""Owner (phone) and vet (desktop) chat in two real Chromium contexts on the live ASGI server."""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Consultation, Message
from tests.conftest import login_in_browser
from tests.consultations.chat_support import make_consultation
from tests.factories import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_owner_and_vet_chat_live_then_vet_ends_with_summary(
    live_asgi_server, browser, phone_context, owner, vet
):
    base = live_asgi_server
    consultation = make_consultation(owner, vet)
    room = f"{base}/consultations/{consultation.pk}/"

    owner_page = phone_context.new_page()
    login_in_browser(owner_page, base, owner)
    owner_page.goto(room)
    vet_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    vet_page = vet_context.new_page()
    login_in_browser(vet_page, base, vet)
    vet_page.goto(room)

    # Presence: each side sees the other online.
    expect(owner_page.locator("[data-presence-dot]")).to_have_class(re.compile(r"\bonline\b"))
    expect(vet_page.locator("[data-presence-dot]")).to_have_class(re.compile(r"\bonline\b"))

    # The owner writes; the vet sees it.
    owner_page.fill("#chat-input", "Dok, kucing saya muntah sejak pagi")
    owner_page.click(".chat-compose button[type=submit]")
    expect(vet_page.locator(".chat-log .msg-theirs .msg-body")).to_have_text(
        ["Dok, kucing saya muntah sejak pagi"]
    )
    expect(owner_page.locator(".chat-log .msg-mine")).to_have_count(1)

    # Read receipt: the vet's page is visible, so it reports the message read.
    expect(owner_page.locator(".msg-mine").first).to_have_attribute("data-state", "read")

    # Typing indicator on the owner's phone while the vet types.
    vet_page.locator("#chat-input").press_sequentially("Sudah berapa kali", delay=20)
    expect(owner_page.locator("[data-typing]")).to_be_visible()
    vet_page.click(".chat-compose button[type=submit]")
    expect(owner_page.locator(".msg-theirs .msg-body")).to_have_text(["Sudah berapa kali"])
    expect(owner_page.locator("[data-typing]")).to_be_hidden()

    # A photo from the owner reaches the vet and loads through the checking view.
    owner_page.set_input_files(
        "[data-photo-input]",
        files=[{"name": "muntah.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}],
    )
    photo = vet_page.locator(".msg-theirs img.msg-photo")
    expect(photo).to_have_count(1)
    vet_page.wait_for_function(
        "() => { const i = document.querySelector('.msg-theirs img.msg-photo');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )

    # The owner reloads: the history is still there, in order, rendered by the server.
    owner_page.reload()
    expect(owner_page.locator(".chat-log .msg")).to_have_count(3)
    expect(owner_page.locator(".chat-log .msg .msg-body").first).to_have_text(
        "Dok, kucing saya muntah sejak pagi"
    )
    expect(owner_page.locator("[data-presence-dot]")).to_have_class(re.compile(r"\bonline\b"))
    assert owner_page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll on a phone

    # The vet ends the consultation with a summary; the owner's room closes live.
    vet_page.click("details.cp-action:has(form[action$='/end/']) > summary")
    vet_page.fill("form[action$='/end/'] textarea[name=summary]", "Beri makanan basah sedikit-sedikit.")
    vet_page.click("form[action$='/end/'] button[type=submit]")
    expect(owner_page.locator("[data-compose]")).to_be_hidden()
    expect(owner_page.locator("[data-banner]")).to_be_visible()
    expect(owner_page.locator(".cp-summary")).to_contain_text("Beri makanan basah")  # panel refreshed live
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ENDED
    assert consultation.summary == "Beri makanan basah sedikit-sedikit."
    assert Message.objects.filter(consultation=consultation).count() == 3
    owner_page.reload()
    expect(owner_page.locator(".cp-summary")).to_contain_text("Beri makanan basah")
    vet_context.close()
