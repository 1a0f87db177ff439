"""Adoption hands the pet's record over: the adopter gets it in /pets/ with vaccinations and weights
(medical notes when the lister ticks it); the lister keeps a read-only copy; reports attach."""

import datetime

import pytest
from django.utils import timezone

from adoption import services as adoption_services
from adoption.models import FollowUpReport
from consultations.models import Consultation
from pets.models import Pet, Treatment
from tests import factories
from tests.adoption.factories import ApplicationFactory
from tests.adoption.factories import PetFactory as ListingFactory
from tests.consultations.factories import ConsultationFactory
from tests.pets.factories import PetFactory, VaccinationFactory, WeightFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(db):
    return factories.VerifiedMemberFactory(
        full_name="Rina Kusuma", is_shelter=True, organisation_name="Shelter Kasih Bandung"
    )


@pytest.fixture
def record(shelter):
    cat = PetFactory(owner=shelter, name="Belang", allergies="Udang", notes="Pernah cacingan.")
    WeightFactory(pet=cat, kg="3.10", measured_on=timezone.localdate() - datetime.timedelta(days=60))
    WeightFactory(pet=cat, kg="3.40")
    VaccinationFactory(pet=cat, vaccine="Tricat (F3)")
    Treatment.objects.create(pet=cat, name="Obat cacing", prescribed_on=timezone.localdate())
    return cat


def adopt(listing, adopter):
    application = ApplicationFactory(pet=listing, adopter=adopter)
    adoption_services.application_approve(
        application=application,
        by=listing.lister,
        pickup_at=timezone.now() + datetime.timedelta(days=1),
        pickup_address="Jl. Kucing 1",
        pickup_phone="+6281200000001",
    )
    application.refresh_from_db()
    # The pet came home a day earlier than planned (the adopter says so).
    adoption_services.application_confirm_received(application=application, by=adopter, early=True)
    return application


def test_listing_form_starts_from_my_pet(client_for, record):
    page = client_for(record.owner).get(f"/adoption/pets/new/?from={record.pk}")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["name"] == "Belang" and form.initial["vaccinated"] is True
    assert "Udang" in form.initial["medical_history"]


def test_listing_from_someone_elses_pet_is_404(client_for, record, owner):
    assert client_for(owner).get(f"/adoption/pets/new/?from={record.pk}").status_code == 404
    assert client_for(owner).get("/adoption/pets/new/?from=nonsense").status_code == 404


def test_handover_moves_the_record_with_medical_notes_when_ticked(client_for, record, owner, vet):
    earlier = ConsultationFactory(
        owner=record.owner, vet=vet, pet=record, status=Consultation.Status.ENDED,
        ended_at=timezone.now() - datetime.timedelta(days=20), summary="Cacingan; sudah diobati.",
    )  # fmt: skip
    listing = ListingFactory(lister=record.owner, record=record, status="available", share_medical_notes=True)
    application = adopt(listing, owner)
    record.refresh_from_db()
    assert record.owner == owner and not record.is_read_only
    assert record.vaccinations.count() == 1 and record.weights.count() == 2
    assert record.allergies == "Udang" and record.treatments.count() == 1
    page = client_for(owner).get("/pets/").content.decode()
    assert "Belang" in page
    detail = client_for(owner).get(f"/pets/{record.pk}/").content.decode()
    assert "Tricat (F3)" in detail and "Cacingan; sudah diobati." in detail
    # The lister keeps a read-only copy of the history up to the handover.
    copy = Pet.objects.get(owner=listing.lister)
    assert copy.is_read_only and copy.vaccinations.count() == 1 and copy.weights.count() == 2
    lister_page = client_for(listing.lister).get(f"/pets/{copy.pk}/").content.decode()
    assert "Tricat (F3)" in lister_page and "Cacingan; sudah diobati." in lister_page
    assert client_for(listing.lister).get(f"/pets/{record.pk}/").status_code == 404
    # Monthly reports attach to the adopter's record.
    FollowUpReport.objects.create(
        application=application, report_date=timezone.localdate(), photo=factories.image_file(),
        caption="Sudah betah, main terus.", condition="healthy",
    )  # fmt: skip
    page = client_for(owner).get(f"/pets/{record.pk}/").content.decode()
    assert "Sudah betah, main terus." in page
    assert "Sudah betah" not in client_for(listing.lister).get(f"/pets/{copy.pk}/").content.decode()
    assert earlier.pk


def test_handover_without_medical_notes_keeps_them_with_the_lister(client_for, record, owner, vet):
    ConsultationFactory(
        owner=record.owner, vet=vet, pet=record, status=Consultation.Status.ENDED,
        ended_at=timezone.now() - datetime.timedelta(days=20), summary="RAHASIA SHELTER",
    )  # fmt: skip
    listing = ListingFactory(
        lister=record.owner, record=record, status="available", share_medical_notes=False
    )
    adopt(listing, owner)
    record.refresh_from_db()
    assert record.owner == owner and record.allergies == "" and record.notes == ""
    assert record.vaccinations.count() == 1 and record.weights.count() == 2
    assert record.treatments.count() == 0
    detail = client_for(owner).get(f"/pets/{record.pk}/").content.decode()
    assert "RAHASIA SHELTER" not in detail and "Udang" not in detail and "Obat cacing" not in detail
    copy = Pet.objects.get(owner=listing.lister)
    assert copy.allergies == "Udang" and copy.treatments.count() == 1


def test_a_listing_without_record_still_gives_the_adopter_a_record(owner, shelter):
    listing = ListingFactory(lister=shelter, status="available", name="Kiko", medical_history="Steril 2025")
    adopt(listing, owner)
    pet = Pet.objects.get(owner=owner)
    assert pet.name == "Kiko" and pet.species == listing.species and pet.notes == ""
    listing.refresh_from_db()
    assert listing.record == pet
