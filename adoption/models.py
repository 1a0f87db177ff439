import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import ActorEvent
from common.uploads import private_storage
from pets.models import Breed, Species  # noqa: F401 (moved to pets; re-exported for adoption code)

# The purpose of this app's payments (payments.registry; see adoption/payment_hooks.py).
PURPOSE = "adoption"
MAX_PHOTOS = 6
REPORT_INTERVAL_DAYS = 30


def vaccination_upload_to(instance, filename):
    return f"vaccination/{instance.pk}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


def photo_upload_to(instance, filename):
    return f"adoption/pets/{instance.pet_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


def report_upload_to(instance, filename):
    return (
        f"adoption/reports/{instance.application_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"
    )


class Pet(models.Model):
    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("Pending review")
        AVAILABLE = "available", _("Available")
        RESERVED = "reserved", _("Reserved")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        UNKNOWN = "unknown", _("Unknown")

    class Size(models.TextChoices):
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lister = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listed_pets")
    name = models.CharField(_("name"), max_length=60)
    species = models.ForeignKey(
        Species, verbose_name=_("species"), on_delete=models.PROTECT, related_name="pets"
    )
    breed = models.ForeignKey(
        Breed, verbose_name=_("breed"), on_delete=models.SET_NULL, null=True, blank=True, related_name="pets"
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    birth_date_is_estimate = models.BooleanField(_("birth date is an estimate"), default=False)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices)
    colour = models.CharField(_("colour"), max_length=60)
    description = models.TextField(_("description"))
    medical_history = models.TextField(_("medical history"), blank=True)
    vaccinated = models.BooleanField(_("vaccinated"), default=False)
    sterilised = models.BooleanField(_("sterilised"), default=False)
    fee = models.PositiveIntegerField(_("adoption fee (Rp)"), default=0)
    # The lister's own pet record this listing was made from; on a confirmed handover the record moves
    # to the adopter (with the medical notes only when the lister ticks `share_medical_notes`).
    record = models.ForeignKey(
        "pets.Pet",
        verbose_name=_("pet record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listings",
    )
    share_medical_notes = models.BooleanField(
        _("give the adopter the medical notes"),
        default=False,
        help_text=_(
            "Allergies, chronic conditions, notes, prescriptions and earlier consultation summaries go "
            "to the adopter with the pet. Vaccinations and weights always go."
        ),
    )
    rehoming_reason = models.TextField(_("reason for rehoming"))
    city = models.ForeignKey(
        "accounts.Regency", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+"
    )
    vaccination_book = models.FileField(
        _("vaccination book scan"), storage=private_storage, upload_to=vaccination_upload_to, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("listed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pet")
        verbose_name_plural = _("pets")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="pet_status_idx"),
            models.Index(fields=["status", "city", "-created_at"], name="pet_status_city_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(fee__gte=0), name="pet_fee_not_negative")]

    def __str__(self):
        return self.name

    @property
    def is_available(self):
        return self.status == self.Status.AVAILABLE

    @property
    def age_months(self) -> int:
        today = timezone.localdate()
        months = (today.year - self.birth_date.year) * 12 + today.month - self.birth_date.month
        if today.day < self.birth_date.day:
            months -= 1
        return max(months, 0)

    @property
    def age_label(self) -> str:
        months = self.age_months
        years, rest = divmod(months, 12)
        if years and rest:
            text = _("%(y)d yr %(m)d mo") % {"y": years, "m": rest}
        elif years:
            text = _("%(y)d yr") % {"y": years}
        else:
            text = _("%(m)d mo") % {"m": rest}
        return f"± {text}" if self.birth_date_is_estimate else str(text)

    @property
    def first_photo(self):
        photos = list(self.photos.all())  # uses prefetch_related on list pages
        return photos[0] if photos else None


class PetPhoto(models.Model):
    """A public photo (ordinary media), re-encoded and EXIF-free by SafeImageField."""

    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_upload_to)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pet photo")
        verbose_name_plural = _("pet photos")

    def __str__(self):
        return f"{self.pet} #{self.position}"


class CartItem(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="adoption_cart")
    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="cart_items")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at"]
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        constraints = [models.UniqueConstraint(fields=["user", "pet"], name="one_cart_item_per_pet")]

    def __str__(self):
        return f"{self.user} → {self.pet}"


