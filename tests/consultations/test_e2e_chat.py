"""Owner (phone) and vet (desktop) chat in two real Chromium contexts on the live ASGI server."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from consultations.models import Consultation, Message
from tests.conftest import _free_port, login_in_browser
from tests.consultations.chat_support import make_consultation, server_env, start_server, stop_server
from tests.factories import image_bytes


def close_greenlet_connections():
    """ORM calls made while Playwright's sync API runs use a connection of their own (asgiref's Local
    follows the greenlet's context). Close it at the end of the test: otherwise live_asgi_server's
    teardown terminates it and the next browser test's body inherits a dead connection."""
    from django.db import connections

    connections.close_all()


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_owner_and_vet_chat_live_then_vet_ends_with_summary(
    owner, vet, live_asgi_server, browser, phone_context
):
    try:
        _chat_scenario(live_asgi_server, browser, phone_context, owner, vet)
    finally:
        close_greenlet_connections()


def _chat_scenario(live_asgi_server, browser, phone_context, owner, vet):
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
    vet_page.fill("form[action$='/end/'] textarea[name=assessment]", "Beri makanan basah sedikit-sedikit.")
    vet_page.click("form[action$='/end/'] button[type=submit]")
    expect(owner_page.locator("[data-compose]")).to_be_hidden()
    expect(owner_page.locator("[data-banner]")).to_be_visible()
    expect(owner_page.locator(".cp-summary")).to_contain_text("Beri makanan basah")  # panel refreshed live
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ENDED
    assert consultation.assessment == "Beri makanan basah sedikit-sedikit."
    assert Message.objects.filter(consultation=consultation).count() == 3
    owner_page.reload()
    expect(owner_page.locator(".cp-summary")).to_contain_text("Beri makanan basah")
    vet_context.close()


def test_page_reconnects_after_a_server_restart_and_loses_nothing(owner, vet, settings, tmp_path, browser):
    """The server goes away: a message typed meanwhile waits as "sending"; a message stored meanwhile
    (as if through another server) is fetched by the sync after the reconnect; nothing is doubled."""

    port = _free_port()
    env = server_env(settings)
    base = f"http://127.0.0.1:{port}"
    consultation = make_consultation(owner, vet)
    proc, log = start_server(port, env, tmp_path / "first.log")
    try:
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        login_in_browser(page, base, owner)
        page.goto(f"{base}/consultations/{consultation.pk}/")
        expect(page.locator("[data-connection]")).to_be_hidden()  # connected and synced
        # "connected again" stays up 300 ms instead of 3 s
        page.evaluate("document.getElementById('chat').dataset.backNotice = '300'")

        stop_server(proc, log)
        expect(page.locator("[data-connection]")).to_contain_text("Menghubungkan kembali")  # "reconnecting"
        page.fill("#chat-input", "Terkirim setelah tersambung lagi")
        page.click(".chat-compose button[type=submit]")
        expect(page.locator(".msg-mine")).to_have_attribute("data-state", "sending")
        Message.objects.create(
            consultation=consultation, sender=vet, client_id=uuid.uuid4(), body="Dari server lain"
        )

        proc, log = start_server(port, env, tmp_path / "second.log")
        expect(page.locator(".msg-theirs .msg-body")).to_have_text(["Dari server lain"], timeout=20_000)
        expect(page.locator(".msg-mine[data-id]")).to_have_count(1, timeout=20_000)
        expect(page.locator("[data-connection]")).to_be_hidden(timeout=8000)  # "connected again", then gone
        assert list(Message.objects.filter(consultation=consultation).values_list("body", flat=True)) == [
            "Dari server lain",
            "Terkirim setelah tersambung lagi",
        ]
        context.close()
    finally:
        if not log.closed:
            stop_server(proc, log)
        close_greenlet_connections()
