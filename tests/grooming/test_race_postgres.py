"""Two members racing for the last slot on real PostgreSQL: exactly one gets it."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from grooming import services
from grooming.models import Booking
from tests.factories import VerifiedMemberFactory
from tests.grooming.factories import BookingFactory, tomorrow_at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(members, service, start):
    barrier = threading.Barrier(len(members))
    results = []

    def attempt(member):
        try:
            barrier.wait(timeout=10)
            services.booking_create(
                member=member, service=service, starts_at=start, pet_name="Mochi", pet_species=service.species
            )
            results.append("booked")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(results)


def test_two_members_race_for_the_last_slot(salon, cat_bath):
    members = [VerifiedMemberFactory(), VerifiedMemberFactory()]
    start = tomorrow_at(salon, 10)
    assert race(members, cat_bath, start) == ["booked", "refused"]
    assert Booking.objects.filter(status__in=Booking.ACTIVE).count() == 1


def test_many_members_race_for_two_seats(salon, cat_bath):
    salon.capacity = 2
    salon.save()
    members = [VerifiedMemberFactory() for _ in range(6)]
    assert race(members, cat_bath, tomorrow_at(salon, 10)) == ["booked"] * 2 + ["refused"] * 4
    assert sorted(Booking.objects.values_list("seat", flat=True)) == [0, 1]


def test_exclusion_constraint_stops_overlaps_that_skip_the_service(salon, cat_bath):
    """Backstop: an overlapping (not identical) time on the same seat is refused by the database."""
    BookingFactory(service=cat_bath, starts_at=tomorrow_at(salon, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(service=cat_bath, starts_at=tomorrow_at(salon, 10, 30))
    # A cancelled booking does not hold its seat.
    Booking.objects.update(status=Booking.Status.CANCELLED)
    BookingFactory(service=cat_bath, starts_at=tomorrow_at(salon, 10, 30))
