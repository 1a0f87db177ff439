"""Grooming and the pet's record (pets app): species and size come from the record, the size from the
latest weight by the salon's size bands; bookings appear on the pet's timeline."""

from decimal import Decimal

from django.utils.translation import gettext as _

from pets.models import Pet, Weight
from pets.registry import TimelineEntry

from .models import Booking, Size, Species

# A pet record's species (pets.Species slug) -> the species salons groom.
SPECIES_FOR_RECORD = {"dog": Species.DOG, "cat": Species.CAT, "rabbit": Species.RABBIT}
# The size bands of Size's labels: up to 5 kg, 5-10, 10-25, over 25.
SIZE_BANDS = [(Decimal("5"), Size.SMALL), (Decimal("10"), Size.MEDIUM), (Decimal("25"), Size.LARGE)]


def size_for_weight(kg) -> str:
    if kg is None:
        return ""
    for upper, size in SIZE_BANDS:
        if Decimal(kg) <= upper:
            return size
    return Size.XLARGE


def pet_profile(pet: Pet) -> dict:
    """What a salon booking takes from the record: species, size (from the latest weight) and that
    weight. One query."""
    latest = Weight.objects.filter(pet=pet).order_by("-measured_on", "-id").first()
    size = size_for_weight(latest.kg if latest else None)
    return {
        "pet": pet,
        "species": SPECIES_FOR_RECORD.get(pet.species.slug, ""),
        "size": size,
        "size_label": Size(size).label if size else "",
        "weight": latest,
    }


def service_fits(service, profile: dict) -> bool:
    if profile["species"] != service.species:
        return False
    return service.size == Size.ANY or not profile["size"] or service.size == profile["size"]


def last_notes(member, pet: Pet) -> str:
    """The notes of the member's last booking for this pet: they carry over to the next one."""
    booking = Booking.objects.filter(member=member, pet=pet).exclude(notes="").order_by("-created_at").first()
    return booking.notes if booking else ""


def timeline_entries(pet: Pet) -> list[TimelineEntry]:
    """pets.registry timeline provider: the pet's grooming visits (completed or booked)."""
    bookings = Booking.objects.filter(
        pet_id=pet.history_pet_id,
        status__in=[Booking.Status.COMPLETED, Booking.Status.CONFIRMED, Booking.Status.REQUESTED],
    ).select_related("salon", "service")
    if pet.history_until:
        bookings = bookings.filter(starts_at__lt=pet.history_until)
    entries = []
    for booking in bookings:
        url = booking.get_absolute_url() if booking.member_id == pet.owner_id else ""
        entries.append(
            TimelineEntry(
                when=booking.starts_at,
                kind="grooming",
                title=_("%(service)s at %(salon)s")
                % {"service": booking.service.name, "salon": booking.salon.name},
                text=booking.get_status_display(),
                url=url,
            )
        )
    return entries
