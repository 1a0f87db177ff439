import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from pets.models import Pet, Species, Vaccination, Weight
from tests.factories import UserFactory, image_file


class PetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pet

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Mochi {n}")
    species = factory.LazyFunction(lambda: Species.objects.get(slug="cat"))
    sex = Pet.Sex.FEMALE
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3 * 365))
    colour = "oranye"


class WeightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Weight

    pet = factory.SubFactory(PetFactory)
    measured_on = factory.LazyFunction(timezone.localdate)
    kg = Decimal("4.20")


class VaccinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vaccination

    pet = factory.SubFactory(PetFactory)
    vaccine = "Tricat (F3)"
    given_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))
    next_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=165))
    given_by = "Klinik Hewan Sehat"
    proof = factory.LazyFunction(lambda: image_file("proof.jpg"))
