"""A real browser at phone size: find a vet, open a consultation, the vet accepts, ends, the owner rates."""

import pytest

from consultations.models import Consultation
from payments.models import Payment
from payments.services import payment_set_status
from tests.conftest import login_in_browser
from tests.consultations.factories import VetProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_consultation_from_directory_to_rating(live_asgi_server, browser, owner, vet):
    base = live_asgi_server
    VetProfileFactory(user=vet, fee=75_000)

    owner_page = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID").new_page()
    login_in_browser(owner_page, base, owner)
    owner_page.goto(f"{base}/vets/?species=cats")
    assert owner_page.locator(".vet-card").count() == 1
    assert no_horizontal_scroll(owner_page)
    owner_page.click(".vet-card-link")
    owner_page.click(f"a[href='/vets/{vet.pk}/consult/']")
    owner_page.check("input[name=pet][value=new]")
    owner_page.fill("input[name=new_name]", "Kiko")
    owner_page.select_option("select[name=new_species]", value=str(_cats_pk()))
    owner_page.fill("input[name=age_estimate_months]", "12")
    owner_page.fill("textarea[name=complaint]", "Bulu rontok.")
    owner_page.click("main button[type=submit]")
    owner_page.wait_for_url(f"{base}/payments/**")

    consultation = Consultation.objects.get()
    payment_set_status(payment=consultation.payment, status=Payment.Status.PAID)  # the hook runs on commit
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.WAITING

    vet_page = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID").new_page()
    login_in_browser(vet_page, base, vet)
    vet_page.goto(f"{base}/vets/me/")
    assert no_horizontal_scroll(vet_page)
    vet_page.click(".queue a")
    vet_page.click(f"form[action='/consultations/{consultation.pk}/accept/'] button")
    vet_page.wait_for_selector("#consultation-panel[data-status=active]")
    vet_page.click("#consultation-panel .cp-action summary")
    vet_page.fill("#consultation-panel textarea[name=assessment]", "Kutu. Beri obat tetes.")
    vet_page.click(f"form[action='/consultations/{consultation.pk}/end/'] button")
    vet_page.wait_for_selector("#consultation-panel[data-status=ended]")

    owner_page.goto(f"{base}/consultations/{consultation.pk}/")
    assert "Kutu. Beri obat tetes." in owner_page.inner_text("#consultation-panel")
    owner_page.check("#consultation-panel input[name=stars][value='4']")
    owner_page.click(f"form[action='/consultations/{consultation.pk}/rate/'] button")
    owner_page.wait_for_selector("#consultation-panel .cp-rating")
    assert no_horizontal_scroll(owner_page)

    owner_page.goto(f"{base}/vets/")
    assert "4,0" in owner_page.inner_text(".vet-card")

    # The directory refreshes its badges (polling, no reload): the vet goes offline elsewhere.
    badge = owner_page.locator(f"[data-vet-id='{vet.pk}']")
    assert badge.get_attribute("data-availability") == "online"
    vet_page.goto(f"{base}/vets/me/")
    vet_page.click("form.availability-toggle button")
    owner_page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    owner_page.wait_for_selector(f"[data-vet-id='{vet.pk}'][data-availability=offline]")


def _cats_pk():
    from pets.models import Species

    return Species.objects.get(slug="cat").pk
