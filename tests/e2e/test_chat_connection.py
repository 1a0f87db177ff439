"""Item 2 of issue 15: losing the network is visible in the chat.

A connection line (role=status, aria-live) says "offline" / "reconnecting"; the other side is shown
offline when their connection goes; a message without an acknowledgement turns into "Gagal terkirim —
coba lagi" after a timeout; one tap resends it with the same client_id; queued ones go out on reconnect.
"""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Message
from tests.conftest import login_in_browser
from tests.consultations.chat_support import make_consultation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def close_greenlet_connections():
    from django.db import connections

    connections.close_all()


def _open_room(browser, base, user, room, *, language, width):
    user.language = language
    user.save(update_fields=["language"])
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    login_in_browser(page, base, user)
    page.goto(room)
    return context, page


def _online(page):
    expect(page.locator("[data-presence-dot]")).to_have_class(re.compile(r"\bonline\b"))


@pytest.mark.parametrize(
    "language, offline_text, failed_text, sent_text, read_text",
    [
        ("id", "Anda sedang offline", "Gagal terkirim — coba lagi", "Terkirim", "Sudah dibaca"),
        ("en", "You are offline", "Not sent — try again", "Sent", "Read"),
    ],
)
def test_offline_banner_failed_message_and_resend_on_reconnect(
    live_asgi_server, browser, owner, vet, language, offline_text, failed_text, sent_text, read_text
):
    try:
        base = live_asgi_server
        consultation = make_consultation(owner, vet)
        room = f"{base}/consultations/{consultation.pk}/"
        owner_context, page = _open_room(browser, base, owner, room, language=language, width=360)
        vet_context, vet_page = _open_room(browser, base, vet, room, language="id", width=1280)
        _online(page)
        _online(vet_page)
        connection = page.locator("[data-connection]")
        assert connection.get_attribute("aria-live") == "polite"
        assert connection.get_attribute("role") == "status"
        expect(connection).to_be_hidden()

        chat = "document.getElementById('chat').dataset"
        page.evaluate(f"Object.assign({chat}, {{sendTimeout: '1500', backNotice: '300'}})")
        owner_context.set_offline(True)
        expect(connection).to_be_visible()
        expect(connection).to_contain_text(offline_text)
        # Without a connection the other side's state is unknown: no stale "Online".
        expect(page.locator("[data-presence-dot]")).not_to_have_class(re.compile(r"\bonline\b"))

        page.fill("#chat-input", "Halo dok, masih di sana?")
        page.click(".chat-compose button[type=submit]")
        mine = page.locator(".chat-log .msg-mine")
        expect(mine).to_have_count(1)
        retry = mine.locator("button.msg-retry")
        expect(retry).to_have_text(failed_text)  # not "Mengirim…" forever
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        # Back online: the queued message goes out by itself (same client_id), once.
        owner_context.set_offline(False)
        # Sent, or already read: the vet's open room reads it as it arrives.
        expect(mine.locator(".msg-state")).to_have_text(re.compile(f"{sent_text}|{read_text}"))
        expect(vet_page.locator(".msg-theirs .msg-body")).to_have_text(["Halo dok, masih di sana?"])
        expect(connection).to_be_hidden(timeout=8000)  # "connected again" shows briefly, then goes
        assert Message.objects.filter(consultation=consultation, body="Halo dok, masih di sana?").count() == 1
        _online(page)
        owner_context.close()
        vet_context.close()
    finally:
        close_greenlet_connections()


def test_one_tap_retry_resends_with_the_same_client_id(live_asgi_server, browser, owner, vet):
    try:
        base = live_asgi_server
        consultation = make_consultation(owner, vet)
        room = f"{base}/consultations/{consultation.pk}/"
        context, page = _open_room(browser, base, owner, room, language="id", width=360)
        _online_or_connected(page)
        # The first message.send frame is lost on the way (a flaky network): nothing acknowledges it.
        page.evaluate(
            """() => {
              const chat = document.getElementById('chat');
              chat.dataset.sendTimeout = '1500';
              const original = WebSocket.prototype.send;
              window.droppedClientIds = [];
              WebSocket.prototype.send = function (data) {
                const frame = JSON.parse(data);
                if (frame.type === 'message.send' && window.droppedClientIds.length === 0) {
                  window.droppedClientIds.push(frame.client_id);
                  return;
                }
                return original.call(this, data);
              };
            }"""
        )
        page.fill("#chat-input", "Kucing saya muntah")
        page.click(".chat-compose button[type=submit]")
        retry = page.locator(".msg-mine button.msg-retry")
        expect(retry).to_have_text("Gagal terkirim — coba lagi")
        assert Message.objects.filter(consultation=consultation).count() == 0

        retry.click()
        expect(page.locator(".msg-mine .msg-state")).to_have_text("Terkirim")
        dropped = page.evaluate("window.droppedClientIds[0]")
        stored = Message.objects.get(consultation=consultation)
        assert str(stored.client_id) == dropped  # the retry is the same message, not a new one
        assert page.locator(".msg-mine").get_attribute("data-client-id") == dropped
        context.close()
    finally:
        close_greenlet_connections()


def _online_or_connected(page):
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "")


def test_the_other_side_is_shown_offline_when_their_connection_goes(live_asgi_server, browser, owner, vet):
    try:
        base = live_asgi_server
        consultation = make_consultation(owner, vet)
        room = f"{base}/consultations/{consultation.pk}/"
        owner_context, page = _open_room(browser, base, owner, room, language="en", width=360)
        vet_context, vet_page = _open_room(browser, base, vet, room, language="en", width=1280)
        _online(page)
        label = page.locator("[data-presence-label]")
        expect(label).to_have_text("Online")

        vet_context.set_offline(True)  # the vet's laptop loses Wi-Fi
        expect(vet_page.locator("[data-connection]")).to_contain_text("You are offline")
        expect(label).to_have_text("Offline", timeout=10000)
        expect(page.locator("[data-presence-dot]")).not_to_have_class(re.compile(r"\bonline\b"))

        vet_context.set_offline(False)  # and gets it back
        expect(label).to_have_text("Online", timeout=15000)
        owner_context.close()
        vet_context.close()
    finally:
        close_greenlet_connections()
