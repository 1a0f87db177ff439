"""Demo pets for local use (`manage.py seed_demo`): drawn photos, fictional animals. Idempotent."""

import datetime
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.demo import demo_document
from accounts.models import Regency, User
from pets.models import Pet as Record
from pets.models import Vaccination, Weight

from .models import Application, ApplicationEvent, Breed, Pet, PetPhoto, Species

# lister, name, species, breed, sex, months, size, colour, fee, city, vaccinated, sterilised, colour RGB
PETS = [
    (
        "shelter",
        "Mochi",
        "cat",
        "Domestic (kampung)",
        "female",
        8,
        "small",
        "Oranye putih",
        0,
        "34.71",
        True,
        True,
        (240, 160, 80),
    ),
    (
        "shelter",
        "Bima",
        "dog",
        "Mixed (kampung)",
        "male",
        30,
        "medium",
        "Cokelat",
        150_000,
        "34.71",
        True,
        True,
        (150, 100, 60),
    ),
    (
        "shelter",
        "Kopi",
        "dog",
        "Mixed (kampung)",
        "male",
        60,
        "large",
        "Hitam",
        200_000,
        "34.04",
        True,
        True,
        (60, 50, 45),
    ),
    (
        "shelter",
        "Luna",
        "cat",
        "Anggora",
        "female",
        20,
        "small",
        "Putih",
        250_000,
        "34.04",
        True,
        False,
        (235, 235, 240),
    ),
    (
        "shelter",
        "Kiki",
        "rabbit",
        "Holland Lop",
        "female",
        10,
        "small",
        "Abu-abu",
        75_000,
        "33.74",
        False,
        False,
        (170, 170, 175),
    ),
    ("rina", "Tofu", "cat", "Persian", "male", 36, "small", "Krem", 0, "32.73", True, True, (230, 210, 170)),
    (
        "rina",
        "Biskuit",
        "dog",
        "Beagle",
        "female",
        18,
        "medium",
        "Tricolor",
        300_000,
        "32.04",
        True,
        False,
        (200, 150, 90),
    ),
    (
        "rina",
        "Cici",
        "bird",
        "Lovebird",
        "female",
        12,
        "small",
        "Hijau kuning",
        50_000,
        "32.73",
        False,
        False,
        (120, 200, 90),
    ),
]
PENDING_PET = (
    "rina",
    "Oreo",
    "cat",
    "Domestic (kampung)",
    "male",
    4,
    "small",
    "Hitam putih",
    0,
    "32.73",
    True,
    False,
    (40, 40, 40),
)

SHELTER_REASON = "Hasil rescue, mencari keluarga tetap."
MEMBER_REASON = "Pindah ke apartemen yang tidak boleh hewan."
DESCRIPTIONS = {
    "cat": "Manja, suka dipangku dan sudah terbiasa dengan litter box. Akur dengan kucing lain.",
    "dog": "Ramah, aktif dan suka jalan pagi. Sudah bisa perintah duduk dan tunggu.",
    "rabbit": "Tenang, suka sayuran segar dan sudah terbiasa digendong.",
    "bird": "Ceria dan rajin berkicau di pagi hari. Sudah jinak di tangan.",
}


def draw_pet(name: str, species: str, rgb: tuple, variant: int = 0) -> ContentFile:
    """A simple drawn portrait (no real photo): a coloured animal head with ears and the name."""
    bg = [(255, 243, 230), (232, 244, 255), (238, 250, 238)][variant % 3]
    image = Image.new("RGB", (640, 480), bg)
    draw = ImageDraw.Draw(image)
    cx, cy, r = 320, 250, 130
    if species == "cat":
        draw.polygon([(cx - 120, cy - 60), (cx - 90, cy - 190), (cx - 20, cy - 110)], fill=rgb)
        draw.polygon([(cx + 120, cy - 60), (cx + 90, cy - 190), (cx + 20, cy - 110)], fill=rgb)
    elif species == "dog":
        draw.ellipse((cx - 175, cy - 90, cx - 95, cy + 70), fill=tuple(max(c - 40, 0) for c in rgb))
        draw.ellipse((cx + 95, cy - 90, cx + 175, cy + 70), fill=tuple(max(c - 40, 0) for c in rgb))
    elif species == "rabbit":
        draw.ellipse((cx - 80, cy - 260, cx - 30, cy - 60), fill=rgb)
        draw.ellipse((cx + 30, cy - 260, cx + 80, cy - 60), fill=rgb)
    elif species == "bird":
        draw.polygon([(cx + 110, cy), (cx + 190, cy + 20), (cx + 110, cy + 40)], fill=(240, 170, 40))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=rgb, outline=(60, 60, 60), width=3)
    eye = (30, 30, 30) if sum(rgb) > 200 else (250, 250, 250)
    draw.ellipse((cx - 60, cy - 40, cx - 30, cy - 10), fill=eye)
    draw.ellipse((cx + 30, cy - 40, cx + 60, cy - 10), fill=eye)
    draw.ellipse((cx - 14, cy + 20, cx + 14, cy + 40), fill=(90, 50, 50))
    draw.text((24, 24), f"{name} - DEMO", fill=(60, 60, 60))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name=f"{name.lower()}-{variant}.jpg")


def _months_ago(months: int) -> datetime.date:
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(today.day, 28))


