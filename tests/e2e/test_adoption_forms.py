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
