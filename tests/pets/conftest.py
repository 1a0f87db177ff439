import pytest

from tests.pets.factories import PetFactory, VaccinationFactory, WeightFactory


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def pet(owner):
    pet = PetFactory(owner=owner, name="Mochi", allergies="Ayam (chicken)")
    WeightFactory(pet=pet, kg="3.80", measured_on=pet.birth_date.replace(year=pet.birth_date.year + 1))
    WeightFactory(pet=pet, kg="4.20")
    VaccinationFactory(pet=pet)
    return pet
