import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import ActorEvent

# Words under /grooming/ that are pages, not salons: a salon may never take them as its slug.
# The purpose of this app's payments (payments.registry; see grooming/payment_hooks.py).
PURPOSE = "grooming"
RESERVED_SLUGS = {"bookings", "manage", "reviews", "book", "new", "add", "edit", "api", "static", "media"}
# The salon's average is shown once it has this many reviews (one or two reviews say little).
MIN_REVIEWS_FOR_AVERAGE = 3


def validate_slug_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved. Choose another slug."), code="reserved_slug")


class Species(models.TextChoices):
    DOG = "dog", _("Dog")
    CAT = "cat", _("Cat")
    RABBIT = "rabbit", _("Rabbit")


class Size(models.TextChoices):
    ANY = "any", _("Any size")
    SMALL = "s", _("Small (up to 5 kg)")
    MEDIUM = "m", _("Medium (5–10 kg)")
    LARGE = "l", _("Large (10–25 kg)")
    XLARGE = "xl", _("Extra large (over 25 kg)")


class ServiceKind(models.TextChoices):
    BATH = "bath", _("Bath")
    FULL = "full", _("Full grooming")
    HAIRCUT = "haircut", _("Haircut")
    NAILS = "nails", _("Nail trim")
    FLEA = "flea", _("Flea & tick treatment")
    EARS = "ears", _("Ear cleaning")
    SPA = "spa", _("Spa / medicated bath")


class Salon(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, validators=[validate_slug_not_reserved])
    city = models.ForeignKey(
        "accounts.Regency", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=255)
    phone = models.CharField(_("WhatsApp / phone"), max_length=20, help_text=_("Stored as +62…"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    home_service = models.BooleanField(_("home service"), default=False)
    home_service_cities = models.ManyToManyField(
        "accounts.Regency", verbose_name=_("home service cities"), blank=True, related_name="+"
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("managers"),
        blank=True,
        related_name="managed_salons",
        limit_choices_to={"is_salon_manager": True},
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many pets can be groomed at the same time."),
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        _("slot step (minutes)"), default=30, validators=[MinValueValidator(10), MaxValueValidator(120)]
    )
    min_lead_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"),
        default=120,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("How long before a slot it can still be booked."),
    )
    deposit_amount = models.PositiveIntegerField(
        _("deposit (Rp)"), default=0, help_text=_("Paid online when booking; 0 means no deposit.")
    )
    is_active = models.BooleanField(_("listed"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("salon")
        verbose_name_plural = _("salons")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="salon_capacity_positive"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("grooming:salon", args=[self.slug])

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.city.province.timezone)

    @property
    def tz_label(self) -> str:
        return {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(
            self.city.province.timezone, self.city.province.timezone
        )

    def local_now(self) -> dt.datetime:
        return timezone.now().astimezone(self.tz)

    @property
    def map_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}#map=17/{self.latitude}/{self.longitude}"

    @property
    def whatsapp_url(self) -> str:
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return f"https://wa.me/{digits}" if digits else ""

    def is_managed_by(self, user) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_salon_manager:
            return False
        return self.managers.filter(pk=user.pk).exists()


def salon_photo_upload_to(instance, filename):
    return f"salons/{instance.salon_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


class SalonPhoto(models.Model):
    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=salon_photo_upload_to)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("salon photo")
        verbose_name_plural = _("salon photos")

    def __str__(self):
        return self.caption or f"{self.salon} #{self.pk}"


class WeeklyHours(models.Model):
    """One opening range on a weekday, in the salon's local time. Several per day = breaks."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="hours_close_after_open"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="hours_weekday_range"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class Closure(models.Model):
    """A day the salon is closed although its weekly hours say open (holidays, renovation)."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [models.UniqueConstraint(fields=["salon", "date"], name="one_closure_per_salon_day")]

    def __str__(self):
        return f"{self.salon} closed {self.date}"


class Service(models.Model):
    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("kind"), max_length=10, choices=ServiceKind.choices)
    name = models.CharField(_("name"), max_length=120)
    species = models.CharField(_("species"), max_length=10, choices=Species.choices)
    size = models.CharField(_("size / weight"), max_length=3, choices=Size.choices, default=Size.ANY)
    price = models.PositiveIntegerField(_("price (Rp)"), validators=[MinValueValidator(1000)])
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(10), MaxValueValidator(8 * 60)]
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["species", "kind", "price", "size"]  # within a kind, the cheaper (smaller) first
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="service_price_positive"),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="service_duration_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_species_display()}, {self.get_size_display()})"

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)


