"""Two people acting at once (real PostgreSQL row locks): exactly one wins, the state stays whole."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from consultations import services
from consultations.models import Consultation, Rating
from tests.consultations.factories import specialty

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
Status = Consultation.Status


def race(*calls):
    """Run the calls in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # noqa: BLE001 (the outcome is what the test checks)
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_accept_and_cancel_at_once_one_wins(make_consultation, owner, vet, no_refund_calls, settings):
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = 15
    consultation = make_consultation(Status.WAITING, paid_at=timezone.now() - datetime.timedelta(minutes=20))
    results = race(
        lambda: services.consultation_accept(
            consultation=Consultation.objects.get(pk=consultation.pk), vet=vet
        ),
        lambda: services.consultation_cancel(
            consultation=Consultation.objects.get(pk=consultation.pk), by=owner
        ),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    consultation.refresh_from_db()
    assert consultation.status in (Status.ACTIVE, Status.CANCELLED)
    assert len(no_refund_calls) == (1 if consultation.status == Status.CANCELLED else 0)


def test_two_tabs_opening_at_once_make_one_consultation(owner, vet_profile):
    def open_one():
        return services.consultation_open(
            owner=owner,
            vet=vet_profile.user,
            pet_name="Mochi",
            pet_species=specialty("cats"),
            pet_age="2 tahun",
            complaint="Muntah.",
        )

    results = race(open_one, open_one)
    assert sum(isinstance(r, Consultation) for r in results) == 1
    assert Consultation.objects.count() == 1


def test_two_ratings_at_once_make_one(make_consultation, owner):
    consultation = make_consultation(Status.ENDED)

    def rate(stars):
        return lambda: services.rating_submit(
            consultation=Consultation.objects.get(pk=consultation.pk), owner=owner, stars=stars
        )

    results = race(rate(5), rate(1))
    assert sum(isinstance(r, Rating) for r in results) == 1
    assert Rating.objects.count() == 1
    assert consultation.vet.vet_profile.__class__.objects.get(user=consultation.vet).rating_count == 1
