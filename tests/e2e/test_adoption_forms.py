"""Items 13 and 14 of issue 15 on a phone: the breed list follows the chosen species and speaks the
reader's language; a failed adoption form opens with a summary at the top linking to the first error."""

import pytest

from adoption.models import Species
from tests import factories
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visible_breeds(page):
    return page.eval_on_selector_all(
        "select[name=breed] option", "els => els.filter(o => !o.hidden && o.value).map(o => o.textContent)"
    )


@pytest.mark.parametrize(
    "language, persian, siamese", [("id", "Persia", "Siam"), ("en", "Persian", "Siamese")]
)
def test_breed_list_follows_the_species_in_the_reader_language(
    live_asgi_server, browser, language, persian, siamese
):
    base = live_asgi_server
    lister = factories.VerifiedMemberFactory(language=language)
    cat, dog = Species.objects.get(slug="cat"), Species.objects.get(slug="dog")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    login_in_browser(page, base, lister)
    page.goto(f"{base}/adoption/pets/new/")
    page.select_option("select[name=species]", str(cat.pk))
    cats = _visible_breeds(page)
    assert persian in cats and siamese in cats
    assert "Golden Retriever" not in cats and "Holland Lop" not in cats
    page.select_option("select[name=breed]", label=persian)
    page.select_option("select[name=species]", str(dog.pk))
    dogs = _visible_breeds(page)
    assert "Golden Retriever" in dogs and persian not in dogs
    assert page.input_value("select[name=breed]") == ""  # the cat breed does not stay chosen for a dog
    context.close()


def test_failed_adoption_form_opens_with_a_summary_linking_to_the_first_error(live_asgi_server, browser):
    from adoption import services
    from tests.adoption.factories import PetFactory

    base = live_asgi_server
    adopter = factories.VerifiedMemberFactory()
    services.cart_add(user=adopter, pet=PetFactory(name="Kopi"))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, base, adopter)
    page.goto(f"{base}/adoption/checkout/")
    page.fill("textarea[name=why_adopt]", "Ingin memberi rumah")  # one answer given, the rest missing
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.bounding_box()["y"] < 740  # in view on arrival, not 3,800 px down
    assert "isian perlu diperbaiki" in summary.inner_text()
    links = summary.locator("a")
    assert links.count() >= 10
    assert "why_adopt" not in [link.get_attribute("href") for link in links.all()]
    first = links.first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("location.hash") == target
    box = page.locator(target).bounding_box()
    assert 56 <= box["y"] < 740  # the first field with an error is on screen, below the sticky header
    assert page.input_value("textarea[name=why_adopt]") == "Ingin memberi rumah"  # nothing typed is lost
    context.close()


def test_handover_before_the_pickup_time_needs_an_early_pickup_answer(live_asgi_server, browser):
    import datetime as dt

    from django.utils import timezone

    from adoption import services
    from adoption.models import Application
    from tests.adoption.factories import ApplicationFactory, PetFactory

    base = live_asgi_server
    pet = PetFactory(name="Kopi")
    adopter = factories.VerifiedMemberFactory()
    application = ApplicationFactory(pet=pet, adopter=adopter)
    services.application_approve(
        application=application, by=pet.lister, pickup_at=timezone.now() + dt.timedelta(days=3),
        pickup_address="Jl. Dago No. 12, Bandung", pickup_phone="+6281299990000",
    )  # fmt: skip
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, base, adopter)
    page.goto(f"{base}/adoption/applications/")
    form = page.locator(f"form[action$='/applications/{application.pk}/received/']")
    assert "waktu penjemputan" in form.inner_text()
    form.locator("button").click()  # without the answer: the browser asks for it, nothing is sent
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED

    form.locator("input[name=early]").check()
    form.locator("button").click()
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == Application.Status.ADOPTED
    assert "lebih awal dari rencana" in application.events.get(kind="picked_up").note
    context.close()