class Application(models.Model):
    """One adopter's application for one pet, with the questionnaire answers given at checkout."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved, pickup scheduled")
        DECLINED = "declined", _("Declined")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired (fee not paid)")
        ADOPTED = "adopted", _("Adopted")
        HANDOVER_FAILED = "handover_failed", _("Handover failed")

    OPEN = (Status.SUBMITTED, Status.APPROVED)

    class HomeType(models.TextChoices):
        HOUSE = "house", _("House")
        APARTMENT = "apartment", _("Apartment")
        BOARDING_ROOM = "boarding_room", _("Boarding room (kos)")

    class HomeOwnership(models.TextChoices):
        OWN = "own", _("Own")
        RENT = "rent", _("Rent")

    code = models.CharField(_("code"), max_length=20, unique=True, null=True, blank=True)
    pet = models.ForeignKey(Pet, on_delete=models.CASCADE, related_name="applications")
    adopter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="adoption_applications"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    fee = models.PositiveIntegerField(_("fee (Rp)"), default=0)

    # Questionnaire (every answer required at checkout).
    household = models.TextField(_("people living with you"))
    home_type = models.CharField(_("home type"), max_length=16, choices=HomeType.choices)
    home_ownership = models.CharField(_("own or rent"), max_length=8, choices=HomeOwnership.choices)
    pet_space = models.TextField(_("space or cage size for the pet"))
    family_permission = models.BooleanField(_("my family agrees to the adoption"), default=False)
    ready_responsibility = models.BooleanField(_("I am ready to take responsibility"), default=False)
    why_adopt = models.TextField(_("why do you want to adopt"))
    experience = models.TextField(_("earlier experience with pets"))
    sleeping_place = models.TextField(_("where will the pet sleep"))
    food_plan = models.TextField(_("what food will it get"))
    aggression_plan = models.TextField(_("what will you do if the pet is aggressive"))
    illness_plan = models.TextField(_("what will you do if it falls ill"))
    long_term_commitment = models.TextField(_("your long-term commitment"))
    moving_plan = models.TextField(_("what happens if you move city"))
    cost_plan = models.TextField(_("how will you cover the costs"))
    adaptation_agreed = models.BooleanField(_("I agree to an adaptation period"), default=False)
    terms_accepted_at = models.DateTimeField(_("adoption terms accepted"), null=True, blank=True)

    # Lister's decision and pickup.
    pickup_at = models.DateTimeField(_("pickup time"), null=True, blank=True)
    pickup_address = models.TextField(_("pickup address"), blank=True)
    pickup_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    decline_note = models.TextField(_("note"), blank=True)
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("fee paid"), null=True, blank=True)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    next_report_due = models.DateField(_("next report due"), null=True, blank=True, db_index=True)
    reminded_for = models.DateField(_("reminder sent for"), null=True, blank=True)
    # The due date whose "overdue" notices (to the adopter and the lister) went out.
    overdue_notified_for = models.DateField(_("overdue notice sent for"), null=True, blank=True)

    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    QUESTION_FIELDS = [
        "household", "home_type", "home_ownership", "pet_space", "family_permission", "ready_responsibility",
        "why_adopt", "experience", "sleeping_place", "food_plan", "aggression_plan", "illness_plan",
        "long_term_commitment", "moving_plan", "cost_plan", "adaptation_agreed",
    ]  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("adoption application")
        verbose_name_plural = _("adoption applications")
        constraints = [
            models.UniqueConstraint(
                fields=["pet", "adopter"],
                condition=Q(status__in=["submitted", "approved"]),
                name="one_open_application_per_pet_and_adopter",
            ),
            # The database itself refuses a second winner for one pet (the lock makes it never happen).
            models.UniqueConstraint(
                fields=["pet"], condition=Q(status__in=["approved", "adopted"]), name="one_winner_per_pet"
            ),
        ]

    def __str__(self):
        return self.code or f"application {self.pk}"

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def needs_payment(self):
        return self.status == self.Status.APPROVED and self.fee > 0 and self.paid_at is None

    @property
    def can_confirm_receipt(self):
        return self.status == self.Status.APPROVED and (self.fee == 0 or self.paid_at is not None)

    @property
    def before_pickup_time(self) -> bool:
        """Confirming the handover before the planned pickup needs the adopter to say it happened early."""
        return self.pickup_at is not None and timezone.now() < self.pickup_at

    @property
    def reveals_contacts(self):
        """Pickup address and phones are shared only once the lister approved this adopter."""
        return self.status in (self.Status.APPROVED, self.Status.ADOPTED, self.Status.HANDOVER_FAILED)

    @property
    def report_state(self) -> str:
        if self.status != self.Status.ADOPTED or not self.next_report_due:
            return ""
        today = timezone.localdate()
        if self.next_report_due < today:
            return "overdue"
        if self.next_report_due <= today + datetime.timedelta(days=7):
            return "due"
        return "ok"

    def questionnaire(self):
        """(label, shown answer) pairs for the lister's review page."""
        rows = []
        for name in self.QUESTION_FIELDS:
            field = self._meta.get_field(name)
            if field.choices:
                value = getattr(self, f"get_{name}_display")()
            elif isinstance(field, models.BooleanField):
                value = _("Yes") if getattr(self, name) else _("No")
            else:
                value = getattr(self, name)
            rows.append((field.verbose_name, value))
        return rows


class ApplicationEvent(ActorEvent):
    """The status timeline of an application, written by the services."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Application submitted")
        APPROVED = "approved", _("Approved, pickup scheduled")
        DECLINED = "declined", _("Declined by the lister")
        CLOSED = "closed", _("Closed: the pet went to another adopter or was withdrawn")
        WITHDRAWN = "withdrawn", _("Withdrawn by the adopter")
        PAID = "paid", _("Adoption fee paid")
        EXPIRED = "expired", _("Reservation released: the fee was not paid in time")
        PICKED_UP = "picked_up", _("Pet picked up, adoption complete")
        HANDOVER_FAILED = "handover_failed", _("Handover failed")
        REFUNDED = "refunded", _("Fee refunded")
        REPORT = "report", _("Follow-up report submitted")
        REMINDER = "reminder", _("Report reminder sent")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)  # a decline reason or a handover report can be long

    class Meta(ActorEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self):
        return f"{self.application} {self.kind}"


class FollowUpReport(models.Model):
    class Condition(models.TextChoices):
        HEALTHY = "healthy", _("Healthy and settled")
        ADJUSTING = "adjusting", _("Still adjusting")
        MINOR = "minor", _("Minor health issue")
        SICK = "sick", _("Sick, under treatment")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reports")
    report_date = models.DateField(_("date"))
    photo = models.FileField(_("photo"), upload_to=report_upload_to)
    caption = models.CharField(_("caption"), max_length=300)
    condition = models.CharField(_("condition"), max_length=12, choices=Condition.choices)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["-report_date", "-id"]
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")

    def __str__(self):
        return f"{self.application} {self.report_date}"
