"""Items 3 and 4 of issue 15, in two real browsers on the live ASGI server.

4. After paying (through the Midtrans simulator) the owner lands in the chat room, not on a status page.
3. The vet's open dashboard shows the new paid consultation without a reload, its tab title flashes and a
   short chime plays (unless switched off in the profile); the owner's room follows the vet's accept and
   end by itself — no "reload the page" prompt — and the closing summary appears without a reload.
"""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Consultation
from tests.conftest import login_in_browser
from tests.consultations.factories import VetProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COUNT_PLAYS = """
window.__plays = 0;
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () { window.__plays += 1; return play.call(this); };
"""

TEXTS = {
    "id": {
        "paid": "Terima kasih, pembayaran Anda telah selesai.",
        "accepted": "Dokter hewan telah menerima konsultasi.",
        "ended": "Konsultasi telah selesai.",
        "nobody": "Tidak ada yang menunggu",
    },
    "en": {
        "paid": "Thank you, your payment is complete.",
        "accepted": "The vet has accepted. You can chat now.",
        "ended": "The consultation has ended.",
        "nobody": "Nobody is waiting",
    },
}


def close_greenlet_connections():
    from django.db import connections

    connections.close_all()


def _species_pk():
    from pets.models import Species

    return Species.objects.get(slug="cat").pk


@pytest.mark.parametrize("language, sound, width", [("id", True, 360), ("en", False, 1280)])
def test_paid_consultation_lands_in_the_room_and_both_pages_follow_live(
    live_asgi_server, browser, owner, vet, language, sound, width
):
    try:
        _scenario(live_asgi_server, browser, owner, vet, language, sound, width)
    finally:
        close_greenlet_connections()


def _scenario(base, browser, owner, vet, language, sound, width):
    texts = TEXTS[language]
    for person in (owner, vet):
        person.language = language
    vet.request_sound = sound
    vet.save(update_fields=["language", "request_sound"])
    owner.save(update_fields=["language"])
    VetProfileFactory(user=vet, fee=75_000)

    # The vet keeps the dashboard open.
    vet_context = browser.new_context(viewport={"width": width, "height": 900})
    vet_context.add_init_script(COUNT_PLAYS)
    vet_page = vet_context.new_page()
    login_in_browser(vet_page, base, vet)
    vet_page.goto(f"{base}/vets/me/")
    queue = vet_page.locator("#vet-queue")
    expect(queue).to_contain_text(texts["nobody"])
    vet_title = vet_page.title()
    vet_page.wait_for_timeout(500)  # the notification socket connects

    # The owner opens a consultation and pays through the simulator on a phone.
    owner_context = browser.new_context(viewport={"width": 360, "height": 740})
    owner_page = owner_context.new_page()
    login_in_browser(owner_page, base, owner)
    owner_page.goto(f"{base}/vets/{vet.pk}/consult/")
    owner_page.check("input[name=pet][value=new]")
    owner_page.fill("input[name=new_name]", "Kiko")
    owner_page.select_option("select[name=new_species]", value=str(_species_pk()))
    owner_page.fill("input[name=age_estimate_months]", "12")
    owner_page.fill("textarea[name=complaint]", "Bulu rontok.")
    owner_page.click("main button[type=submit]")
    owner_page.wait_for_url(f"{base}/payments/**")
    owner_page.click("button.pay-btn")
    owner_page.wait_for_url("**/payments/simulator/snap/v2/vtweb/**")
    owner_page.click("button[name=choice][value=pay]")

    # 4: straight into the chat room, with the payment confirmed there.
    consultation = Consultation.objects.get()
    room = f"{base}/consultations/{consultation.pk}/"
    owner_page.wait_for_url(room)
    expect(owner_page.locator(".messages")).to_contain_text(texts["paid"])
    expect(owner_page.locator("#consultation-panel")).to_have_attribute("data-status", "waiting")
    expect(owner_page.locator("[data-compose]")).to_be_visible()  # the owner may already write
    assert owner_page.evaluate("document.documentElement.scrollWidth") <= 360
    owner_page.evaluate("window.__samePage = true")  # gone if anything reloads the page

    # 3: the vet's queue shows it without a reload; the title flashes; the chime plays if wanted.
    expect(queue.locator("a", has_text="Kiko")).to_be_visible()
    expect(vet_page).to_have_title(re.compile("^\u25cf "))
    vet_page.wait_for_timeout(300)
    assert vet_page.evaluate("window.__plays") == (1 if sound else 0)
    vet_page.mouse.click(5, 5)  # the vet is back: the title stops flashing
    expect(vet_page).to_have_title(re.compile(re.escape(vet_title.split(") ")[-1]) + "$"))

    # The vet accepts: the owner's room follows by itself.
    queue.locator("a", has_text="Kiko").click()
    vet_page.click(f"form[action='/consultations/{consultation.pk}/accept/'] button")
    vet_page.wait_for_selector("#consultation-panel[data-status=active]")
    expect(owner_page.locator("#consultation-panel")).to_have_attribute("data-status", "active")
    banner = owner_page.locator("[data-banner]")
    expect(banner).to_contain_text(texts["accepted"])
    assert banner.locator("a").count() == 0  # no "reload the page"

    # The vet ends with a summary: it appears in the owner's room without a reload.
    vet_page.click("details.cp-action:has(form[action$='/end/']) > summary")
    vet_page.fill("form[action$='/end/'] textarea[name=assessment]", "Kutu. Beri obat tetes.")
    vet_page.click("form[action$='/end/'] button[type=submit]")
    expect(owner_page.locator(".cp-summary")).to_contain_text("Kutu. Beri obat tetes.")
    expect(owner_page.locator("#consultation-panel")).to_have_attribute("data-status", "ended")
    expect(banner).to_have_text(texts["ended"])
    assert banner.locator("a").count() == 0
    expect(owner_page.locator("[data-compose]")).to_be_hidden()
    assert owner_page.evaluate("window.__samePage") is True
    owner_context.close()
    vet_context.close()


def test_pending_payment_still_shows_the_status_page(client_for, owner, vet):
    """Only a paid payment skips the status page: a pending one keeps it (with "Pay now")."""
    from tests.consultations.chat_support import make_consultation

    VetProfileFactory(user=vet)
    consultation = make_consultation(owner, vet, status=Consultation.Status.AWAITING_PAYMENT)
    from payments.services import payment_create

    payment = _payment_for(consultation, payment_create)
    response = client_for(owner).get(f"/payments/{payment.pk}/finish/")
    assert response.status_code == 200
    assert 'data-payment-status="pending"' in response.content.decode()


def _payment_for(consultation, payment_create):
    import inspect

    assert "purpose" in inspect.signature(payment_create).parameters
    return payment_create(
        payer=consultation.owner,
        purpose="consultation",
        target=consultation,
        amount=consultation.fee,
        description="Konsultasi",
    )
