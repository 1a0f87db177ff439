"""Grooming bookings take the pet from its record: species, size (latest weight, salon size bands),
allergies for the salon on that booking only."""

import datetime as dt
from decimal import Decimal

import pytest

from grooming.models import Booking
from grooming.pet_record import size_for_weight
from pets.models import Species
from tests.grooming.factories import SalonFactory, SalonManagerFactory, ServiceFactory, tomorrow_at
from tests.pets.factories import PetFactory, WeightFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def salon_manager(db):
    return SalonManagerFactory(full_name="Andi Wijaya")


@pytest.fixture
def salon(salon_manager):
    salon = SalonFactory(name="Pawfect Grooming", slug="pawfect")
    salon.managers.add(salon_manager)
    return salon


@pytest.mark.parametrize(
    "kg, size", [("0.8", "s"), ("5.00", "s"), ("5.01", "m"), ("10", "m"), ("24.9", "l"), ("31", "xl")]
)
def test_size_bands(kg, size):
    assert size_for_weight(Decimal(kg)) == size


def test_book_page_prefills_species_and_size_from_the_record(client_for, pet, salon):
    small_bath = ServiceFactory(salon=salon, name="Mandi kucing kecil", species="cat", size="s")
    ServiceFactory(salon=salon, name="Mandi anjing", species="dog", size="any")
    page = client_for(pet.owner).get(f"/grooming/{salon.slug}/book/?pet={pet.pk}").content.decode()
    assert 'id="pet-profile"' in page and 'data-size="s"' in page and "4,20 kg" in page
    assert f"?service={small_bath.pk}&amp;pet={pet.pk}" in page
    form = client_for(pet.owner).get(f"/grooming/{salon.slug}/book/?pet={pet.pk}&service={small_bath.pk}")
    fields = form.context["form"]
    assert fields["pet"].initial == str(pet.pk) and fields["pet_species"].initial == "cat"


def test_book_page_says_in_words_which_services_are_not_for_the_pet(client_for, pet, salon):
    ServiceFactory(salon=salon, name="Mandi kucing kecil", species="cat", size="s")
    ServiceFactory(salon=salon, name="Mandi anjing", species="dog", size="any")
    page = client_for(pet.owner).get(f"/grooming/{salon.slug}/book/?pet={pet.pk}").content.decode()
    assert page.count(f"cocok untuk {pet.name}") == 2  # "cocok untuk" once, "tidak cocok untuk" once
    assert "Tidak ada layanan salon ini" not in page


def test_book_page_points_to_other_salons_when_nothing_fits_the_pet(client_for, pet, salon):
    ServiceFactory(salon=salon, name="Mandi anjing", species="dog", size="any")
    page = client_for(pet.owner).get(f"/grooming/{salon.slug}/book/?pet={pet.pk}").content.decode()
    assert "Tidak ada layanan salon ini" in page
    assert f"/grooming/?city={salon.city.code}&amp;species=cat" in page


def test_booking_for_a_pet_copies_species_size_and_allergies(client_for, pet, salon, salon_manager):
    bath = ServiceFactory(salon=salon, species="cat", size="s")
    start = tomorrow_at(salon, 10)
    url = f"/grooming/{salon.slug}/book/?service={bath.pk}&date={start.date().isoformat()}&pet={pet.pk}"
    response = client_for(pet.owner).post(
        url, {"slot": start.isoformat(), "pet": str(pet.pk), "pet_species": "cat", "notes": "Takut air."}
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert (booking.pet, booking.pet_name, booking.pet_species, booking.pet_size) == (
        pet,
        "Mochi",
        "cat",
        "s",
    )
    assert booking.pet_allergies == "Ayam (chicken)"
    detail = client_for(salon_manager).get(f"/grooming/bookings/{booking.pk}/").content.decode()
    assert "Ayam (chicken)" in detail
    # A booking shows the salon the allergies, never the record itself.
    assert client_for(salon_manager).get(f"/pets/{pet.pk}/").status_code == 404
    assert client_for(salon_manager).get(f"/pets/{pet.pk}/photo/").status_code == 404
    # The notes carry over to the next booking for the same pet.
    form = client_for(pet.owner).get(f"/grooming/{salon.slug}/book/?service={bath.pk}&pet={pet.pk}")
    assert form.context["form"]["notes"].initial == "Takut air."


def test_a_service_for_another_species_or_size_is_a_clear_400(client_for, pet, salon):
    dog_bath = ServiceFactory(salon=salon, species="dog")
    large_cat = ServiceFactory(salon=salon, species="cat", size="l")
    start = tomorrow_at(salon, 10)
    for service in (dog_bath, large_cat):
        url = f"/grooming/{salon.slug}/book/?service={service.pk}&date={start.date().isoformat()}"
        data = {"slot": start.isoformat(), "pet": str(pet.pk), "pet_species": service.species}
        response = client_for(pet.owner).post(url, data)
        assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert not Booking.objects.exists()


def test_someone_elses_pet_cannot_be_booked(client_for, pet, other_member, salon):
    bath = ServiceFactory(salon=salon, species="cat")
    start = tomorrow_at(salon, 10)
    url = f"/grooming/{salon.slug}/book/?service={bath.pk}&date={start.date().isoformat()}"
    response = client_for(other_member).post(
        url, {"slot": start.isoformat(), "pet": str(pet.pk), "pet_species": "cat"}
    )
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_booking_appears_on_the_pet_timeline(client_for, pet, salon):
    bath = ServiceFactory(salon=salon, species="cat", name="Mandi wangi")
    start = tomorrow_at(salon, 11)
    url = f"/grooming/{salon.slug}/book/?service={bath.pk}&date={start.date().isoformat()}"
    client_for(pet.owner).post(url, {"slot": start.isoformat(), "pet": str(pet.pk), "pet_species": "cat"})
    page = client_for(pet.owner).get(f"/pets/{pet.pk}/").content.decode()
    assert "Mandi wangi" in page and "Pawfect Grooming" in page


def test_unknown_size_still_books_any_size_services(client_for, owner, salon):
    pet = PetFactory(owner=owner, species=Species.objects.get(slug="dog"), name="Bruno")
    bath = ServiceFactory(salon=salon, species="dog", size="any")
    start = tomorrow_at(salon, 10)
    url = f"/grooming/{salon.slug}/book/?service={bath.pk}&date={start.date().isoformat()}"
    client_for(owner).post(url, {"slot": start.isoformat(), "pet": str(pet.pk), "pet_species": "dog"})
    booking = Booking.objects.get()
    assert booking.pet_size == "" and booking.pet_species == "dog"
    WeightFactory(pet=pet, kg="12", measured_on=dt.date.today())
