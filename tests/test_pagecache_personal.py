"""Members' personal pages from the page cache: a vet's and a pet's page shared among the members
for whom they say the same, a member's own consultations and applications stored for that member
alone. Whatever changes shows on the next request; nobody sees another member's page or token."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from adoption import services as adoption
from adoption.models import Application, Pet
from consultations.models import Consultation
from tests.adoption.factories import ApplicationFactory, PetFactory
from tests.consultations.factories import ConsultationFactory, MessageFactory, VetProfileFactory

# The visitors' page-cache tests' one-minute pages (autouse) and hit check, shared here.
from tests.test_pagecache import TOKEN, _long_lived_pages, cached  # noqa: F401

pytestmark = pytest.mark.django_db
Status = Consultation.Status


def stored(client, path):
    """The page twice: the second answer must come from the cache."""
    first = client.get(path)
    assert first.status_code == 200, first.status_code
    second = client.get(path)
    assert cached(second), f"{path} was not served from the cache"
    return second.content.decode()


# --- /consultations/ --------------------------------------------------------------------------------
def test_my_consultations_are_stored_for_me_alone(client_for, owner, other_member):
    # The vets' names fixed: a random Indonesian name ("Budiman") may contain a member's.
    ended = Status.ENDED
    ConsultationFactory(owner=owner, pet_name="Kuro", status=ended, vet__full_name="drh. Wulan")
    ConsultationFactory(owner=other_member, pet_name="Belang", status=ended, vet__full_name="drh. Yanti")
    mine = stored(client_for(owner), "/consultations/")
    theirs = stored(client_for(other_member), "/consultations/")
    assert "Kuro" in mine and "Belang" not in mine and "Budi" in mine
    assert "Belang" in theirs and "Kuro" not in theirs and "Citra" in theirs and "Budi" not in theirs


def test_a_consultation_that_changes_shows_on_the_next_request(client_for, owner):
    consultation = ConsultationFactory(owner=owner, status=Status.ACTIVE)
    client = client_for(owner)
    assert "status-active" in stored(client, "/consultations/")
    consultation.status = Status.ENDED
    consultation.save()
    response = client.get("/consultations/")
    assert not cached(response)
    assert "status-ended" in response.content.decode() and "status-active" not in response.content.decode()
    # A new consultation, too.
    ConsultationFactory(owner=owner, pet_name="Pendatang", status=Status.WAITING)
    assert "Pendatang" in client.get("/consultations/").content.decode()


def test_a_new_message_shows_its_unread_badge_on_a_stored_list(client_for, owner):
    consultation = ConsultationFactory(owner=owner, status=Status.ACTIVE)
    client = client_for(owner)
    assert 'class="badge" title=' not in stored(client, "/consultations/")
    MessageFactory(consultation=consultation, sender=consultation.vet)
    response = client.get("/consultations/")
    assert cached(response)  # the list did not change, its badge did
    assert re.search(r'<span class="badge" title="[^"]+">1</span>', response.content.decode())
    assert "hp-unread" not in response.content.decode()


def test_my_consultations_work_when_the_cache_is_down(client_for, owner, monkeypatch):
    consultation = ConsultationFactory(owner=owner, pet_name="Kuro", status=Status.ACTIVE)
    MessageFactory(consultation=consultation, sender=consultation.vet)

    def broken(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    for name in ("get", "get_many", "set", "set_many", "delete"):
        monkeypatch.setattr(cache, name, broken)
    response = client_for(owner).get("/consultations/")
    html = response.content.decode()
    assert response.status_code == 200 and "Kuro" in html
    assert re.search(r'<span class="badge" title="[^"]+">1</span>', html) and "hp-unread" not in html


# --- /adoption/applications/ ------------------------------------------------------------------------
def test_my_applications_are_stored_for_me_alone(client_for, owner, other_member):
    ApplicationFactory(adopter=owner, pet=PetFactory(name="Milo", lister__full_name="Shelter Wulan"))
    ApplicationFactory(adopter=other_member, pet=PetFactory(name="Oyen", lister__full_name="Shelter Yanti"))
    mine = stored(client_for(owner), "/adoption/applications/")
    theirs = stored(client_for(other_member), "/adoption/applications/")
    assert "Milo" in mine and "Oyen" not in mine
    assert "Oyen" in theirs and "Milo" not in theirs and "Budi" not in theirs


def test_a_withdrawn_application_shows_on_the_next_request(client_for, owner):
    application = ApplicationFactory(adopter=owner, pet=PetFactory(name="Milo"))
    client = client_for(owner)
    assert "status-submitted" in stored(client, "/adoption/applications/")
    adoption.application_withdraw(application=application, by=owner)
    response = client.get("/adoption/applications/")
    assert not cached(response)
    html = response.content.decode()
    assert "status-withdrawn" in html and "status-submitted" not in html


def test_an_application_approved_by_the_lister_shows_on_the_next_request(client_for, owner):
    application = ApplicationFactory(adopter=owner)
    client = client_for(owner)
    stored(client, "/adoption/applications/")
    application.status = Application.Status.DECLINED
    application.decline_note = "Maaf, sudah ada yang lain."
    application.save()
    assert "Maaf, sudah ada yang lain." in client.get("/adoption/applications/").content.decode()


def test_a_stored_applications_page_carries_each_sessions_own_working_token(owner):
    """The stored page holds a placeholder: two sessions of the same member each get a token that
    passes the CSRF check of their own session (a token baked in would fail the second one)."""
    application = ApplicationFactory(adopter=owner)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(owner)
    second.force_login(owner)
    first.get("/adoption/applications/")
    page = second.get("/adoption/applications/")
    assert cached(page)
    html = page.content.decode()
    assert "hpPageCacheCsrfTokenPlaceholder" not in html
    token = TOKEN.search(html).group(1)
    response = second.post(
        f"/adoption/applications/{application.pk}/withdraw/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == Application.Status.WITHDRAWN


def test_my_applications_follow_my_language(client_for, owner):
    ApplicationFactory(adopter=owner)
    client = client_for(owner)
    assert 'lang="id"' in stored(client, "/adoption/applications/")
    client.post("/i18n/setlang/", {"language": "en", "next": "/adoption/applications/"})
    english = client.get("/adoption/applications/")
    assert not cached(english) and 'lang="en"' in english.content.decode()
    assert "My applications" in english.content.decode()


# --- a pet ------------------------------------------------------------------------------------------
def test_a_pet_put_in_the_cart_shows_on_the_next_request(client_for, owner, other_member):
    pet = PetFactory(name="Milo")
    path = f"/adoption/pets/{pet.pk}/"
    add_form = f'action="/adoption/cart/add/{pet.pk}/"'
    budi, citra = client_for(owner), client_for(other_member)
    assert add_form in budi.get(path).content.decode()
    assert cached(citra.get(path))  # the same page for both verified members without Milo in a cart
    adoption.cart_add(user=owner, pet=pet)
    html = budi.get(path).content.decode()
    assert 'href="/adoption/cart/"' in html and add_form not in html
    other = citra.get(path)
    assert cached(other) and add_form in other.content.decode()


def test_an_unverified_member_is_asked_to_verify_on_a_shared_pet_page(client_for, owner, unverified_member):
    pet = PetFactory()
    path = f"/adoption/pets/{pet.pk}/"
    ask = re.compile(r'<p class="muted">[^<]+<a href="/accounts/verification/">')
    assert not ask.search(stored(client_for(owner), path))
    unverified = client_for(unverified_member).get(path)
    assert not cached(unverified) and ask.search(unverified.content.decode())


def test_a_pet_no_longer_listed_is_not_shown_from_a_stored_page(client_for, owner):
    pet = PetFactory()
    path = f"/adoption/pets/{pet.pk}/"
    stored(client_for(owner), path)
    Pet.objects.filter(pk=pet.pk).update(
        status=Pet.Status.WITHDRAWN
    )  # no signal: the key's facts still see it
    assert client_for(owner).get(path).status_code == 404


# --- a vet ------------------------------------------------------------------------------------------
def test_a_member_with_an_open_consultation_sees_it_on_the_vets_shared_page(client_for, owner, other_member):
    profile = VetProfileFactory()
    path = f"/vets/{profile.user_id}/"
    budi, citra = client_for(owner), client_for(other_member)
    consult_link = f"/vets/{profile.user_id}/consult/"
    assert consult_link in budi.get(path).content.decode()
    assert cached(citra.get(path))
    consultation = ConsultationFactory(owner=owner, vet=profile.user, status=Status.WAITING)
    html = budi.get(path).content.decode()
    assert consultation.get_absolute_url() in html
    other = citra.get(path)
    assert consultation.get_absolute_url() not in other.content.decode()
    vet_page = client_for(profile.user).get(path)
    assert "X-Page-Cache" not in vet_page.headers and 'href="/vets/me/"' in vet_page.content.decode()
