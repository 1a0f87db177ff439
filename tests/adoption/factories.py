import datetime

import factory
from django.utils import timezone

from adoption.models import Application, ApplicationEvent, Pet, PetPhoto, Species
from tests import factories as base

ANSWERS = {
    "household": "Saya dan istri",
    "home_type": "house",
    "home_ownership": "own",
    "pet_space": "Halaman 4 x 6 m",
    "family_permission": True,
    "ready_responsibility": True,
    "why_adopt": "Ingin memberi rumah",
    "experience": "Kucing 10 tahun",
    "sleeping_place": "Di dalam rumah",
    "food_plan": "Makanan kering premium",
    "aggression_plan": "Konsultasi ke dokter hewan",
    "illness_plan": "Bawa ke klinik",
    "long_term_commitment": "Seumur hidupnya",
    "moving_plan": "Ikut pindah",
    "cost_plan": "Gaji bulanan",
    "adaptation_agreed": True,
}
TERMS = {"term_age": "on", "term_sterilisation": "on", "term_reports": "on", "term_no_transfer": "on"}


def form_answers(**overrides) -> dict:
    data = {k: ("on" if v is True else v) for k, v in ANSWERS.items()}
    data.update(TERMS)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class PetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pet
        skip_postgeneration_save = True

    lister = factory.SubFactory(base.VerifiedMemberFactory)
    name = factory.Sequence(lambda n: f"Mochi{n}")
    species = factory.LazyFunction(lambda: Species.objects.get(slug="cat"))
    sex = Pet.Sex.FEMALE
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))
    size = Pet.Size.SMALL
    colour = "Oranye"
    description = "Manja dan sehat."
    rehoming_reason = "Pindah rumah."
    fee = 0
    city = factory.LazyFunction(lambda: base.regency("32.73"))
    status = Pet.Status.AVAILABLE
    vaccination_book = factory.LazyFunction(lambda: base.image_file("vaksin.jpg"))

    @factory.post_generation
    def photos(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            PetPhoto.objects.create(pet=obj, image=base.image_file("pet.jpg"), position=0)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    pet = factory.SubFactory(PetFactory)
    adopter = factory.SubFactory(base.VerifiedMemberFactory)
    fee = factory.LazyAttribute(lambda o: o.pet.fee)
    terms_accepted_at = factory.LazyFunction(timezone.now)
    code = factory.Sequence(lambda n: f"ADP-2026-{900000 + n:06d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **{**ANSWERS, **kwargs})
        ApplicationEvent.objects.create(application=obj, kind=ApplicationEvent.Kind.SUBMITTED)
        return obj