class Booking(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting deposit")
        REQUESTED = "requested", _("Waiting for the salon")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Released (deposit not paid)")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")

    # Bookings in these states hold their seat; the database constraint uses the same list.
    ACTIVE = ("awaiting_payment", "requested", "confirmed")
    # A home visit's street address is shown to the salon in these states (the city always).
    ADDRESS_SHARED = ("confirmed", "completed", "no_show")

    salon = models.ForeignKey(Salon, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grooming_bookings"
    )
    pet_name = models.CharField(_("pet's name"), max_length=60)
    pet_species = models.CharField(_("species"), max_length=10, choices=Species.choices)
    # The member's pet record (nullable: older bookings, and pets not on the member's list).
    pet = models.ForeignKey(
        "pets.Pet", verbose_name=_("pet"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pet_size = models.CharField(_("size"), max_length=3, choices=Size.choices, blank=True)
    # Copied from the record when booking: the salon sees them on this booking only, not the record.
    pet_allergies = models.TextField(_("allergies"), blank=True, max_length=2000)
    notes = models.TextField(_("notes for the groomer"), blank=True, max_length=1000)
    # A home visit (salons with home service, in one of their home-service cities). The address is
    # erased a day after the visit or once the booking ends otherwise (services.erase_home_addresses).
    at_home = models.BooleanField(_("home visit"), default=False)
    home_city = models.ForeignKey(
        "accounts.Regency",
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    home_address = models.CharField(_("home address"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    seat = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    price = models.PositiveIntegerField(_("price (Rp)"))
    deposit_amount = models.PositiveIntegerField(_("deposit (Rp)"), default=0)
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hold_expires_at = models.DateTimeField(_("deposit due by"), null=True, blank=True)
    # When the 24-hour and 2-hour visit reminders went out (each is sent once).
    reminded_24h_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_2h_at = models.DateTimeField(null=True, blank=True, editable=False)
    reason = models.CharField(
        _("reason"), max_length=300, blank=True, help_text=_("Why it was declined or cancelled.")
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["salon", "starts_at"], name="booking_salon_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
            # Same seat, same start: caught on every backend. Partial overlaps are caught on
            # PostgreSQL by the exclusion constraint added in the migration (btree_gist).
            models.UniqueConstraint(
                fields=["salon", "seat", "starts_at"],
                condition=Q(status__in=["awaiting_payment", "requested", "confirmed"]),
                name="booking_one_per_seat_start",
            ),
        ]

    def __str__(self):
        # The salon's local time (it was UTC: an 08:00 WIB visit read "01:00" in the admin).
        when = f"{self.local_start():%Y-%m-%d %H:%M} {self.salon.tz_label}"
        return f"{self.salon} · {self.service.name} · {when}"

    def get_absolute_url(self):
        return reverse("grooming:booking", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def member_whatsapp_url(self) -> str:
        digits = "".join(ch for ch in self.member.phone if ch.isdigit())
        return f"https://wa.me/{digits}" if digits else ""

    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(self.salon.tz)

    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(self.salon.tz)


class BookingEvent(ActorEvent):
    """A booking's history: every status it took, who moved it and why (shown as a timeline)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=Booking.Status.choices)

    class Meta(ActorEvent.Meta):
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")

    def __str__(self):
        return f"{self.booking_id} {self.status}"


class Review(models.Model):
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="review")
    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="salon_reviews"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("review"), max_length=2000)
    reply = models.TextField(_("salon's reply"), blank=True, max_length=2000)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by staff"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.salon} — {self.author}"
