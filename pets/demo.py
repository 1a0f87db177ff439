"""Demo pet records for local use (`manage.py seed_demo`): every demo member has 1-3 pets with a few
weights and vaccinations. Fictional animals; idempotent. Consultations, grooming and adoption demos
(which run after this one) point their demo data at these records."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User

from .models import Breed, Pet, Species, Vaccination, Weight

# owner email -> pets: name, species, breed, sex, age in months, colour, sterilised, allergies, weights (kg,
# oldest first, one a month), vaccinations (vaccine, given months ago, next due in days or None, clinic)
PETS = {
    "budi@hellopet.local": [
        (
            "Milo", "cat", "Domestic (kampung)", "male", 38, "Abu-abu belang", True, "Ayam (gatal di kulit)",
            ["3.9", "4.1", "4.3", "4.2"],
            [
                ("Tricat (F3)", 11, 5, "Klinik Hewan Sehat Bandung"),
                ("Rabies", 11, 30, "Klinik Hewan Sehat Bandung"),
            ],
        ),
        (
            "Bruno", "dog", "Beagle", "male", 26, "Tricolor", False, "",
            ["10.5", "11.2", "11.8"],
            [("DHPPi + L", 6, 180, "drh. Sari, Praktik Dago")],
        ),
    ],
    "sari@hellopet.local": [
        ("Kiko", "rabbit", "Holland Lop", "female", 14, "Putih cokelat", False, "", ["1.6", "1.7"], []),
        (
            "Nala", "cat", "Anggora", "female", 20, "Abu-abu", True, "",
            ["3.0", "3.3"],
            [("Tricat (F3)", 3, 270, "Klinik Hewan Surabaya Timur")],
        ),
    ],
    "rina@hellopet.local": [
        (
            "Luna", "cat", "Persian", "female", 50, "Putih", True, "",
            ["3.6", "3.7", "3.7"],
            [("Tricat (F3)", 2, 300, "Klinik Satwa Cimahi")],
        ),
        (
            "Coco", "dog", "Pomeranian", "female", 30, "Krem", True, "Obat kutu tertentu (ruam)",
            ["2.9", "3.1"],
            [("Rabies", 5, 7, "Klinik Satwa Cimahi")],
        ),
    ],
}  # fmt: skip


def _months_ago(months: int) -> datetime.date:
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(today.day, 28))


def _make(owner: User, row) -> Pet:
    name, slug, breed, sex, months, colour, sterilised, allergies, weights, shots = row
    pet = Pet.objects.filter(owner=owner, name=name, handed_over_at__isnull=True).first()
    if pet:
        return pet
    species = Species.objects.get(slug=slug)
    pet = Pet.objects.create(
        owner=owner, name=name, species=species,
        breed=Breed.objects.filter(species=species, name=breed).first(),
        sex=sex, birth_date=_months_ago(months), birth_date_is_estimate=months > 36, colour=colour,
        sterilised=sterilised, allergies=allergies,
    )  # fmt: skip
    count = len(weights)
    for i, kg in enumerate(weights):
        Weight.objects.create(pet=pet, measured_on=_months_ago(count - 1 - i), kg=Decimal(kg))
    today = timezone.localdate()
    for vaccine, months_ago, due_days, clinic in shots:
        Vaccination.objects.create(
            pet=pet,
            vaccine=vaccine,
            given_on=_months_ago(months_ago),
            next_due=today + datetime.timedelta(days=due_days) if due_days is not None else None,
            given_by=clinic,
        )
    return pet


def seed(stdout=None) -> dict:
    made = {}
    for email, rows in PETS.items():
        owner = User.objects.filter(email=email).first()
        if owner is None:
            continue
        made[email] = [_make(owner, row) for row in rows]
    if stdout:
        stdout.write(f"pets: {sum(len(p) for p in made.values())} demo pets with weights and vaccinations")
    return made
