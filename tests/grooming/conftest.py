import pytest

from tests.grooming.factories import SalonFactory, SalonManagerFactory, ServiceFactory


@pytest.fixture
def salon_manager(db):
    return SalonManagerFactory(full_name="Andi Wijaya", email="andi@example.test")


@pytest.fixture
def other_manager(db):
    return SalonManagerFactory(full_name="Rudi Hartono", email="rudi@example.test")


@pytest.fixture
def salon(salon_manager):
    salon = SalonFactory(name="Pawfect Grooming Bandung", slug="pawfect-grooming-bandung")
    salon.managers.add(salon_manager)
    return salon


@pytest.fixture
def cat_bath(salon):
    return ServiceFactory(
        salon=salon, kind="bath", name="Mandi kucing", species="cat", price=80_000, duration_minutes=60
    )


@pytest.fixture(autouse=True)
def _english_messages():
    """Service error messages are matched in English, whatever the translators add to locale/id."""
    from django.utils import translation

    with translation.override("en"):
        yield
