"""Owned animals and their health records.

`Species` and `Breed` are reference data every feature app uses; they moved here from `adoption`
(same tables, `adoption_species` / `adoption_breed`) because `pets` sits under the feature apps and
may import none of them. See docs/pets.md.
"""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.uploads import private_storage


class Species(models.Model):
    """Reference data managed in admin; the basic ones come from adoption's data migration."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (English)"), max_length=60)
    name_id = models.CharField(_("name (Indonesian)"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        db_table = "adoption_species"
        ordering = ["position", "name"]
        verbose_name = _("species")
        verbose_name_plural = _("species")

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.name_id if translation.get_language() == "id" and self.name_id else self.name


class Breed(models.Model):
    species = models.ForeignKey(Species, on_delete=models.CASCADE, related_name="breeds")
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        db_table = "adoption_breed"
        ordering = ["species__position", "name"]
        verbose_name = _("breed")
        verbose_name_plural = _("breeds")
        constraints = [models.UniqueConstraint(fields=["species", "name"], name="unique_breed_per_species")]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name in the reader's language: the seeded breeds are in the translation catalogue
        (adoption/breed_names.py); breeds staff add later show as typed."""
        return gettext(self.name)


def _ext(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower()


def pet_photo_upload_to(instance, filename):
    return f"pets/{instance.pk}/photo/{uuid.uuid4().hex}.{_ext(filename)}"


def vaccination_proof_upload_to(instance, filename):
    return f"pets/{instance.pet_id}/vaccinations/{uuid.uuid4().hex}.{_ext(filename)}"


class PetQuerySet(models.QuerySet):
    def owned_by(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)

    def active(self):
        """Pets the owner has now (not the read-only copies kept after a handover)."""
        return self.filter(handed_over_at__isnull=True)


class Pet(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        UNKNOWN = "unknown", _("Unknown")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="pets"
    )
    name = models.CharField(_("name"), max_length=60)
    species = models.ForeignKey(
        Species, verbose_name=_("species"), on_delete=models.PROTECT, related_name="owned_pets"
    )
    breed = models.ForeignKey(
        Breed, verbose_name=_("breed"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_is_estimate = models.BooleanField(_("birth date is an estimate"), default=False)
    colour = models.CharField(_("colour"), max_length=60, blank=True)
    sterilised = models.BooleanField(_("sterilised"), default=False)
    microchip = models.CharField(_("microchip number"), max_length=30, blank=True)
    photo = models.FileField(_("photo"), storage=private_storage, upload_to=pet_photo_upload_to, blank=True)
    allergies = models.TextField(_("allergies"), blank=True, max_length=2000)
    chronic_conditions = models.TextField(_("chronic conditions"), blank=True, max_length=2000)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    vaccination_reminders = models.BooleanField(_("vaccination reminders"), default=True)
    # Set when the pet changed hands without its medical notes: earlier consultations stay hidden.
    medical_history_since = models.DateTimeField(_("medical history shown from"), null=True, blank=True)
    # A read-only copy the previous owner keeps after a handover (the record itself moved on).
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    copy_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "created_at"]
        verbose_name = _("pet")
        verbose_name_plural = _("pets")
        indexes = [models.Index(fields=["owner", "handed_over_at"], name="pet_owner_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pets:detail", args=[self.pk])

    @property
    def is_read_only(self) -> bool:
        return self.handed_over_at is not None

    # Which rows of other apps (consultations, bookings, reports) make up this record's history: a
    # read-only copy shows its original's history up to the handover; a record that changed hands
    # without its medical notes shows only what happened since.
    @property
    def history_pet_id(self):
        return self.copy_of_id if self.is_read_only else self.pk

    @property
    def history_since(self) -> datetime.datetime | None:
        return None if self.is_read_only else self.medical_history_since

    @property
    def history_until(self) -> datetime.datetime | None:
        return self.handed_over_at

    @property
    def age_months(self) -> int | None:
        if self.birth_date is None:
            return None
        today = timezone.localdate()
        months = (today.year - self.birth_date.year) * 12 + today.month - self.birth_date.month
        if today.day < self.birth_date.day:
            months -= 1
        return max(months, 0)

    @property
    def age_label(self) -> str:
        months = self.age_months
        if months is None:
            return ""
        years, rest = divmod(months, 12)
        if years and rest:
            text = _("%(y)d yr %(m)d mo") % {"y": years, "m": rest}
        elif years:
            text = _("%(y)d yr") % {"y": years}
        else:
            text = _("%(m)d mo") % {"m": rest}
        return f"± {text}" if self.birth_date_is_estimate else str(text)

    @property
    def summary_line(self) -> str:
        """ "Mochi · Kucing · 3 thn": how consultations and bookings name the pet."""
        return " · ".join(part for part in (self.name, str(self.species), self.age_label) if part)


class Weight(models.Model):
    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="weights")
    measured_on = models.DateField(_("date"))
    kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0.01), MaxValueValidator(150)],
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measured_on", "id"]
        verbose_name = _("weight")
        verbose_name_plural = _("weights")
        constraints = [
            models.CheckConstraint(condition=Q(kg__gt=0) & Q(kg__lte=150), name="weight_kg_range"),
        ]

    def __str__(self):
        return f"{self.pet} {self.kg} kg {self.measured_on}"


