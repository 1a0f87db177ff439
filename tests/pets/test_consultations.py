"""A consultation is about one of the owner's pets; the vet reads that pet's record beside the chat
while the consultation is open and for 7 days after; the owner sees who looked."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import services
from consultations.models import Consultation, PrescribedItem
from pets.models import AccessLog, Pet, Species, Treatment
from tests import factories
from tests.consultations.factories import ConsultationFactory, VetProfileFactory
from tests.pets.factories import PetFactory, VaccinationFactory

pytestmark = pytest.mark.django_db
Status = Consultation.Status


@pytest.fixture
def vet_profile(vet):
    return VetProfileFactory(user=vet)


@pytest.fixture
def other_vet(db):
    user = factories.VetFactory(full_name="drh. Made Wirawan")
    VetProfileFactory(user=user)
    return user


def consult(pet, vet, status=Status.ACTIVE, **fields):
    fields.setdefault("pet_name", pet.name)
    return ConsultationFactory(owner=pet.owner, vet=vet, pet=pet, status=status, **fields)


def ended(pet, vet, *, days_ago=1, summary="Hairball. Sisir tiap hari."):
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return consult(pet, vet, Status.ENDED, ended_at=when, summary=summary, summary_at=when)


# --- booking ------------------------------------------------------------------------------------------
def test_booking_for_one_of_my_pets_fills_the_typed_fields_from_the_record(client_for, pet, vet_profile):
    response = client_for(pet.owner).post(
        f"/vets/{vet_profile.user_id}/consult/", {"pet": str(pet.pk), "complaint": "Muntah."}
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.pet == pet and consultation.pet_name == "Mochi"
    assert consultation.pet_species.slug == "cats" and consultation.pet_age == pet.age_label


def test_booking_page_offers_my_pets_only(client_for, pet, other_member, vet_profile):
    PetFactory(owner=other_member, name="Kiko")
    page = client_for(pet.owner).get(f"/vets/{vet_profile.user_id}/consult/").content.decode()
    assert "Mochi" in page and "Kiko" not in page


def test_booking_for_someone_elses_pet_is_a_form_error(client_for, other_member, pet, vet_profile):
    response = client_for(other_member).post(
        f"/vets/{vet_profile.user_id}/consult/", {"pet": str(pet.pk), "complaint": "Muntah."}
    )
    assert response.status_code == 400 and "pet" in response.context["form"].errors
    assert not Consultation.objects.exists()


def test_adding_a_pet_inline_puts_it_in_my_pets(client_for, owner, vet_profile):
    dog = Species.objects.get(slug="dog")
    response = client_for(owner).post(
        f"/vets/{vet_profile.user_id}/consult/",
        {"pet": "new", "new_name": "Bruno", "new_species": dog.pk, "complaint": "Gatal."},
    )
    assert response.status_code == 302
    pet = Pet.objects.get(owner=owner)
    assert pet.name == "Bruno" and Consultation.objects.get().pet == pet
    assert Consultation.objects.get().pet_species.slug == "dogs"


def test_a_failed_booking_does_not_leave_a_new_pet_behind(client_for, owner, vet_profile):
    vet_profile.availability = "offline"
    vet_profile.save()
    dog = Species.objects.get(slug="dog")
    response = client_for(owner).post(
        f"/vets/{vet_profile.user_id}/consult/",
        {"pet": "new", "new_name": "Bruno", "new_species": dog.pk, "complaint": "Gatal."},
    )
    assert response.status_code == 400
    assert not Pet.objects.exists()


def test_old_consultations_without_a_pet_still_open_for_everyone(client_for, owner, vet):
    consultation = ConsultationFactory(owner=owner, vet=vet, status=Status.ENDED, summary="Lama.")
    assert consultation.pet is None
    assert client_for(owner).get(f"/consultations/{consultation.pk}/").status_code == 200
    page = client_for(vet).get(f"/consultations/{consultation.pk}/").content.decode()
    assert 'id="pet-panel"' not in page


# --- the vet's side panel ---------------------------------------------------------------------------
def test_vet_sees_record_vaccinations_and_earlier_summaries_of_that_pet_only(client_for, pet, vet, other_vet):
    ended(pet, other_vet, days_ago=30, summary="Flu kucing ringan. Vitamin.")
    other_pet = PetFactory(owner=pet.owner, name="Oyen")
    ended(other_pet, other_vet, days_ago=10, summary="RAHASIA OYEN")
    consultation = consult(pet, vet)
    page = client_for(vet).get(f"/consultations/{consultation.pk}/").content.decode()
    assert 'id="pet-panel"' in page
    assert "Tricat (F3)" in page and "Ayam (chicken)" in page
    assert "Flu kucing ringan. Vitamin." in page
    assert "RAHASIA OYEN" not in page


def test_the_owner_sees_who_looked(client_for, pet, vet):
    consultation = consult(pet, vet)
    client_for(vet).get(f"/consultations/{consultation.pk}/")
    client_for(vet).get(f"/consultations/{consultation.pk}/")  # a reload is the same look
    log = AccessLog.objects.get(pet=pet)
    assert log.viewer == vet and log.what == "record"
    page = client_for(pet.owner).get(f"/pets/{pet.pk}/").content.decode()
    assert vet.full_name in page and 'id="access-log"' in page


def test_the_record_closes_seven_days_after_the_end(client_for, pet, vet):
    recent = ended(pet, vet, days_ago=6)
    vaccination = pet.vaccinations.get()
    proof = f"/pets/{pet.pk}/vaccinations/{vaccination.pk}/proof/"
    assert 'id="pet-panel"' in client_for(vet).get(f"/consultations/{recent.pk}/").content.decode()
    assert client_for(vet).get(proof).status_code == 200
    Consultation.objects.filter(pk=recent.pk).update(ended_at=timezone.now() - datetime.timedelta(days=8))
    page = client_for(vet).get(f"/consultations/{recent.pk}/").content.decode()
    assert "Tricat (F3)" not in page and "Ayam (chicken)" not in page
    assert client_for(vet).get(proof).status_code == 404


@pytest.mark.parametrize("status", [Status.AWAITING_PAYMENT, Status.CANCELLED, Status.EXPIRED])
def test_no_record_for_unpaid_or_cancelled_consultations(client_for, pet, vet, status):
    consult(pet, vet, status, ended_at=timezone.now())
    vaccination = pet.vaccinations.get()
    assert client_for(vet).get(f"/pets/{pet.pk}/vaccinations/{vaccination.pk}/proof/").status_code == 404


def test_a_vet_of_another_pet_gets_404_on_every_file_of_this_one(client_for, pet, vet, other_vet):
    consult(pet, vet)
    other_pet = PetFactory(owner=pet.owner)
    consult(other_pet, other_vet)
    pet.photo = factories.image_file()
    pet.save()
    vaccination = pet.vaccinations.get()
    client = client_for(other_vet)
    for url in (
        f"/pets/{pet.pk}/",
        f"/pets/{pet.pk}/photo/",
        f"/pets/{pet.pk}/vaccinations/{vaccination.pk}/proof/",
    ):
        assert client.get(url).status_code == 404, url
    # The consultation's own vet may open the files (not the pages) and it is audited.
    assert client_for(vet).get(f"/pets/{pet.pk}/photo/").status_code == 200
    assert client_for(vet).get(f"/pets/{pet.pk}/").status_code == 404
    assert AccessLog.objects.filter(pet=pet, viewer=vet, what="photo").exists()
    assert not AccessLog.objects.filter(viewer=other_vet).exists()


def test_side_panel_queries_do_not_grow_with_the_record(client_for, pet, vet, other_vet):
    consultation = consult(pet, vet)
    client = client_for(vet)
    client.get(f"/consultations/{consultation.pk}/")  # first look writes the audit line
    ended(pet, other_vet, days_ago=40)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/consultations/{consultation.pk}/").status_code == 200
    for n in range(6):
        c = ended(pet, other_vet, days_ago=30 - n, summary=f"Ringkasan {n}")
        PrescribedItem.objects.create(consultation=c, name=f"Obat {n}")
        VaccinationFactory(pet=pet, vaccine=f"Vaksin {n}", proof="")
        Treatment.objects.create(pet=pet, name=f"Obat {n}", prescribed_on=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "Ringkasan 5" in page and "Vaksin 5" in page
    assert len(many.captured_queries) == len(few.captured_queries)


# --- structured summary, printable page, follow-up ---------------------------------------------------
def end_with_prescription(client, consultation):
    return client.post(
        f"/consultations/{consultation.pk}/end/",
        {
            "assessment": "Radang kulit ringan.",
            "advice": "Jaga tetap kering.",
            "end-items-TOTAL_FORMS": "3", "end-items-INITIAL_FORMS": "0",
            "end-items-0-name": "Salep Gentamicin", "end-items-0-dose": "oles tipis",
            "end-items-0-frequency": "2x sehari", "end-items-0-days": "7",
            "end-items-1-name": "", "end-items-2-name": "",
        },
    )  # fmt: skip


def test_vet_ends_with_a_prescription_that_lands_on_the_record(client_for, pet, vet):
    consultation = consult(pet, vet)
    assert end_with_prescription(client_for(vet), consultation).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.ENDED
    assert consultation.assessment == "Radang kulit ringan." and "Salep Gentamicin" in consultation.summary
    item = consultation.prescribed_items.get()
    assert (item.dose, item.frequency, item.days) == ("oles tipis", "2x sehari", 7)
    treatment = pet.treatments.get()
    assert treatment.name == "Salep Gentamicin" and treatment.prescribed_by == vet.full_name
    page = client_for(pet.owner).get(f"/pets/{pet.pk}/").content.decode()
    assert "Salep Gentamicin" in page and "Radang kulit ringan." in page


def test_correcting_the_summary_replaces_the_items_on_the_record(client_for, pet, vet):
    consultation = consult(pet, vet)
    end_with_prescription(client_for(vet), consultation)
    response = client_for(vet).post(
        f"/consultations/{consultation.pk}/summary/",
        {
            "assessment": "Radang kulit.", "advice": "Kering.",
            "summary-items-TOTAL_FORMS": "1", "summary-items-INITIAL_FORMS": "0",
            "summary-items-0-name": "Amoxicillin", "summary-items-0-days": "5",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert list(pet.treatments.values_list("name", flat=True)) == ["Amoxicillin"]


def test_bad_item_days_are_a_400_that_keeps_the_form(client_for, pet, vet):
    consultation = consult(pet, vet)
    response = client_for(vet).post(
        f"/consultations/{consultation.pk}/end/",
        {
            "assessment": "x", "advice": "y", "end-items-TOTAL_FORMS": "1", "end-items-INITIAL_FORMS": "0",
            "end-items-0-name": "Obat", "end-items-0-days": "-3",
        },
    )  # fmt: skip
    assert response.status_code == 400
    consultation.refresh_from_db()
    assert consultation.status == Status.ACTIVE


def test_printable_summary_for_owner_and_vet_404_for_others(client_for, pet, vet, other_member, other_vet):
    consultation = consult(pet, vet)
    end_with_prescription(client_for(vet), consultation)
    url = f"/consultations/{consultation.pk}/summary/print/"
    page = client_for(pet.owner).get(url).content.decode()
    assert "Salep Gentamicin" in page and "css/summary" in page
    assert client_for(vet).get(url).status_code == 200
    assert client_for(other_member).get(url).status_code == 404
    assert client_for(other_vet).get(url).status_code == 404


def test_free_follow_up_within_three_days_once(client_for, pet, vet, vet_profile):
    consultation = consult(pet, vet)
    end_with_prescription(client_for(vet), consultation)
    client = client_for(pet.owner)
    url = f"/consultations/{consultation.pk}/summary/print/"
    assert 'id="follow-up"' in client.get(url).content.decode()
    response = client.post(url, {"complaint": "Masih gatal sedikit."})
    follow_up = Consultation.objects.get(follow_up_of=consultation)
    assert response.status_code == 302 and response["Location"] == f"/consultations/{follow_up.pk}/"
    assert follow_up.status == Status.WAITING and follow_up.fee == 0 and follow_up.payment is None
    assert follow_up.vet == vet and follow_up.pet == pet
    from notifications.models import Notification

    told = Notification.objects.get(recipient=vet, kind="consultations.waiting")
    assert told.title == "Konsultasi lanjutan gratis: Mochi"
    assert client.post(url, {"complaint": "Lagi"}).status_code == 409
    assert client_for(vet).post(url, {"complaint": "x"}).status_code == 404


def test_no_free_follow_up_after_three_days(client_for, pet, vet):
    consultation = ended(pet, vet, days_ago=4)
    url = f"/consultations/{consultation.pk}/summary/print/"
    client = client_for(pet.owner)
    assert 'id="follow-up"' not in client.get(url).content.decode()
    assert client.post(url, {"complaint": "Masih gatal."}).status_code == 409
    assert not Consultation.objects.filter(follow_up_of=consultation).exists()


def test_follow_up_service_refuses_another_owner(pet, vet, other_member):
    from django.core.exceptions import PermissionDenied

    consultation = ended(pet, vet)
    with pytest.raises(PermissionDenied):
        services.consultation_follow_up(consultation=consultation, owner=other_member, complaint="x")
