"""Grooming factories: a salon open every day 08:00-20:00 so tests do not depend on the weekday."""

import datetime as dt

import factory

from grooming.models import Booking, Salon, Service, WeeklyHours
from tests.factories import UserFactory, regency


class SalonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Salon
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Salon Satwa {n}")
    slug = factory.Sequence(lambda n: f"salon-satwa-{n}")
    city = factory.LazyFunction(lambda: regency("32.73"))
    address = "Jl. Contoh No. 1"
    phone = "+6281200000000"
    description = "Salon untuk anjing dan kucing."

    @factory.post_generation
    def open_hours(obj, create, extracted, **kwargs):
        """open_hours=[(weekday, "08:00", "20:00"), ...]; default: every day 08:00-20:00."""
        if not create:
            return
        rows = extracted if extracted is not None else [(d, "08:00", "20:00") for d in range(7)]
        for weekday, opens, closes in rows:
            WeeklyHours.objects.create(
                salon=obj,
                weekday=weekday,
                opens=dt.time.fromisoformat(opens),
                closes=dt.time.fromisoformat(closes),
            )


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    salon = factory.SubFactory(SalonFactory)
    kind = "bath"
    name = "Mandi kucing"
    species = "cat"
    size = "any"
    price = 80_000
    duration_minutes = 60


class SalonManagerFactory(UserFactory):
    is_salon_manager = True


def tomorrow_at(salon: Salon, hour: int, minute: int = 0) -> dt.datetime:
    from django.utils import timezone

    day = timezone.now().astimezone(salon.tz).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=salon.tz)


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written directly (past or future) without the service's checks."""

    class Meta:
        model = Booking

    service = factory.SubFactory(ServiceFactory)
    salon = factory.LazyAttribute(lambda o: o.service.salon)
    member = factory.SubFactory(UserFactory)
    pet_name = "Mochi"
    pet_species = factory.LazyAttribute(lambda o: o.service.species)
    starts_at = factory.LazyAttribute(lambda o: tomorrow_at(o.salon, 10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + o.service.duration)
    price = factory.LazyAttribute(lambda o: o.service.price)
    status = Booking.Status.REQUESTED
