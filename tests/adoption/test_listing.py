"""Listing a pet: verification gate, add / edit / delete with valid and invalid data, staff review."""

import pytest
from django.core import mail

from adoption import services
from adoption.models import Pet, Species
from notifications.models import Notification
from tests import factories as base
from tests.adoption.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def pet_form(**overrides):
    data = {
        "name": "Kopi",
        "species": Species.objects.get(slug="dog").pk,
        "sex": "male",
        "birth_date": "2024-03-01",
        "size": "medium",
        "colour": "Cokelat",
        "description": "Ramah dan aktif.",
        "medical_history": "Sehat.",
        "fee": "150000",
        "rehoming_reason": "Pindah ke apartemen.",
        "city": base.regency("32.73").pk,
        "photos": [base.image_file("a.jpg"), base.image_file("b.png", fmt="PNG")],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_basic_species_exist_after_migrate():
    assert set(Species.objects.values_list("slug", flat=True)) >= {"dog", "cat", "rabbit", "bird"}
    assert Species.objects.get(slug="cat").breeds.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get("/adoption/pets/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unverified_member_cannot_list_and_is_pointed_to_verification(client_for, unverified_member):
    client = client_for(unverified_member)
    response = client.post("/adoption/pets/new/", pet_form(), follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/verification/"
    assert (
        "verified identity" in response.content.decode() or "identitas" in response.content.decode().lower()
    )
    assert not Pet.objects.exists()


def test_unverified_member_is_refused_by_the_service_too(unverified_member):
    with pytest.raises(Exception, match="Verify|Verifikasi"):
        services.pet_create(lister=unverified_member, data={})


def test_verified_member_lists_a_pet_pending_review(client_for, owner):
    response = client_for(owner).post("/adoption/pets/new/", pet_form())
    assert response.status_code == 302
    pet = Pet.objects.get()
    assert pet.status == Pet.Status.PENDING_REVIEW
    assert pet.lister == owner and pet.fee == 150000 and pet.photos.count() == 2
    assert not pet.birth_date_is_estimate
    # Not visible to others until staff approve it.
    assert client_for(None).get(f"/adoption/pets/{pet.pk}/").status_code == 404
    assert client_for(owner).get(f"/adoption/pets/{pet.pk}/").status_code == 200


def test_shelter_can_list(client_for):
    shelter = base.VerifiedMemberFactory(is_shelter=True, organisation_name="Rumah Singgah Satwa")
    assert client_for(shelter).post("/adoption/pets/new/", pet_form()).status_code == 302
    assert Pet.objects.get().lister == shelter


def test_estimated_age_is_accepted(client_for, owner):
    client_for(owner).post("/adoption/pets/new/", pet_form(birth_date=None, age_estimate_months="18"))
    pet = Pet.objects.get()
    assert pet.birth_date_is_estimate and pet.age_months in (17, 18)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": ""}, "name"),
        ({"birth_date": None}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"fee": "-5"}, "fee"),
        ({"fee": "abc"}, "fee"),
        ({"photos": None}, "photos"),
        ({"photos": [base.image_file(f"{i}.jpg") for i in range(7)]}, "photos"),
        ({"vaccinated": "on"}, "vaccination_book"),
        ({"species": "999999"}, "species"),
    ],
)
def test_invalid_listing_shows_errors_and_keeps_input(client_for, owner, overrides, field):
    from django.core.files.base import ContentFile

    if field == "photos" and overrides.get("photos") is None:
        overrides = {"photos": None}
    response = client_for(owner).post("/adoption/pets/new/", pet_form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'value="Cokelat"' in response.content.decode() or overrides.get("colour")
    assert not Pet.objects.exists()
    del ContentFile


def test_non_image_photo_is_refused(client_for, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cat.jpg", b"not an image at all", content_type="image/jpeg")
    response = client_for(owner).post("/adoption/pets/new/", pet_form(photos=[fake]))
    assert response.status_code == 400 and "photos" in response.context["form"].errors


def test_breed_of_another_species_is_refused(client_for, owner):
    cat_breed = Species.objects.get(slug="cat").breeds.first()
    response = client_for(owner).post("/adoption/pets/new/", pet_form(breed=cat_breed.pk))
    assert response.status_code == 400 and "breed" in response.context["form"].errors


def test_lister_edits_a_pet(client_for, lister, pet):
    data = pet_form(name="Mochi Baru", species=pet.species_id, photos=None, fee="0")
    response = client_for(lister).post(f"/adoption/pets/{pet.pk}/edit/", data)
    assert response.status_code == 302
    pet.refresh_from_db()
    assert pet.name == "Mochi Baru" and pet.fee == 0 and pet.photos.count() == 1


def test_edit_with_invalid_data_keeps_old_values(client_for, lister, pet):
    response = client_for(lister).post(f"/adoption/pets/{pet.pk}/edit/", pet_form(name="", photos=None))
    assert response.status_code == 400 and "name" in response.context["form"].errors
    pet.refresh_from_db()
    assert pet.name == "Mochi"


def test_edit_removing_the_last_photo_is_refused(client_for, lister, pet):
    photo = pet.photos.get()
    data = pet_form(species=pet.species_id, photos=None, remove_photos=[photo.pk])
    response = client_for(lister).post(f"/adoption/pets/{pet.pk}/edit/", data)
    assert response.status_code == 400 and "photos" in response.context["form"].errors


def test_rejected_listing_goes_back_to_review_after_edit(client_for, lister, pet, staff):
    pet.status = Pet.Status.PENDING_REVIEW
    pet.save()
    services.pet_reject(pet=pet, by=staff, reason="Foto buram")
    client_for(lister).post(f"/adoption/pets/{pet.pk}/edit/", pet_form(species=pet.species_id, photos=None))
    pet.refresh_from_db()
    assert pet.status == Pet.Status.PENDING_REVIEW and pet.rejection_reason == ""


def test_other_member_cannot_edit_or_delete(client_for, other_member, pet):
    client = client_for(other_member)
    assert client.get(f"/adoption/pets/{pet.pk}/edit/").status_code == 404
    assert client.post(f"/adoption/pets/{pet.pk}/edit/", pet_form()).status_code == 404
    assert client.post(f"/adoption/pets/{pet.pk}/delete/").status_code == 404
    assert Pet.objects.filter(pk=pet.pk).exists()


def test_lister_deletes_a_pet_without_applications(client_for, lister, pet):
    client = client_for(lister)
    assert client.get(f"/adoption/pets/{pet.pk}/delete/").status_code == 200
    assert client.post(f"/adoption/pets/{pet.pk}/delete/").status_code == 302
    assert not Pet.objects.filter(pk=pet.pk).exists()


def test_deleting_a_pet_with_applications_withdraws_it_and_tells_adopters(
    client_for, lister, pet, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lister).post(f"/adoption/pets/{pet.pk}/delete/")
    pet.refresh_from_db()
    application.refresh_from_db()
    assert pet.status == Pet.Status.WITHDRAWN and application.status == "closed"
    assert Notification.objects.filter(
        recipient=application.adopter, kind="adoption.application_closed"
    ).exists()


def test_reserved_pet_cannot_be_deleted(client_for, lister, pet):
    pet.status = Pet.Status.RESERVED
    pet.save()
    response = client_for(lister).post(f"/adoption/pets/{pet.pk}/delete/", follow=True)
    assert Pet.objects.filter(pk=pet.pk).exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_staff_approval_makes_the_pet_available_and_notifies(
    lister, staff, django_capture_on_commit_callbacks
):
    pet = ApplicationFactory._meta.model  # noqa: F841 (keep factories imported)
    from tests.adoption.factories import PetFactory

    pet = PetFactory(lister=lister, status=Pet.Status.PENDING_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.pet_approve(pet=pet, by=staff)
    pet.refresh_from_db()
    assert pet.status == Pet.Status.AVAILABLE and pet.reviewed_by == staff
    assert Notification.objects.filter(recipient=lister, kind="adoption.listing_approved").exists()
    assert len(mail.outbox) == 1


def test_staff_rejection_needs_a_reason_and_tells_the_lister(
    lister, staff, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from tests.adoption.factories import PetFactory

    pet = PetFactory(lister=lister, status=Pet.Status.PENDING_REVIEW)
    with pytest.raises(ValidationError):
        services.pet_reject(pet=pet, by=staff, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.pet_reject(pet=pet, by=staff, reason="Buku vaksin tidak terbaca")
    pet.refresh_from_db()
    assert pet.status == Pet.Status.REJECTED
    note = Notification.objects.get(recipient=lister, kind="adoption.listing_rejected")
    assert "Buku vaksin tidak terbaca" in note.body


def test_admin_review_queue_approve_and_reject_actions(client_for, staff, lister):
    from tests.adoption.factories import PetFactory

    a = PetFactory(lister=lister, status=Pet.Status.PENDING_REVIEW)
    b = PetFactory(lister=lister, status=Pet.Status.PENDING_REVIEW)
    client = client_for(staff)
    assert client.get("/admin/adoption/pet/?status__exact=pending_review").status_code == 200
    assert client.get(f"/admin/adoption/pet/{a.pk}/change/").status_code == 200
    client.post("/admin/adoption/pet/", {"action": "approve_selected", "_selected_action": [a.pk]})
    page = client.post("/admin/adoption/pet/", {"action": "reject_selected", "_selected_action": [b.pk]})
    assert page.status_code == 200 and b.name in page.content.decode()  # the intermediate page
    client.post(
        "/admin/adoption/pet/",
        {"action": "reject_selected", "_selected_action": [b.pk], "reason": "Foto buram"},
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Pet.Status.AVAILABLE
    assert b.status == Pet.Status.REJECTED and b.rejection_reason == "Foto buram"


def test_admin_pages_load(client_for, staff, application):
    client = client_for(staff)
    for url in [
        "/admin/pets/species/",
        "/admin/adoption/application/",
        "/admin/adoption/followupreport/",
        "/admin/adoption/application/?report=overdue",
        "/admin/adoption/application/?report=due",
        f"/admin/adoption/application/{application.pk}/change/",
        "/admin/pets/species/add/",
    ]:
        assert client.get(url).status_code == 200, url


# --- private vaccination book: anonymous, other member, adopter with an application, lister, staff ---
@pytest.mark.parametrize(
    "who, expected",
    [("anonymous", 404), ("other", 404), ("adopter", 404), ("lister", 200), ("staff", 200)],
)
def test_vaccination_book_is_private(
    client_for, who, expected, lister, pet, application, other_member, staff
):
    user = {
        "anonymous": None,
        "other": other_member,
        "adopter": application.adopter,
        "lister": lister,
        "staff": staff,
    }[who]
    response = client_for(user).get(f"/adoption/pets/{pet.pk}/vaccination-book/")
    assert response.status_code == expected
    if expected == 200:
        assert response["Cache-Control"] == "private, no-store"
        b"".join(response.streaming_content)


def test_vaccination_book_is_not_under_media_url(pet):
    from django.conf import settings

    with pytest.raises(ValueError):
        pet.vaccination_book.url
    assert not pet.vaccination_book.path.startswith(str(settings.MEDIA_ROOT))
