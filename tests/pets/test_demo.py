import pytest
from django.core.management import call_command

from accounts.models import User
from adoption.models import Pet as Listing
from consultations.models import Consultation
from grooming.models import Booking
from pets.models import Pet

pytestmark = pytest.mark.django_db
MEMBERS = ["budi@hellopet.local", "sari@hellopet.local", "rina@hellopet.local"]


def test_demo_members_have_pets_and_demo_data_points_at_them(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (idempotent)
    for email in MEMBERS:
        pets = list(Pet.objects.filter(owner__email=email).prefetch_related("weights", "vaccinations"))
        assert 1 <= len(pets) <= 3, email
        assert all(p.weights.all() for p in pets), email
        assert any(p.vaccinations.all() for p in pets), email
    consultation = Consultation.objects.get(owner__email="budi@hellopet.local")
    assert consultation.pet.name == "Milo" and consultation.prescribed_items.count() == 2
    assert consultation.pet.treatments.count() == 2
    assert Booking.objects.filter(pet__isnull=False).count() >= 2
    shelter = User.objects.get(email="shelter@hellopet.local")
    listings = Listing.objects.filter(lister=shelter)
    assert listings.exists() and all(listing.record.owner == shelter for listing in listings)
