"""My pets: the owner keeps the record; nobody else sees it on the site."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pets import services
from pets.models import Pet, Species, Vaccination
from tests.factories import image_bytes, image_file
from tests.pets.factories import PetFactory, VaccinationFactory, WeightFactory

pytestmark = pytest.mark.django_db


def test_owner_adds_a_pet_with_estimated_age(client_for, owner):
    cat = Species.objects.get(slug="cat")
    breed = cat.breeds.first()
    response = client_for(owner).post(
        "/pets/new/",
        {
            "name": "Oyen", "species": cat.pk, "breed": breed.pk, "sex": "male", "age_estimate_months": 14,
            "colour": "oranye", "sterilised": "on", "microchip": "", "allergies": "Ikan",
            "chronic_conditions": "", "notes": "",
        },
    )  # fmt: skip
    pet = Pet.objects.get(owner=owner, name="Oyen")
    assert response.status_code == 302 and response["Location"] == f"/pets/{pet.pk}/"
    assert pet.birth_date_is_estimate and pet.age_months in (13, 14)
    assert pet.breed == breed and pet.sterilised and pet.allergies == "Ikan"


def test_breed_of_another_species_is_refused_with_400(client_for, owner):
    dog_breed = Species.objects.get(slug="dog").breeds.first()
    cat = Species.objects.get(slug="cat")
    response = client_for(owner).post(
        "/pets/new/", {"name": "Oyen", "species": cat.pk, "breed": dog_breed.pk}
    )
    assert response.status_code == 400
    assert response.context["form"].has_error("breed")
    assert not Pet.objects.filter(owner=owner).exists()


def test_record_shows_weights_chart_vaccinations_and_allergies(client_for, pet):
    page = client_for(pet.owner).get(f"/pets/{pet.pk}/").content.decode()
    assert '<svg class="chart weight-chart"' in page and "<polyline" in page
    assert page.count('<circle class="point"') == 2
    assert "Tricat (F3)" in page and "Klinik Hewan Sehat" in page
    assert "Ayam (chicken)" in page


def test_owner_records_weight_and_vaccination_with_proof(client_for, pet):
    client = client_for(pet.owner)
    today = timezone.localdate()
    response = client.post(f"/pets/{pet.pk}/weights/", {"measured_on": today.isoformat(), "kg": "4.55"})
    assert response.status_code == 302
    assert pet.weights.filter(kg=Decimal("4.55")).exists()
    response = client.post(
        f"/pets/{pet.pk}/vaccinations/",
        {
            "vaccine": "Rabies", "given_on": today.isoformat(),
            "next_due": (today + datetime.timedelta(days=365)).isoformat(), "given_by": "drh. Sari",
            "new_proof": image_file("buku.jpg"),
        },
    )  # fmt: skip
    assert response.status_code == 302
    vaccination = pet.vaccinations.get(vaccine="Rabies")
    assert vaccination.proof.name.startswith(f"pets/{pet.pk}/vaccinations/")
    proof = client.get(f"/pets/{pet.pk}/vaccinations/{vaccination.pk}/proof/")
    assert proof.status_code == 200 and proof["Cache-Control"] == "private, no-store"


def test_bad_weight_and_vaccination_dates_are_400_not_500(client_for, pet):
    client = client_for(pet.owner)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert client.post(f"/pets/{pet.pk}/weights/", {"measured_on": tomorrow, "kg": "4"}).status_code == 400
    assert client.post(f"/pets/{pet.pk}/weights/", {"measured_on": "x", "kg": "-1"}).status_code == 400
    response = client.post(
        f"/pets/{pet.pk}/vaccinations/",
        {"vaccine": "Rabies", "given_on": "2026-01-10", "next_due": "2026-01-01"},
    )
    assert response.status_code == 400
    assert response.context["vaccination_form"].has_error("next_due")
    response = client.post(
        f"/pets/{pet.pk}/vaccinations/",
        {"vaccine": "Rabies", "given_on": "2026-01-10", "new_proof": image_file("x.txt", fmt="PNG")},
    )
    assert response.status_code == 302  # a real PNG named .txt is fine: content decides
    response = client.post(
        f"/pets/{pet.pk}/vaccinations/",
        {"vaccine": "Rabies", "given_on": "2026-01-10", "new_proof": image_file_bad()},
    )
    assert response.status_code == 400


def image_file_bad():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("proof.jpg", b"not an image at all", content_type="image/jpeg")


def test_photo_is_private_and_served_to_the_owner(client_for, owner):
    client = client_for(owner)
    cat = Species.objects.get(slug="cat")
    client.post("/pets/new/", {"name": "Oyen", "species": cat.pk, "sex": "male", "new_photo": image_file()})
    pet = Pet.objects.get(owner=owner)
    assert pet.photo.name.startswith(f"pets/{pet.pk}/photo/")
    with pytest.raises(ValueError):
        pet.photo.url  # private storage has no URL
    response = client.get(f"/pets/{pet.pk}/photo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_reminders_switch_per_pet(client_for, pet):
    client = client_for(pet.owner)
    client.post(f"/pets/{pet.pk}/reminders/", {})
    pet.refresh_from_db()
    assert not pet.vaccination_reminders
    client.post(f"/pets/{pet.pk}/reminders/", {"enabled": "on"})
    pet.refresh_from_db()
    assert pet.vaccination_reminders


def test_list_queries_do_not_grow_with_pets(client_for, owner, django_assert_max_num_queries):
    client = client_for(owner)
    for _ in range(2):
        p = PetFactory(owner=owner)
        WeightFactory(pet=p)
        VaccinationFactory(pet=p)
    client.get("/pets/")  # who asks and the unread badge are then remembered (cache)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/pets/").status_code == 200
    for _ in range(8):
        p = PetFactory(owner=owner)
        WeightFactory(pet=p)
        WeightFactory(pet=p, kg="5.00")
        VaccinationFactory(pet=p)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/pets/").content.decode()
    assert page.count('class="card pet-card"') == 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_detail_queries_do_not_grow_with_weights_and_vaccinations(client_for, pet):
    client = client_for(pet.owner)
    client.get(f"/pets/{pet.pk}/")  # who asks and the unread badge are then remembered (cache)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/pets/{pet.pk}/")
    for day in range(1, 20):
        WeightFactory(pet=pet, measured_on=timezone.localdate() - datetime.timedelta(days=day))
        VaccinationFactory(pet=pet, vaccine=f"V{day}")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/pets/{pet.pk}/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_read_only_copy_cannot_be_changed(client_for, pet, other_member):
    services.pet_hand_over(pet=pet, to=other_member, share_medical_notes=True)
    copy = Pet.objects.get(owner=pet.owner)
    assert copy.is_read_only and copy.copy_of_id == pet.pk
    client = client_for(pet.owner)
    assert client.get(f"/pets/{copy.pk}/").status_code == 200
    assert client.get(f"/pets/{copy.pk}/edit/").status_code == 404
    assert (
        client.post(f"/pets/{copy.pk}/weights/", {"measured_on": "2026-01-01", "kg": "4"}).status_code == 404
    )


def test_hand_over_without_medical_notes_keeps_vaccinations_and_weights(pet, other_member):
    moved = services.pet_hand_over(pet=pet, to=other_member, share_medical_notes=False)
    assert moved.pk == pet.pk and moved.owner == other_member
    assert moved.vaccinations.count() == 1 and moved.weights.count() == 2
    assert moved.allergies == "" and moved.medical_history_since is not None
    copy = Pet.objects.get(copy_of=moved)
    assert copy.owner == pet.owner and copy.allergies == "Ayam (chicken)"
    assert copy.vaccinations.count() == 1 and copy.weights.count() == 2
    assert not copy.vaccinations.get().proof  # the proof file stays with the record


# --- access matrix ------------------------------------------------------------------------------------
def _pet_urls(pet):
    vaccination = pet.vaccinations.first()
    weight = pet.weights.first()
    return [
        ("get", f"/pets/{pet.pk}/"),
        ("get", f"/pets/{pet.pk}/edit/"),
        ("get", f"/pets/{pet.pk}/photo/"),
        ("get", f"/pets/{pet.pk}/vaccinations/{vaccination.pk}/proof/"),
        ("post", f"/pets/{pet.pk}/weights/"),
        ("post", f"/pets/{pet.pk}/weights/{weight.pk}/delete/"),
        ("post", f"/pets/{pet.pk}/vaccinations/"),
        ("post", f"/pets/{pet.pk}/vaccinations/{vaccination.pk}/delete/"),
        ("post", f"/pets/{pet.pk}/reminders/"),
    ]


@pytest.mark.parametrize("persona", ["other_member", "vet", "staff", "salon_manager"])
def test_nobody_but_the_owner_sees_any_pet_page_or_file(request, client_for, pet, persona):
    if persona == "salon_manager":
        from tests.grooming.factories import SalonManagerFactory

        user = SalonManagerFactory()
    else:
        user = request.getfixturevalue(persona)
    pet.photo = image_file()
    pet.save()
    client = client_for(user)
    for method, url in _pet_urls(pet):
        assert getattr(client, method)(url).status_code == 404, url
    assert Vaccination.objects.filter(pet=pet).count() == 1 and pet.weights.count() == 2
    assert pet.owner.pk not in [p.owner_id for p in []]
    assert str(pet.pk) not in client.get("/pets/").content.decode()


def test_anonymous_is_sent_to_login_for_pages_and_gets_404_for_files(client, pet):
    assert client.get(f"/pets/{pet.pk}/").status_code == 302
    assert client.get("/pets/").status_code == 302
    vaccination = pet.vaccinations.get()
    assert client.get(f"/pets/{pet.pk}/vaccinations/{vaccination.pk}/proof/").status_code == 404
    assert client.get(f"/pets/{pet.pk}/photo/").status_code == 404


def test_staff_manage_pets_in_admin(client_for, staff, pet):
    client = client_for(staff)
    assert client.get("/admin/pets/pet/").status_code == 200
    assert client.get(f"/admin/pets/pet/{pet.pk}/change/").status_code == 200
    assert client.get("/admin/pets/species/").status_code == 200


def test_image_bytes_helper_sanity():
    assert image_bytes()[:2] == b"\xff\xd8"
