"""Item 17 of issue 15: the city picker (514 regencies) filters as one types, without a CDN, and the form
still posts the regency's id."""

import pytest

from accounts.models import User
from tests import factories
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_types_denpasar_and_saves_the_city_on_a_phone(live_asgi_server, browser):
    base = live_asgi_server
    member = factories.UserFactory(city=factories.regency("32.73"))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    login_in_browser(page, base, member)
    page.goto(f"{base}/accounts/profile/")
    search = page.locator("input.select-search")
    assert search.get_attribute("aria-label") == "Ketik untuk mencari kota atau kabupaten Anda"
    search.fill("denpa")
    visible = page.eval_on_selector_all(
        "select[name=city] option", "els => els.filter(o => !o.hidden && o.value).map(o => o.textContent)"
    )
    assert visible == ["Kota Denpasar — Bali"]
    assert page.locator("select[name=city] option:checked").inner_text() == "Kota Denpasar — Bali"
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert User.objects.get(pk=member.pk).city.code == "51.71"
    assert all(url.startswith(base) for url in requests)  # every asset from the app itself
    context.close()