def _make_pet(lister: User, row, status) -> Pet:
    _, name, species_slug, breed_name, sex, months, size, colour, fee, city, vacc, steril, rgb = row
    pet = Pet.objects.filter(lister=lister, name=name).first()
    if pet:
        return pet
    species = Species.objects.get(slug=species_slug)
    pet = Pet(
        lister=lister, name=name, species=species,
        breed=Breed.objects.filter(species=species, name=breed_name).first(),
        sex=sex, birth_date=_months_ago(months), birth_date_is_estimate=months > 24, size=size, colour=colour,
        description=DESCRIPTIONS.get(species_slug, "Sehat dan ramah."),
        medical_history="Cacing terakhir 2 bulan lalu. Tidak ada riwayat penyakit berat." if vacc else "",
        vaccinated=vacc, sterilised=steril, fee=fee, city=Regency.objects.get(code=city), status=status,
        rehoming_reason=SHELTER_REASON if lister.is_shelter else MEMBER_REASON,
        reviewed_at=timezone.now() if status == Pet.Status.AVAILABLE else None,
    )  # fmt: skip
    if vacc:
        pet.vaccination_book = demo_document(f"Buku vaksin {name}")
    if lister.is_shelter:
        # The shelter's listings are made from its pet records (members' listings show the older
        # path: a record is made for the adopter at the handover).
        pet.record = _record_for(lister, pet, vacc)
        pet.share_medical_notes = True
    pet.save()
    for variant in range(2):
        PetPhoto.objects.create(pet=pet, image=draw_pet(name, species_slug, rgb, variant), position=variant)
    return pet


def _record_for(lister: User, listing: Pet, vaccinated: bool):
    """The lister's own record of a demo listing (the listing is made from it): a weight or two and,
    when vaccinated, its vaccinations; on a handover it moves to the adopter."""
    record = Record.objects.filter(owner=lister, name=listing.name, handed_over_at__isnull=True).first()
    if record:
        return record
    record = Record.objects.create(
        owner=lister, name=listing.name, species=listing.species, breed=listing.breed, sex=listing.sex,
        birth_date=listing.birth_date, birth_date_is_estimate=listing.birth_date_is_estimate,
        colour=listing.colour, sterilised=listing.sterilised, notes=listing.medical_history,
    )  # fmt: skip
    base = {"small": 3.5, "medium": 9.0, "large": 18.0}.get(listing.size, 4.0)
    today = timezone.localdate()
    for months, factor in ((2, 0.95), (0, 1.0)):
        Weight.objects.create(
            pet=record, measured_on=today - datetime.timedelta(days=30 * months), kg=round(base * factor, 1)
        )
    if vaccinated:
        Vaccination.objects.create(
            pet=record, vaccine="Rabies", given_on=today - datetime.timedelta(days=120),
            next_due=today + datetime.timedelta(days=245), given_by="Klinik mitra shelter",
        )  # fmt: skip
    return record


DEMO_ANSWERS = {
    "household": "Saya, istri dan satu anak (8 tahun).",
    "home_type": Application.HomeType.HOUSE,
    "home_ownership": Application.HomeOwnership.OWN,
    "pet_space": "Halaman belakang berpagar 4 x 6 m dan ruang keluarga.",
    "family_permission": True,
    "ready_responsibility": True,
    "why_adopt": "Anak kami ingin teman bermain dan kami ingin memberi rumah bagi hewan yang membutuhkan.",
    "experience": "Pernah memelihara kucing kampung selama 10 tahun.",
    "sleeping_place": "Di dalam rumah, di keranjang dekat ruang keluarga.",
    "food_plan": "Makanan kering premium sesuai umur, air bersih setiap hari.",
    "aggression_plan": "Konsultasi ke dokter hewan dan pelatih, tidak akan dilepas.",
    "illness_plan": "Segera dibawa ke klinik hewan langganan kami.",
    "long_term_commitment": "Kami siap merawatnya seumur hidupnya.",
    "moving_plan": "Hewan akan ikut pindah bersama kami.",
    "cost_plan": "Anggaran bulanan Rp 500.000 untuk makanan dan kesehatan.",
    "adaptation_agreed": True,
}


def seed(stdout=None) -> dict:
    listers = {
        "shelter": User.objects.get(email="shelter@hellopet.local"),
        "rina": User.objects.get(email="rina@hellopet.local"),
    }
    pets = [_make_pet(listers[row[0]], row, Pet.Status.AVAILABLE) for row in PETS]
    _make_pet(listers["rina"], PENDING_PET, Pet.Status.PENDING_REVIEW)
    budi = User.objects.get(email="budi@hellopet.local")
    tofu = next(p for p in pets if p.name == "Tofu")
    if not Application.objects.filter(adopter=budi, pet=tofu).exists():
        now = timezone.now()
        application = Application.objects.create(
            pet=tofu, adopter=budi, fee=tofu.fee, terms_accepted_at=now, created_at=now, **DEMO_ANSWERS
        )
        application.code = f"ADP-{timezone.localtime(now).year}-{application.pk:06d}"
        application.save(update_fields=["code"])
        ApplicationEvent.objects.create(
            application=application, kind=ApplicationEvent.Kind.SUBMITTED, actor=budi
        )
    if stdout:
        stdout.write(f"adoption: {Pet.objects.count()} pets, {Application.objects.count()} application(s)")
    return {"pets": pets}