class Vaccination(models.Model):
    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="vaccinations")
    vaccine = models.CharField(_("vaccine"), max_length=120)
    given_on = models.DateField(_("date given"))
    next_due = models.DateField(_("next due"), null=True, blank=True, db_index=True)
    given_by = models.CharField(_("given by / clinic"), max_length=120, blank=True)
    proof = models.FileField(
        _("proof photo"), storage=private_storage, upload_to=vaccination_proof_upload_to, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("vaccination")
        verbose_name_plural = _("vaccinations")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_due__isnull=True) | Q(next_due__gt=models.F("given_on")),
                name="vaccination_next_due_after_given",
            )
        ]

    def __str__(self):
        return f"{self.vaccine} {self.given_on}"


class Treatment(models.Model):
    """A prescribed item on the pet's record (from a vet's closing summary, or typed by the owner)."""

    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="treatments")
    name = models.CharField(_("medicine or item"), max_length=120)
    dose = models.CharField(_("dose"), max_length=60, blank=True)
    frequency = models.CharField(_("how often"), max_length=60, blank=True)
    days = models.PositiveSmallIntegerField(_("for how many days"), null=True, blank=True)
    prescribed_on = models.DateField(_("prescribed on"))
    prescribed_by = models.CharField(_("prescribed by"), max_length=120, blank=True)
    # Where the item came from ("consultations:<uuid>"): the source replaces its own items on an edit.
    source = models.CharField(max_length=80, blank=True, db_index=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-prescribed_on", "position", "id"]
        verbose_name = _("prescribed item")
        verbose_name_plural = _("prescribed items")

    def __str__(self):
        return self.name

    @property
    def ends_on(self) -> datetime.date | None:
        if not self.days:
            return None
        return self.prescribed_on + datetime.timedelta(days=self.days - 1)


class AccessLog(models.Model):
    """Someone other than the owner looked at the record (a vet in a consultation). Shown to the owner."""

    class What(models.TextChoices):
        RECORD = "record", _("the record")
        PHOTO = "photo", _("the photo")
        PROOF = "vaccination proof", _("a vaccination proof")

    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="access_logs")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    viewer_name = models.CharField(_("who"), max_length=150)
    reason = models.CharField(_("why"), max_length=200)
    what = models.CharField(_("what"), max_length=60, choices=What.choices)
    viewed_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("record access")
        verbose_name_plural = _("record accesses")

    def __str__(self):
        return f"{self.viewer_name} → {self.pet} ({self.what})"


class VaccinationReminder(models.Model):
    """One reminder sent; the unique constraint makes the daily job idempotent."""

    class Kind(models.TextChoices):
        WEEK_BEFORE = "week", _("7 days before")
        DUE_DAY = "day", _("on the day")

    vaccination = models.ForeignKey(Vaccination, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    due_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vaccination reminder")
        verbose_name_plural = _("vaccination reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["vaccination", "kind", "due_date"], name="one_vaccination_reminder_per_due_date"
            )
        ]

    def __str__(self):
        return f"{self.vaccination} {self.kind} {self.due_date}"
