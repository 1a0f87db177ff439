"""Demo vets and one finished consultation (`manage.py seed_demo`). Fictional people and pets."""

import datetime
import io
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from payments.models import Payment
from payments.services import payment_create
from pets import services as pet_services
from pets.models import Pet

from . import services
from .models import PURPOSE, Consultation, Message, PrescribedItem, Rating, Specialty, VetProfile
from .payment_hooks import record_earnings

VETS = {
    "drh.ayu@hellopet.local": {
        "specialties": ["dogs", "cats", "rabbits"],
        "years": 8,
        "fee": 75_000,
        "colour": (255, 196, 170),
        "bio": (
            "Dokter hewan praktik di Jakarta Selatan sejak 2018. Fokus pada kesehatan kulit, pencernaan "
            "dan vaksinasi anjing, kucing dan kelinci. Senang membantu pemilik hewan pertama kali."
        ),
    },
    "drh.made@hellopet.local": {
        "specialties": ["cats", "birds", "reptiles", "exotics", "livestock"],
        "years": 12,
        "fee": 60_000,
        "colour": (190, 220, 255),
        "bio": (
            "Dokter hewan di Denpasar. Menangani burung, reptil dan hewan eksotis, juga ternak kecil. "
            "Lulusan FKH Universitas Udayana."
        ),
    },
}

CHAT = [
    ("owner", "Selamat siang dok, kucing saya Milo muntah dua kali sejak tadi pagi, tapi masih mau minum."),
    ("vet", "Selamat siang Pak Budi. Apakah Milo masih mau makan? Ada diare atau lemas?"),
    ("owner", "Makannya berkurang, tidak diare. Masih main seperti biasa."),
    ("vet", "Kemungkinan hairball atau makan terlalu cepat. Beri makan sedikit-sedikit, 4-5 kali sehari."),
    ("owner", "Baik dok, terima kasih banyak."),
]

ASSESSMENT = (
    "Milo (kucing, 3 tahun): muntah 2x tanpa diare, nafsu makan sedikit turun, masih aktif.\n"
    "Dugaan: hairball / makan terlalu cepat."
)
ADVICE = (
    "Porsi kecil 4-5x sehari, sisir bulu setiap hari.\n"
    "Kontrol ke klinik bila muntah lebih dari 3x sehari, ada darah, atau Milo lemas."
)
PRESCRIPTION = [
    {"name": "Pasta hairball (malt)", "dose": "2 cm", "frequency": "2x seminggu", "days": 14},
    {"name": "Probiotik kucing", "dose": "1 sachet", "frequency": "1x sehari", "days": 5},
]
SUMMARY = (
    f"Penilaian:\n{ASSESSMENT}\n\nSaran:\n{ADVICE}\n\nResep:\n"
    "- Pasta hairball (malt) · 2 cm · 2x seminggu · 14 hari\n"
    "- Probiotik kucing · 1 sachet · 1x sehari · 5 hari"
)


def demo_portrait(initials: str, colour) -> ContentFile:
    image = Image.new("RGB", (320, 320), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 50, 240, 210), fill=(255, 255, 255))
    draw.rectangle((60, 220, 260, 320), fill=(255, 255, 255))
    draw.text((140, 120), initials, fill=(60, 60, 60))
    draw.text((12, 12), "DEMO", fill=(120, 120, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name="portrait.jpg")


def seed(stdout=None) -> None:
    now = timezone.now()
    vets = {}
    for email, data in VETS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        profile, created = VetProfile.objects.get_or_create(
            user=user,
            defaults={
                "bio": data["bio"],
                "years_of_experience": data["years"],
                "fee": data["fee"],
                "availability": VetProfile.Availability.ONLINE,
            },
        )
        if created:
            profile.specialties.set(Specialty.objects.filter(slug__in=data["specialties"]))
            initials = "".join(part[0] for part in user.full_name.replace("drh. ", "").split()[:2])
            profile.photo.save("portrait.jpg", demo_portrait(initials, data["colour"]), save=True)
        profile.last_seen_at = now  # shown online right after seeding
        profile.save(update_fields=["last_seen_at"])
        vets[email] = user

    owner = User.objects.filter(email="budi@hellopet.local").first()
    vet = vets.get("drh.ayu@hellopet.local")
    created = 0
    if owner and vet and not Consultation.objects.filter(owner=owner, vet=vet, pet_name="Milo").exists():
        _finished_consultation(owner, vet, now)
        created = 1
    for consultation in Consultation.objects.filter(pet_name="Milo", payment__isnull=False).select_related(
        "payment", "vet"
    ):
        record_earnings(consultation.payment, consultation)  # the vet's ledger (idempotent)
    if stdout:
        stdout.write(f"consultations: {len(vets)} vet profiles, {created} finished consultation")


def _finished_consultation(owner, vet, now) -> None:
    start = now - datetime.timedelta(days=3, hours=2)
    milo = Pet.objects.filter(owner=owner, name="Milo", handed_over_at__isnull=True).first()
    consultation = Consultation.objects.create(
        owner=owner,
        vet=vet,
        pet=milo,
        pet_name="Milo",
        pet_species=Specialty.objects.get(slug="cats"),
        pet_age="3 tahun",
        complaint="Milo muntah dua kali sejak pagi, makannya berkurang. Tidak diare.",
        status=Consultation.Status.ENDED,
        fee=vet.vet_profile.fee,
    )
    payment = payment_create(
        payer=owner,
        purpose=PURPOSE,
        target=consultation,
        amount=consultation.fee,
        description=f"Konsultasi dengan {vet.full_name} untuk Milo",
    )
    # Settled in the past without running the hooks (the consultation is already in its final state).
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.PAID, paid_at=start, delivered_status=Payment.Status.PAID
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=start - datetime.timedelta(minutes=3),
        payment=payment,
        paid_at=start,
        accepted_at=start + datetime.timedelta(minutes=4),
        ended_at=start + datetime.timedelta(minutes=25),
        ended_by=vet,
        assessment=ASSESSMENT,
        advice=ADVICE,
        summary=SUMMARY,
        summary_at=start + datetime.timedelta(minutes=25),
    )
    for position, item in enumerate(PRESCRIPTION):
        PrescribedItem.objects.create(consultation=consultation, position=position, **item)
    if milo is not None:
        pet_services.treatments_replace(
            pet=milo,
            source=f"consultations:{consultation.pk}",
            items=PRESCRIPTION,
            prescribed_on=timezone.localdate(start),
            prescribed_by=vet.full_name,
        )
    for i, (who, body) in enumerate(CHAT):
        sender = owner if who == "owner" else vet
        message = Message.objects.create(
            consultation=consultation, sender=sender, client_id=uuid.uuid4(), body=body
        )
        Message.objects.filter(pk=message.pk).update(created_at=start + datetime.timedelta(minutes=5 + 3 * i))
    Rating.objects.create(
        consultation=consultation,
        owner=owner,
        vet=vet,
        stars=5,
        comment="Dokter Ayu ramah dan jelas menjelaskan. Milo sudah sehat lagi!",
    )
    services.rating_recount(vet=vet)
