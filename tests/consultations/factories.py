"""Factories for the consultations tests (the shared ones live in tests/factories.py)."""

import uuid

import factory
from django.utils import timezone

from consultations.models import Consultation, Message, Rating, Specialty, VetProfile
from tests import factories


def specialty(slug: str = "cats") -> Specialty:
    """One of the kinds created by migration 0002."""
    return Specialty.objects.get(slug=slug)


class VetProfileFactory(factory.django.DjangoModelFactory):
    """A listed vet (approved licence), online and seen just now unless told otherwise."""

    class Meta:
        model = VetProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(factories.VetFactory)
    bio = "Dokter hewan kucing dan anjing."
    years_of_experience = 5
    fee = 75_000
    availability = VetProfile.Availability.ONLINE
    last_seen_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def specialties(obj, create, extracted, **kwargs):
        if create:
            obj.specialties.set([specialty(slug) for slug in (extracted or ["cats", "dogs"])])


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    owner = factory.SubFactory(factories.VerifiedMemberFactory)
    vet = factory.SubFactory(factories.VetFactory)
    pet_name = "Mochi"
    pet_species = factory.LazyFunction(specialty)
    pet_age = "2 tahun"
    complaint = "Tidak mau makan sejak kemarin."
    status = Consultation.Status.WAITING
    fee = 75_000
    paid_at = factory.LazyAttribute(
        lambda o: (
            None
            if o.status in (Consultation.Status.AWAITING_PAYMENT, Consultation.Status.EXPIRED)
            else timezone.now()
        )
    )


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    consultation = factory.SubFactory(ConsultationFactory)
    sender = factory.LazyAttribute(lambda o: o.consultation.owner)
    client_id = factory.LazyFunction(uuid.uuid4)
    body = "Halo dok"


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    consultation = factory.SubFactory(ConsultationFactory, status=Consultation.Status.ENDED)
    owner = factory.LazyAttribute(lambda o: o.consultation.owner)
    vet = factory.LazyAttribute(lambda o: o.consultation.vet)
    stars = 5
