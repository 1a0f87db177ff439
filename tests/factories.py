"""factory_boy factories shared by every app's tests. Each app may add its own in tests/<app>/factories.py."""

import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.models import IdentityVerification, Regency, User, VerificationStatus, VetLicence

PASSWORD = "rahasia-Kucing-42"


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def image_file(name: str = "photo.jpg", fmt: str = "JPEG", **kwargs) -> ContentFile:
    return ContentFile(image_bytes(fmt, **kwargs), name=name)


def regency(code: str = "32.73") -> Regency:
    """A real regency from the migrated reference data (default Kota Bandung)."""
    return Regency.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.test")
    full_name = factory.Faker("name", locale="id_ID")
    phone = factory.Sequence(lambda n: f"+62812{n:07d}")
    city = factory.LazyFunction(lambda: regency("32.73"))
    language = "id"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class IdentityVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdentityVerification

    user = factory.SubFactory(UserFactory)
    nik = "3273014506900001"
    name_on_ktp = factory.LazyAttribute(lambda o: o.user.full_name)
    scan = factory.LazyFunction(lambda: image_file("ktp.jpg"))
    consent_at = factory.LazyFunction(timezone.now)
    consent_policy_version = "2026-11"
    status = VerificationStatus.PENDING


class VerifiedMemberFactory(UserFactory):
    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            IdentityVerificationFactory(
                user=obj, status=VerificationStatus.APPROVED, decided_at=timezone.now()
            )


class VetLicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VetLicence

    user = factory.SubFactory(UserFactory, is_vet=True)
    strv_number = factory.Sequence(lambda n: f"STRV-{n:05d}/PDHI/2024")
    sip_number = factory.Sequence(lambda n: f"503/{n:04d}/SIP-DH/2025")
    document = factory.LazyFunction(lambda: image_file("strv.jpg"))
    status = VerificationStatus.PENDING


class VetFactory(UserFactory):
    """A vet whose licence staff approved."""

    is_vet = True

    @factory.post_generation
    def licensed(obj, create, extracted, **kwargs):
        if create:
            VetLicenceFactory(user=obj, status=VerificationStatus.APPROVED, decided_at=timezone.now())
