"""Item 12 of issue 15: a shared link to a pet that found a home still opens, with its status and
without an adopt button; unknown pages answer with a friendly page in the site's style and language."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from adoption.models import Pet
from tests import factories as base
from tests.adoption.factories import PetFactory
from tests.conftest import login_in_browser


def _boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


def _forbidden(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


urlpatterns = [path("boom/", _boom), path("forbidden/", _forbidden)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status, label",
    [(Pet.Status.ADOPTED, "Sudah diadopsi"), (Pet.Status.RESERVED, "Sedang dalam proses adopsi")],
)
def test_reserved_or_adopted_pet_page_is_shown_to_everyone_without_adopt_button(
    client_for, other_member, status, label
):
    pet = PetFactory(status=status, name="Kopi")
    for viewer in (None, other_member):
        response = client_for(viewer).get(f"/adoption/pets/{pet.pk}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert label in html
        assert "data-pet-status-note" in html
        assert f"/adoption/cart/add/{pet.pk}/" not in html
        assert "Masuk untuk mengadopsi" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Pet.Status.PENDING_REVIEW, Pet.Status.REJECTED, Pet.Status.WITHDRAWN])
def test_unlisted_pet_stays_404_for_strangers(client_for, other_member, status):
    pet = PetFactory(status=status)
    assert client_for(other_member).get(f"/adoption/pets/{pet.pk}/").status_code == 404
    assert client_for(pet.lister).get(f"/adoption/pets/{pet.pk}/").status_code == 200


@pytest.mark.django_db
def test_404_page_is_friendly_in_the_site_style_and_language(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="site-header"' in html and "Halaman itu tidak kami temukan" in html
    client.cookies["django_language"] = "en"
    assert "We could not find that page" in client.get("/no-such-page/").content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_500_and_403_pages_are_friendly():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Ada yang salah di pihak kami" in html and 'lang="id"' in html
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "Anda tidak dapat membuka halaman ini" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_notification_link_to_adopted_pet_opens_on_a_phone(live_asgi_server, browser):
    url = live_asgi_server
    pet = PetFactory(status=Pet.Status.ADOPTED, name="Kopi")
    stranger = base.VerifiedMemberFactory()
    for lang, label, not_found in (("id", "Sudah diadopsi", "Halaman itu tidak kami temukan"),
                                   ("en", "Adopted", "We could not find that page")):  # fmt: skip
        stranger.language = lang  # a member reads in their profile's language (issue 15.6)
        stranger.save(update_fields=["language"])
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        login_in_browser(page, url, stranger)
        response = page.goto(f"{url}/adoption/pets/{pet.pk}/")
        assert response.status == 200
        assert label in page.locator("h1").inner_text()
        assert page.locator("[data-pet-status-note]").is_visible()
        assert page.locator("form[action*='/adoption/cart/add/']").count() == 0
        response = page.goto(f"{url}/adoption/pets/00000000-0000-0000-0000-000000000000/")
        assert response.status == 404
        assert not_found in page.locator("h1").inner_text()
        assert page.locator(".site-header").is_visible()
        # Nothing on the page is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        context.close()
