"""Members' pages from the shared page cache: each member sees their own header, nobody sees a stale
or someone else's page, and pages that show something about the member are never shared."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adoption.models import Pet
from grooming.models import Service
from notifications.services import notification_mark_read, notify
from tests.adoption.factories import PetFactory
from tests.factories import VerifiedMemberFactory, regency
from tests.grooming.factories import SalonFactory, ServiceFactory

# The visitors' page-cache tests' one-minute pages (autouse) and hit check, shared here.
from tests.test_pagecache import _long_lived_pages, cached  # noqa: F401

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'<span class="badge" data-unread-badge[^>]*>(\d+)</span>')


def test_two_members_share_the_page_but_each_sees_their_own_header(client_for, owner, other_member):
    PetFactory(name="Kuro", lister__full_name="Shelter Wulan")  # not a random name that may hold "Budi"
    budi, citra = client_for(owner), client_for(other_member)
    first = budi.get("/adoption/")
    second = citra.get("/adoption/")
    assert not cached(first) and cached(second)
    html = second.content.decode()
    assert "Kuro" in html
    assert "Citra" in html and "Budi" not in html
    assert f'data-user-id="{other_member.pk}"' in html
    assert "hp-personal" not in html and "hpPageCacheCsrfTokenPlaceholder" not in html
    assert budi.get("/adoption/").content.decode().count("Budi") >= 1


def test_a_hit_runs_no_query_of_the_page_whatever_the_rows(client_for, owner):
    member = client_for(owner)

    def queries_of_a_hit() -> int:
        member.get("/adoption/")
        with CaptureQueriesContext(connection) as queries:
            assert cached(member.get("/adoption/"))
        return len(queries)

    PetFactory.create_batch(2)
    few = queries_of_a_hit()
    PetFactory.create_batch(15)
    assert queries_of_a_hit() == few
    # What is left is who the member is (the session, the user): none of the page's own queries.
    assert few <= 2


def test_each_member_gets_their_own_csrf_token_in_a_shared_page(client_for, owner, other_member):
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    budi, citra = client_for(owner), client_for(other_member)
    budi_token = token.search(budi.get("/articles/").content.decode()).group(1)
    response = citra.get("/articles/")
    assert cached(response)
    citra_token = token.search(response.content.decode()).group(1)
    assert citra_token != budi_token
    logout = citra.post("/accounts/logout/", {"csrfmiddlewaretoken": citra_token})
    assert logout.status_code == 302


def test_approved_pet_shows_to_members_on_the_next_request(client_for, owner, staff):
    pending = PetFactory(name="Belang", status=Pet.Status.PENDING_REVIEW)
    member = client_for(owner)
    member.get("/adoption/")
    assert "Belang" not in member.get("/adoption/").content.decode()

    client_for(staff).post(
        "/admin/adoption/pet/", {"action": "approve_selected", "_selected_action": [pending.pk]}
    )

    listing = member.get("/adoption/")
    assert not cached(listing) and "Belang" in listing.content.decode()


def test_price_edit_shows_to_members_on_the_next_request(client_for, owner):
    salon = SalonFactory(name="Salon Meong")
    service = ServiceFactory(salon=salon, price=80_000)
    member = client_for(owner)
    url = f"/grooming/{salon.slug}/"
    member.get(url)
    assert cached(member.get(url)) and "Rp 80.000" in member.get(url).content.decode()

    service.price = 95_000
    service.save()

    assert Service.objects.get(pk=service.pk).price == 95_000
    page = member.get(url).content.decode()
    assert "Rp 95.000" in page and "Rp 80.000" not in page


def test_language_switch_shows_to_a_member_on_the_next_request(client_for, owner):
    member = client_for(owner)
    member.get("/articles/")
    assert cached(member.get("/articles/"))
    member.post("/i18n/setlang/", {"language": "en", "next": "/articles/"})
    english = member.get("/articles/")
    assert not cached(english) and 'lang="en"' in english.content.decode()
    assert "Log out" in english.content.decode()


def test_new_notification_shows_in_the_badge_of_a_shared_page(
    client_for, owner, django_capture_on_commit_callbacks
):
    member = client_for(owner)
    member.get("/articles/")
    assert BADGE.search(member.get("/articles/").content.decode()).group(1) == "0"

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(owner, kind="accounts.identity_approved", context={"verification": None})

    response = member.get("/articles/")
    assert cached(response)  # the page did not change, the member's header did
    assert BADGE.search(response.content.decode()).group(1) == "1"
    assert "<title>(1) " in response.content.decode()

    notification_mark_read(notification=notification)
    assert BADGE.search(member.get("/articles/").content.decode()).group(1) == "0"


def test_directory_starts_from_each_members_own_city(client_for):
    SalonFactory(name="Salon Bandung", city=regency("32.73"))
    SalonFactory(name="Salon Denpasar", city=regency("51.71"))
    bandung = client_for(VerifiedMemberFactory(city=regency("32.73")))
    denpasar = client_for(VerifiedMemberFactory(city=regency("51.71")))
    for _ in range(2):
        assert "Salon Bandung" in bandung.get("/grooming/").content.decode()
        page = denpasar.get("/grooming/").content.decode()
        assert "Salon Denpasar" in page and "Salon Bandung" not in page


def test_pages_about_the_member_are_never_shared(client_for, owner, other_member):
    pet = PetFactory(name="Milo")
    lister = client_for(pet.lister)
    assert "X-Page-Cache" not in lister.get(f"/adoption/pets/{pet.pk}/").headers  # their tools
    response = client_for(other_member).get(f"/adoption/pets/{pet.pk}/")
    assert not cached(response) and f"/adoption/pets/{pet.pk}/edit/" not in response.content.decode()
    again = lister.get(f"/adoption/pets/{pet.pk}/")
    assert "X-Page-Cache" not in again.headers and f"/adoption/pets/{pet.pk}/edit/" in again.content.decode()


def test_staff_pages_are_never_shared(client_for, staff):
    admin = client_for(staff)
    admin.get("/articles/")
    assert "X-Page-Cache" not in admin.get("/articles/").headers


def test_a_404_under_a_shared_page_is_rendered_whole(client_for, owner):
    response = client_for(owner).get("/grooming/no-such-salon/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "hp-personal" not in html and "hpPageCacheCsrfTokenPlaceholder" not in html
    assert "Budi" in html


def test_shared_pages_work_when_the_cache_is_down(client_for, owner, monkeypatch):
    member = client_for(owner)

    def broken(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    for name in ("get", "get_many", "set", "set_many", "delete"):
        monkeypatch.setattr(cache, name, broken)
    PetFactory(name="Tetap")
    response = member.get("/adoption/")
    html = response.content.decode()
    assert response.status_code == 200 and "Tetap" in html and "Budi" in html
    assert "hp-personal" not in html
