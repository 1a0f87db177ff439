"""WCAG 2.2 AA with axe-core (issue 15 item 19): every main page, as each demo persona, at phone and
desktop size, has no serious or critical violation. axe-core comes from npm (tests/a11y/package.json),
not a CDN. Django's own admin (/admin/) is not part of the site's pages and is left out."""

import io

import pytest
from django.core.management import call_command

from tests.a11y import ensure_axe, violations
from tests.conftest import _missing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "hellopet-demo"
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def _pages(email):
    """The main pages each persona uses, found in the demo data."""
    from adoption.models import Pet
    from articles.models import Article
    from consultations.models import Consultation
    from grooming.models import Booking, Salon

    salon = Salon.objects.order_by("pk").first()
    pet = Pet.objects.filter(status=Pet.Status.AVAILABLE).order_by("pk").first()
    article = Article.objects.order_by("pk").first()
    vet_profile = Consultation.objects.order_by("pk").values_list("vet_id", flat=True).first()
    public = [
        "/", "/vets/", f"/vets/{vet_profile}/", "/grooming/", f"/grooming/{salon.slug}/", "/adoption/",
        f"/adoption/pets/{pet.pk}/", "/articles/", f"/articles/{article.slug}/", "/privacy/",
        "/no-such-page/",
    ]  # fmt: skip
    if email is None:
        return public + ["/accounts/login/", "/accounts/signup/", "/accounts/password-reset/"]
    member = ["/", "/notifications/", "/accounts/profile/", "/accounts/verification/"]
    if email == "budi@hellopet.local":
        consultation = Consultation.objects.filter(owner__email=email).order_by("pk").first()
        booking = Booking.objects.filter(member__email=email).order_by("pk").first()
        member += [
            "/consultations/", f"/consultations/{consultation.pk}/", f"/vets/{vet_profile}/consult/",
            "/grooming/bookings/", f"/grooming/bookings/{booking.pk}/", f"/grooming/{salon.slug}/book/",
            "/adoption/cart/", "/adoption/applications/", "/adoption/listings/", "/adoption/pets/new/",
            f"/adoption/pets/{pet.pk}/",
        ]  # fmt: skip
    elif email == "sari@hellopet.local":
        member += [f"/adoption/pets/{pet.pk}/", "/grooming/", "/vets/"]
    elif email == "drh.ayu@hellopet.local":
        member += ["/vets/me/", "/consultations/", "/accounts/vet-licence/"]
    elif email == "shelter@hellopet.local":
        member += ["/adoption/listings/", "/adoption/pets/new/"]
    elif email == "salon@hellopet.local":
        managed = Salon.objects.filter(managers__email=email).first()
        member += ["/grooming/manage/", f"/grooming/manage/{managed.slug}/", "/grooming/bookings/"]
    return member


@pytest.fixture
def axe_js():
    path = ensure_axe()
    if path is None:
        _missing("the accessibility check needs npm to install axe-core")
    return path


@pytest.fixture
def demo(transactional_db, settings):
    call_command("seed_demo", stdout=io.StringIO())


PERSONAS = [None, "budi@hellopet.local", "sari@hellopet.local", "drh.ayu@hellopet.local",
            "shelter@hellopet.local", "salon@hellopet.local", "admin@hellopet.local"]  # fmt: skip


def test_the_check_covers_every_main_page_of_every_persona(demo):
    # The test below checks these pages at both sizes: over 80 page views in all.
    assert sum(len(_pages(email)) for email in PERSONAS) * len(SIZES) > 80


# One test per size, so that `make test`'s parallel workers can share them out (each seeds the demo, under
# a second, and starts its own server; one per persona as well would cost more in start-ups than it gains).
@pytest.mark.parametrize("size", list(SIZES))
def test_main_pages_have_no_serious_accessibility_violations(size, demo, live_asgi_server, browser, axe_js):
    failures, checked, expected = {}, 0, 0
    for email in PERSONAS:
        pages = _pages(email)
        expected += len(pages)
        context = browser.new_context(viewport=SIZES[size], bypass_csp=True)
        # axe handed to the browser once per context and run by it in every page it loads, instead of
        # sent (560 kB) with every page: a third of each page's cost.
        context.add_init_script(path=str(axe_js))
        page = context.new_page()
        if email:
            page.goto(f"{live_asgi_server}/accounts/login/")
            page.fill("input[name=username]", email)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            assert "/accounts/login/" not in page.url, f"{email} could not log in"
        for path in pages:
            response = page.goto(f"{live_asgi_server}{path}")
            assert response.status < 500, (email, path, response.status)
            found = violations(page, axe_js)
            checked += 1
            if found:
                failures[f"{email or 'visitor'} {size} {path}"] = found
        context.close()
    assert not failures, failures
    assert checked == expected > 40


def test_skip_link_is_first_and_moves_focus_to_the_main_content(live_asgi_server, browser):
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    page.goto(f"{live_asgi_server}/grooming/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    assert page.locator(".skip-link").inner_text() == "Langsung ke konten utama"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()
