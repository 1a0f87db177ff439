"""Two approvals racing for one pet: exactly one wins (select_for_update on the pet row)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from adoption import services
from adoption.models import Application, Pet
from tests import factories as base
from tests.adoption.factories import ApplicationFactory, PetFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("fee", [0, 150000])
def test_concurrent_approvals_for_one_pet_exactly_one_wins(fee):
    lister = base.VerifiedMemberFactory()
    pet = PetFactory(lister=lister, fee=fee)
    applications = [ApplicationFactory(pet=pet, adopter=base.VerifiedMemberFactory()) for _ in range(4)]
    barrier = threading.Barrier(len(applications))
    results = {}

    def approve(application):
        try:
            barrier.wait(timeout=10)
            services.application_approve(
                application=application,
                by=lister,
                pickup_at=timezone.now() + datetime.timedelta(days=1),
                pickup_address="Jl. Dago 1",
                pickup_phone="+6281234567890",
            )
            results[application.pk] = "won"
        except ValidationError:
            results[application.pk] = "refused"
        except Exception as error:  # noqa: BLE001 (reported below)
            results[application.pk] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["refused", "refused", "refused", "won"], results
    pet.refresh_from_db()
    assert pet.status == Pet.Status.RESERVED
    assert Application.objects.filter(pet=pet, status="approved").count() == 1
    assert Application.objects.filter(pet=pet, status="closed").count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_cart_add_and_adoption_never_leave_adopted_pet_in_a_cart():
    lister = base.VerifiedMemberFactory()
    pet = PetFactory(lister=lister)
    application = ApplicationFactory(pet=pet)
    services.application_approve(
        application=application,
        by=lister,
        pickup_at=timezone.now() + datetime.timedelta(days=1),
        pickup_address="Jl. Dago 1",
        pickup_phone="+6281234567890",
    )
    others = [base.VerifiedMemberFactory() for _ in range(3)]
    barrier = threading.Barrier(len(others) + 1)

    def add(user):
        try:
            barrier.wait(timeout=10)
            services.cart_add(user=user, pet=Pet.objects.get(pk=pet.pk))
        except ValidationError:
            pass
        finally:
            connection.close()

    def receive():
        try:
            barrier.wait(timeout=10)
            services.application_confirm_received(application=application, by=application.adopter, early=True)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(u,)) for u in others] + [threading.Thread(target=receive)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    pet.refresh_from_db()
    assert pet.status == Pet.Status.ADOPTED
    assert not pet.cart_items.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_double_submitted_checkout_creates_one_application():
    from tests.adoption.factories import ANSWERS

    adopter = base.VerifiedMemberFactory()
    pet = PetFactory()
    services.cart_add(user=adopter, pet=pet)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait(timeout=10)
            outcomes.append(len(services.checkout(adopter=adopter, answers=dict(ANSWERS))))
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["1", "refused"], outcomes
    assert Application.objects.filter(pet=pet, adopter=adopter).count() == 1
