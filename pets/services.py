"""Pet record state changes. One function per change; keyword-only arguments."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.private_files import delete_file_after_commit
from notifications.services import notify

from .models import AccessLog, Pet, Treatment, Vaccination, VaccinationReminder, Weight

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = [
    "name", "species", "breed", "sex", "birth_date", "birth_date_is_estimate", "colour", "sterilised",
    "microchip", "allergies", "chronic_conditions", "notes",
]  # fmt: skip
# A viewer's repeated looks within this window are one audit line (a vet reloading the room).
ACCESS_LOG_WINDOW = datetime.timedelta(minutes=30)
REMINDER_LEAD_DAYS = 7


def _check_owner(pet: Pet, user) -> None:
    if pet.owner_id != user.pk:
        raise ValidationError(_("Only the owner can change this record."))
    if pet.is_read_only:
        raise ValidationError(_("This is a read-only copy kept after the handover."))


def _check_breed(data: dict) -> None:
    breed, species = data.get("breed"), data.get("species")
    if breed is not None and species is not None and breed.species_id != species.pk:
        raise ValidationError(_("This breed belongs to another species."))


@transaction.atomic
def pet_create(*, owner, data: dict, photo=None) -> Pet:
    _check_breed(data)
    pet = Pet(owner=owner, **{name: value for name, value in data.items() if name in EDITABLE_FIELDS})
    pet.name = pet.name.strip()
    if not pet.name:
        raise ValidationError(_("Give the pet a name."))
    pet.save()
    if photo:
        pet.photo = photo
        pet.save(update_fields=["photo"])
    return pet


@transaction.atomic
def pet_update(*, pet: Pet, by, data: dict, photo=None, remove_photo: bool = False) -> Pet:
    locked = Pet.objects.select_for_update().get(pk=pet.pk)
    _check_owner(locked, by)
    _check_breed(data)
    for name, value in data.items():
        if name in EDITABLE_FIELDS:
            setattr(locked, name, value)
    if (photo or remove_photo) and locked.photo:
        delete_file_after_commit(locked.photo)
        locked.photo = ""
    if photo:
        locked.photo = photo
    locked.save()
    return locked


@transaction.atomic
def pet_set_reminders(*, pet: Pet, by, enabled: bool) -> Pet:
    locked = Pet.objects.select_for_update().get(pk=pet.pk)
    _check_owner(locked, by)
    locked.vaccination_reminders = bool(enabled)
    locked.save(update_fields=["vaccination_reminders", "updated_at"])
    return locked


def weight_add(*, pet: Pet, by, measured_on: datetime.date, kg) -> Weight:
    _check_owner(pet, by)
    if measured_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    return Weight.objects.create(pet=pet, measured_on=measured_on, kg=kg)


def weight_delete(*, weight: Weight, by) -> None:
    _check_owner(weight.pet, by)
    weight.delete()


def vaccination_add(
    *, pet: Pet, by, vaccine: str, given_on: datetime.date, next_due=None, given_by: str = "", proof=None
) -> Vaccination:
    _check_owner(pet, by)
    if given_on > timezone.localdate():
        raise ValidationError(_("The date given cannot be in the future."))
    if next_due is not None and next_due <= given_on:
        raise ValidationError(_("The next due date must be after the date given."))
    vaccination = Vaccination(
        pet=pet, vaccine=vaccine.strip(), given_on=given_on, next_due=next_due, given_by=given_by.strip()
    )
    if proof:
        vaccination.proof = proof
    vaccination.save()
    return vaccination


def vaccination_delete(*, vaccination: Vaccination, by) -> None:
    _check_owner(vaccination.pet, by)
    vaccination.delete()  # the proof file goes after commit (post_delete hook, see apps.py)


def access_record(*, pet: Pet, viewer, reason: str, what: str, now: datetime.datetime | None = None) -> None:
    """Write the owner's audit line: someone else looked at the record (once per window and kind)."""
    if viewer.pk == pet.owner_id:
        return
    now = now or timezone.now()
    recent = AccessLog.objects.filter(
        pet=pet, viewer=viewer, what=what, reason=reason, viewed_at__gte=now - ACCESS_LOG_WINDOW
    )
    if recent.exists():
        return
    AccessLog.objects.create(
        pet=pet, viewer=viewer, viewer_name=viewer.full_name, reason=reason[:200], what=what, viewed_at=now
    )


