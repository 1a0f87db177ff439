"""The page cache for anonymous visitors: fast, yet never stale, personal or with someone else's token."""

import re
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.http import HttpResponse
from django.template import engines
from django.test import Client, RequestFactory

from adoption.models import Pet
from common import pagecache
from grooming.models import Service
from tests.adoption.factories import PetFactory
from tests.articles.factories import ArticleFactory
from tests.grooming.factories import SalonFactory, SalonManagerFactory, ServiceFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _long_lived_pages(settings):
    """Pages live a minute here, so a test can only pass through invalidation, not through expiry."""
    settings.PAGE_CACHE_SECONDS = 60


def cached(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


def test_second_anonymous_request_is_served_from_the_cache_without_queries(client, django_assert_num_queries):
    PetFactory(name="Kuro")
    first = client.get("/adoption/")
    assert first.status_code == 200 and not cached(first)
    with django_assert_num_queries(0):
        second = client.get("/adoption/")
    assert cached(second)
    assert "Kuro" in second.content.decode()


def test_approved_pet_shows_on_the_next_request(client, client_for, staff):
    pending = PetFactory(name="Belang", status=Pet.Status.PENDING_REVIEW)
    client.get("/adoption/")
    assert "Belang" not in client.get("/adoption/").content.decode()  # from the cache
    assert client.get(f"/adoption/pets/{pending.pk}/").status_code == 404

    client_for(staff).post(
        "/admin/adoption/pet/", {"action": "approve_selected", "_selected_action": [pending.pk]}
    )

    assert Pet.objects.get(pk=pending.pk).status == Pet.Status.AVAILABLE
    listing = client.get("/adoption/")
    assert not cached(listing) and "Belang" in listing.content.decode()
    assert client.get(f"/adoption/pets/{pending.pk}/").status_code == 200
    assert client.get("/adoption/").headers["X-Page-Cache"] == "hit"


def test_salon_price_edit_shows_on_the_next_request(client, client_for):
    manager = SalonManagerFactory()
    salon = SalonFactory(name="Salon Meong")
    salon.managers.add(manager)
    service = ServiceFactory(salon=salon, price=80_000)
    url = f"/grooming/{salon.slug}/"
    assert "Rp 80.000" in client.get(url).content.decode()
    assert cached(client.get(url))
    assert cached(client.get("/grooming/")) is False  # first visit of the directory
    assert "Rp 80.000" in client.get("/grooming/").content.decode()

    manage = client_for(manager)
    form = manage.get(f"/grooming/manage/{salon.slug}/").context["services"].forms[0]
    data = {
        "section": "services",
        "services-TOTAL_FORMS": "1",
        "services-INITIAL_FORMS": "1",
        "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
    }
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None and value is not False:
            data[f"services-0-{name}"] = "on" if value is True else value
    data["services-0-price"] = "95000"
    assert manage.post(f"/grooming/manage/{salon.slug}/", data).status_code == 302
    assert Service.objects.get(pk=service.pk).price == 95_000

    page = client.get(url).content.decode()
    assert "Rp 95.000" in page and "Rp 80.000" not in page
    directory = client.get("/grooming/").content.decode()
    assert "Rp 95.000" in directory and "Rp 80.000" not in directory


def test_the_home_pages_salons_follow_their_changes_on_the_next_request(client):
    """The home page remembers which salons it shows (a ranking of every salon): a price edit or a
    new, better-rated salon shows on the next request all the same."""
    salon = SalonFactory(name="Salon Meong")
    service = ServiceFactory(salon=salon, price=80_000)
    assert "Rp 80.000" in client.get("/").content.decode()
    assert cached(client.get("/"))
    service.price = 95_000
    service.save()
    home = client.get("/")
    assert not cached(home) and "Rp 95.000" in home.content.decode()
    salon.name = "Salon Guk"
    salon.save()
    assert "Salon Guk" in client.get("/").content.decode()


def test_language_switch_shows_the_other_language_on_the_next_request(client):
    ArticleFactory(title="Merawat kucing")
    assert 'lang="id"' in client.get("/articles/").content.decode()
    assert cached(client.get("/articles/"))

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/articles/"})
    assert response.status_code == 302

    english = client.get("/articles/")
    assert not cached(english) and 'lang="en"' in english.content.decode()
    assert cached(client.get("/articles/"))
    client.post("/i18n/setlang/", {"language": "id", "next": "/articles/"})
    indonesian = client.get("/articles/")
    assert cached(indonesian) and 'lang="id"' in indonesian.content.decode()


def test_member_never_gets_the_visitors_page_and_visitors_never_get_a_members(client, client_for, owner):
    client.get("/adoption/")
    assert cached(client.get("/adoption/"))

    member = client_for(owner).get("/adoption/")
    html = member.content.decode()
    assert not cached(member)  # the visitors' entry is not served to a member
    assert owner.first_name in html and "/accounts/logout/" in html

    # ...and what a member saw is never stored for visitors.
    cache.clear()
    client_for(owner).get("/adoption/")
    anonymous = client.get("/adoption/")
    assert not cached(anonymous)
    assert owner.first_name not in anonymous.content.decode()
    assert "/accounts/logout/" not in anonymous.content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_it_works():
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first = alice.get("/articles/")
    second = bob.get("/articles/")
    assert cached(second)
    alice_token = TOKEN.search(first.content.decode()).group(1)
    bob_token = TOKEN.search(second.content.decode()).group(1)
    assert alice_token != bob_token
    assert alice.cookies["csrftoken"].value != bob.cookies["csrftoken"].value

    stored = cache.get(pagecache._page_key(_request("/articles/"), "v"))[3].decode()
    assert pagecache.CSRF_PLACEHOLDER in stored
    assert alice_token not in stored and bob_token not in stored

    # The token in a page served from the cache passes the CSRF check (the language switch form).
    response = bob.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": bob_token})
    assert response.status_code == 302
    assert (
        alice.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": bob_token}).status_code == 403
    )


def _request(path, user=None):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.LANGUAGE_CODE = "id"
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_visitor_with_pending_messages_gets_a_fresh_page():
    template = engines["django"].from_string("{% for m in messages %}[{{ m }}]{% endfor %}")

    @pagecache.public_page("test")
    def view(request):
        return HttpResponse(template.render({"messages": get_messages(request)}, request))

    plain = _request("/x/")
    assert view(plain).content == b""
    with_message = _request("/x/")
    with_message._messages.add(constants.INFO, "Sampai jumpa")
    assert view(with_message).content == b"[Sampai jumpa]"
    assert view(_request("/x/")).headers["X-Page-Cache"] == "hit"


def test_stored_page_expires_after_the_documented_bound(client, settings):
    """Changes no signal reports (a bulk update, the clock) show within PAGE_CACHE_SECONDS."""
    settings.PAGE_CACHE_SECONDS = 0.3
    pet = PetFactory(name="Oyen")
    client.get("/adoption/")
    Pet.objects.filter(pk=pet.pk).update(name="Oren")  # no signal
    assert "Oyen" in client.get("/adoption/").content.decode()
    time.sleep(0.35)
    assert "Oren" in client.get("/adoption/").content.decode()


def test_post_and_error_pages_are_not_stored(client):
    assert client.get("/adoption/pets/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/grooming/?sort=nonsense").status_code == 400
    assert client.get("/grooming/?sort=nonsense").headers.get("X-Page-Cache") is None


def test_remembered_counts_and_pages_follow_the_rows_for_members(client_for, owner):
    """The members' stored page, the remembered count and which salons each page holds must all
    follow a price edit and a new salon at once."""
    cheap = ServiceFactory(salon=SalonFactory(name="Salon Murah"), price=50_000)
    ServiceFactory(salon=SalonFactory(name="Salon Mahal"), price=90_000)
    member = client_for(owner)
    url = "/grooming/?city=&sort=price"

    def names():
        return re.findall(r"<h2>([^<]+)</h2>", member.get(url).content.decode())

    assert names() == ["Salon Murah", "Salon Mahal"]
    cheap.price = 120_000
    cheap.save()
    assert names() == ["Salon Mahal", "Salon Murah"]
    ServiceFactory(salon=SalonFactory(name="Salon Baru"), price=10_000)
    assert names()[0] == "Salon Baru"
    assert "3 salon" in member.get(url).content.decode()


def test_admin_bulk_unlisting_shows_at_once(client, client_for, staff):
    """Admin bulk actions use QuerySet.update(), which sends no signal: they bump the area themselves."""
    salon = SalonFactory(name="Salon Sementara")
    assert "Salon Sementara" in client.get("/grooming/").content.decode()
    action = {"action": "unlist_salons", "_selected_action": [salon.pk]}
    client_for(staff).post("/admin/grooming/salon/", action)
    assert "Salon Sementara" not in client.get("/grooming/").content.decode()


def test_pages_and_writes_work_when_the_cache_is_down(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "set_many", broken)
    monkeypatch.setattr(cache, "set", broken)
    pet = PetFactory(name="Tetap")  # the save bumps the area: must not fail
    response = client.get("/adoption/")
    assert response.status_code == 200 and "Tetap" in response.content.decode()
    assert TOKEN.search(response.content.decode()).group(1) != pagecache.CSRF_PLACEHOLDER
    assert Pet.objects.filter(pk=pet.pk).exists()
