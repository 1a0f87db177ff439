"""Demo accounts for local use (`manage.py seed_demo`). Fictional people; never load in production."""

import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from .models import IdentityVerification, Regency, User, VerificationStatus, VetLicence

DEMO_PASSWORD = "hellopet-demo"

# email, full name, city code, flags, verified identity
ACCOUNTS = [
    ("admin@hellopet.local", "Admin HELLOPET", "31.71", {"is_staff": True, "is_superuser": True}, False),
    ("budi@hellopet.local", "Budi Santoso", "32.73", {}, True),
    ("sari@hellopet.local", "Sari Wulandari", "35.78", {}, False),
    ("rina@hellopet.local", "Rina Kusumawati", "32.73", {}, True),
    ("drh.ayu@hellopet.local", "drh. Ayu Pratiwi", "31.74", {"is_vet": True}, True),
    ("drh.made@hellopet.local", "drh. I Made Wirawan", "51.71", {"is_vet": True}, True),
    (
        "shelter@hellopet.local",
        "Yayasan Rumah Satwa",
        "34.71",
        {"is_shelter": True, "organisation_name": "Rumah Singgah Satwa Jogja"},
        True,
    ),
    ("salon@hellopet.local", "Andi Wijaya", "32.73", {"is_salon_manager": True}, False),
]

DEMO_NIKS = {
    "budi@hellopet.local": "3273011203880003",
    "rina@hellopet.local": "3273015507920002",
    "drh.ayu@hellopet.local": "3174054409900001",
    "drh.made@hellopet.local": "5171011501850004",
    "shelter@hellopet.local": "3471012002800005",
}


def demo_document(label: str) -> ContentFile:
    """A plainly fake document image: the word DEMO and a label, no real person's data."""
    image = Image.new("RGB", (640, 400), (230, 240, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 630, 390), outline=(40, 80, 160), width=4)
    draw.text((40, 40), "DEMO - NOT A REAL DOCUMENT", fill=(180, 0, 0))
    draw.text((40, 90), label, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return ContentFile(out.getvalue(), name="demo.jpg")


def seed(stdout=None) -> dict:
    users = {}
    for email, name, city, flags, verified in ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(
                email=email,
                full_name=name,
                city=Regency.objects.get(code=city),
                phone=f"+62812{sum(map(ord, email)) * 7919 % 10_000_000:07d}",
                **flags,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[email] = user
        if verified and not IdentityVerification.objects.filter(user=user).exists():
            IdentityVerification.objects.create(
                user=user,
                nik=DEMO_NIKS[email],
                name_on_ktp=name,
                scan=demo_document(f"KTP {name}"),
                consent_at=timezone.now(),
                consent_policy_version="2026-11",
                status=VerificationStatus.APPROVED,
                decided_at=timezone.now(),
            )
        if user.is_vet and not VetLicence.objects.filter(user=user).exists():
            n = len(email)
            VetLicence.objects.create(
                user=user,
                strv_number=f"{n:02d}.1.07.{1000 + n}/PDHI/2024",
                sip_number=f"503/{400 + n}/SIP-DH/2025",
                document=demo_document(f"STRV/SIP {name}"),
                status=VerificationStatus.APPROVED,
                decided_at=timezone.now(),
            )
    if stdout:
        stdout.write(f"accounts: {len(users)} demo accounts (password: {DEMO_PASSWORD})")
    return users