@transaction.atomic
def treatments_replace(
    *, pet: Pet, source: str, items: list[dict], prescribed_on, prescribed_by: str
) -> None:
    """Put a source's prescribed items on the record, replacing what that source put there before
    (a vet correcting their summary). `items`: dicts with name, dose, frequency, days."""
    Treatment.objects.filter(pet=pet, source=source).delete()
    Treatment.objects.bulk_create(
        Treatment(
            pet=pet,
            name=item["name"],
            dose=item.get("dose", ""),
            frequency=item.get("frequency", ""),
            days=item.get("days"),
            prescribed_on=prescribed_on,
            prescribed_by=prescribed_by[:120],
            source=source,
            position=position,
        )
        for position, item in enumerate(items)
    )


# --- handing a pet over (adoption) -------------------------------------------------------------------
def _copy_rows(rows, **changes):
    copies = []
    for row in rows:
        row.pk = None
        row.id = None
        for name, value in changes.items():
            setattr(row, name, value)
        copies.append(row)
    return copies


def pet_hand_over(*, pet: Pet, to, share_medical_notes: bool, now: datetime.datetime | None = None) -> Pet:
    """Move the record to its new owner (call inside the adoption's transaction).

    The record itself moves: vaccinations and weights go with it, and, when the previous owner allows,
    the medical notes, prescribed items and earlier consultation summaries. The previous owner keeps a
    read-only copy of the history up to now. Returns the moved record."""
    now = now or timezone.now()
    locked = Pet.objects.select_for_update().get(pk=pet.pk)
    if locked.is_read_only:
        raise ValidationError(_("This record was already handed over."))
    if locked.owner_id == to.pk:
        return locked
    previous_owner_id = locked.owner_id
    copy = Pet.objects.get(pk=locked.pk)
    copy.pk = copy.id = None
    copy.owner_id = previous_owner_id
    copy.photo = ""  # the photo file belongs to the record; the copy is the written history
    copy.handed_over_at = now
    copy.copy_of = locked
    copy.vaccination_reminders = False
    copy.save()
    Weight.objects.bulk_create(_copy_rows(locked.weights.all(), pet=copy))
    # The proof photos stay with the pet's current record; the copy lists the vaccinations.
    Vaccination.objects.bulk_create(_copy_rows(locked.vaccinations.all(), pet=copy, proof=""))
    treatments = list(locked.treatments.all())
    if share_medical_notes:
        Treatment.objects.bulk_create(_copy_rows(treatments, pet=copy))
    else:
        Treatment.objects.filter(pk__in=[t.pk for t in treatments]).update(pet=copy)
        locked.allergies = locked.chronic_conditions = locked.notes = ""
        locked.medical_history_since = now
    locked.owner = to
    locked.vaccination_reminders = True
    locked.save()
    AccessLog.objects.filter(pet=locked).update(pet=copy)  # who looked before is the lister's business
    return locked


# --- vaccination reminders (a daily job) -------------------------------------------------------------
def send_vaccination_reminders(*, today: datetime.date | None = None) -> int:
    """Remind owners of vaccinations due in 7 days and due today. Idempotent: a reminder is recorded
    once per (vaccination, kind, due date), so running the job twice a day, or again after a crash,
    sends nothing twice. Pets with reminders off and read-only copies are skipped. Returns how many
    were sent."""
    today = today or timezone.localdate()
    targets = {
        VaccinationReminder.Kind.WEEK_BEFORE: today + datetime.timedelta(days=REMINDER_LEAD_DAYS),
        VaccinationReminder.Kind.DUE_DAY: today,
    }
    sent = 0
    for kind, due in targets.items():
        due_vaccinations = (
            Vaccination.objects.filter(
                next_due=due, pet__vaccination_reminders=True, pet__handed_over_at__isnull=True
            )
            .exclude(reminders__kind=kind, reminders__due_date=due)
            .select_related("pet__owner", "pet__species")
        )
        for vaccination in due_vaccinations:
            # A newer shot of the same vaccine already given: the old due date no longer matters.
            if Vaccination.objects.filter(
                pet=vaccination.pet_id, vaccine__iexact=vaccination.vaccine, given_on__gt=vaccination.given_on
            ).exists():
                continue
            try:
                with transaction.atomic():
                    VaccinationReminder.objects.create(vaccination=vaccination, kind=kind, due_date=due)
                    pet = vaccination.pet
                    notify(
                        pet.owner,
                        kind="pets.vaccination_due",
                        context={"pet": pet, "vaccination": vaccination, "today": kind == "day"},
                        url=pet.get_absolute_url(),
                    )
            except IntegrityError:
                continue  # another run got there first
            sent += 1
    return sent
