import pytest

from tests import factories as base
from tests.adoption.factories import ApplicationFactory, PetFactory


@pytest.fixture
def lister(db):
    return base.VerifiedMemberFactory(
        full_name="Rina Kusumawati", email="rina@example.test", phone="+6281299990000"
    )


@pytest.fixture
def pet(lister):
    return PetFactory(lister=lister, name="Mochi")


@pytest.fixture
def application(pet, owner):
    """`owner` (Budi, verified) applied for the lister's pet."""
    return ApplicationFactory(pet=pet, adopter=owner)


@pytest.fixture
def make_pet():
    return PetFactory


@pytest.fixture
def make_application():
    return ApplicationFactory
