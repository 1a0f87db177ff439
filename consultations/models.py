import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import VerificationStatus, VetLicence
from common.uploads import private_storage


def _ext(filename):
    return filename.rsplit(".", 1)[-1].lower()


def vet_photo_upload_to(instance, filename):
    return f"vets/{uuid.uuid4().hex}.{_ext(filename)}"


def consultation_photo_upload_to(instance, filename):
    return f"consultations/{instance.consultation_id}/photos/{uuid.uuid4().hex}.{_ext(filename)}"


def message_attachment_upload_to(instance, filename):
    return f"consultations/{instance.consultation_id}/chat/{uuid.uuid4().hex}.{_ext(filename)}"


# The purpose of this app's payments (payments.registry; see consultations/payment_hooks.py).
PURPOSE = "consultation"


class Specialty(models.Model):
    """A kind of animal a vet treats; also the species an owner picks for their pet."""

    slug = models.SlugField(_("slug"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    def __str__(self):
        # The built-in kinds are translated with the UI; ones staff add show their stored name.
        label = BUILTIN_SPECIALTIES.get(self.slug)
        return str(label) if label else self.name


# slug -> label of the kinds created by migration 0002 (names in the database are these in English).
BUILTIN_SPECIALTIES = {
    "dogs": _("Dogs"),
    "cats": _("Cats"),
    "rabbits": _("Rabbits"),
    "birds": _("Birds"),
    "reptiles": _("Reptiles"),
    "exotics": _("Exotic pets"),
    "livestock": _("Livestock"),
}


def presence_timeout() -> datetime.timedelta:
    """How long an "online" vet stays online without being seen (page view, heartbeat, chat)."""
    return datetime.timedelta(minutes=settings.VET_PRESENCE_TIMEOUT_MINUTES)


class VetProfileQuerySet(models.QuerySet):
    def listed(self):
        """Profiles owners may see and consult: active vets whose licence staff approved, with the
        licence numbers (Indonesian veterinary ethics require STRV/SIP to be shown)."""
        approved = VetLicence.objects.filter(user=OuterRef("user"), status=VerificationStatus.APPROVED)
        approved = approved.order_by("-decided_at", "-pk")
        return (
            self.filter(user__is_vet=True, user__is_active=True)
            .filter(Exists(approved))
            .annotate(
                strv_number=Subquery(approved.values("strv_number")[:1]),
                sip_number=Subquery(approved.values("sip_number")[:1]),
            )
        )

    def with_live_availability(self, now=None):
        """Annotate `live_availability`: offline when the vet says so or was not seen lately, busy while
        they have an active consultation, online otherwise."""
        now = now or timezone.now()
        active = Consultation.objects.filter(vet=OuterRef("user"), status=Consultation.Status.ACTIVE)
        online = Q(availability=VetProfile.Availability.ONLINE, last_seen_at__gte=now - presence_timeout())
        return self.annotate(
            live_availability=Case(
                When(online & Q(Exists(active)), then=Value(VetProfile.Availability.BUSY)),
                When(online, then=Value(VetProfile.Availability.ONLINE)),
                default=Value(VetProfile.Availability.OFFLINE),
                output_field=models.CharField(),
            )
        )

    def directory(self, *, species=None, max_fee=None, online=False, sort="", now=None):
        """The /vets/ list: listed vets with live availability, filtered and sorted."""
        queryset = (
            self.listed().with_live_availability(now).select_related("user").prefetch_related("specialties")
        )
        if species is not None:
            queryset = queryset.filter(specialties=species)
        if max_fee is not None:
            queryset = queryset.filter(fee__lte=max_fee)
        if online:
            queryset = queryset.filter(live_availability=VetProfile.Availability.ONLINE)
        best_rated = [F("rating_avg").desc(nulls_last=True), "-rating_count"]
        orders = {
            "rating": best_rated,
            "fee": ["fee"],
            "-fee": ["-fee"],
            "experience": ["-years_of_experience"],
        }
        if sort in orders:
            order = orders[sort]
        else:
            # Recommended: who can answer now first, then the best rated.
            queryset = queryset.annotate(
                availability_rank=Case(
                    When(live_availability=VetProfile.Availability.ONLINE, then=Value(0)),
                    When(live_availability=VetProfile.Availability.BUSY, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            order = ["availability_rank", *best_rated]
        return queryset.order_by(*order, "user__full_name", "pk")


class VetProfile(models.Model):
    class Availability(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")
        # Never stored by the vet: shown while they have an active consultation.
        BUSY = "busy", _("Busy")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vet_profile"
    )
    photo = models.ImageField(_("photo"), upload_to=vet_photo_upload_to, blank=True)
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    specialties = models.ManyToManyField(
        Specialty, verbose_name=_("specialties"), blank=True, related_name="vets"
    )
    years_of_experience = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(70)]
    )
    fee = models.PositiveIntegerField(
        _("consultation fee (Rp)"),
        default=50_000,
        validators=[MinValueValidator(10_000), MaxValueValidator(5_000_000)],
    )
    availability = models.CharField(
        _("availability"), max_length=10, choices=Availability.choices, default=Availability.OFFLINE
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    rating_avg = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = VetProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("vet profile")
        verbose_name_plural = _("vet profiles")
        indexes = [models.Index(fields=["availability"], name="vetprofile_availability_idx")]

    def __str__(self):
        return self.user.full_name

    def get_absolute_url(self):
        return reverse("consultations:vet_detail", args=[self.user_id])

    def live_availability_now(self, now=None) -> str:
        """The same rule as `with_live_availability()`, for one profile already in hand."""
        now = now or timezone.now()
        if self.availability != self.Availability.ONLINE or not self.last_seen_at:
            return self.Availability.OFFLINE
        if self.last_seen_at < now - presence_timeout():
            return self.Availability.OFFLINE
        if Consultation.objects.filter(vet_id=self.user_id, status=Consultation.Status.ACTIVE).exists():
            return self.Availability.BUSY
        return self.Availability.ONLINE


class Consultation(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        WAITING = "waiting", _("Waiting for the vet")
        ACTIVE = "active", _("In progress")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    OPEN_STATUSES = (Status.AWAITING_PAYMENT, Status.WAITING, Status.ACTIVE)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="consultations_as_owner",
    )
    vet = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vet"),
        on_delete=models.PROTECT,
        related_name="consultations_as_vet",
    )
    pet_name = models.CharField(_("pet's name"), max_length=60)
    pet_species = models.ForeignKey(
        Specialty, verbose_name=_("species"), on_delete=models.PROTECT, related_name="+"
    )
    pet_age = models.CharField(
        _("pet's age"), max_length=40, help_text=_("For example “2 years” or “5 months”.")
    )
    complaint = models.TextField(_("complaint"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT
    )
    fee = models.PositiveIntegerField(_("fee (Rp)"))
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The pet's record (nullable: consultations from before pet records keep their typed fields).
    pet = models.ForeignKey(
        "pets.Pet",
        verbose_name=_("pet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
    )
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    # The closing summary: structured (assessment, advice, prescribed items); `summary` holds the
    # composed text (what notifications, the chat event and older consultations use).
    assessment = models.TextField(_("assessment"), blank=True, max_length=4000)
    advice = models.TextField(_("advice"), blank=True, max_length=4000)
    summary = models.TextField(_("vet's summary"), blank=True, max_length=6000)
    summary_at = models.DateTimeField(_("summary written"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    # The owner's choice at booking: if the vet does not accept in time, offer it to another vet.
    allow_reassign = models.BooleanField(
        _("May be passed to another vet"),
        default=False,
        help_text=_(
            "If this vet does not accept in time, we offer your consultation to another available vet "
            "for the same animal (same or lower fee). Otherwise it is cancelled and refunded in full."
        ),
    )
    reassigned_at = models.DateTimeField(_("passed to another vet"), null=True, blank=True)
    reassigned_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first vet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(fields=["vet", "status"], name="consultation_vet_status_idx"),
            models.Index(fields=["owner", "status"], name="consultation_owner_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(owner=models.F("vet")), name="consultation_owner_is_not_vet"),
            # At most one open consultation per owner and vet (the service checks first, for a clear message).
            models.UniqueConstraint(
                fields=["owner", "vet"],
                condition=Q(status__in=["awaiting_payment", "waiting", "active"]),
                name="one_open_consultation_per_owner_and_vet",
            ),
            # One free follow-up per consultation.
            models.UniqueConstraint(
                fields=["follow_up_of"], condition=Q(follow_up_of__isnull=False), name="one_follow_up_each"
            ),
        ]

    def __str__(self):
        return f"{self.pet_name} — {self.owner} / {self.vet}"

    def get_absolute_url(self):
        return reverse("consultations:room", args=[self.pk])

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_chat_open(self):
        """The owner may write while waiting for the vet, both while the vet is on the case."""
        return self.status in (self.Status.WAITING, self.Status.ACTIVE)


class ConsultationPhoto(models.Model):
    """A photo the owner gave when opening the consultation; only participants and staff may see it."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), storage=private_storage, upload_to=consultation_photo_upload_to)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("consultation photo")
        verbose_name_plural = _("consultation photos")

    def __str__(self):
        return f"{self.consultation_id} #{self.pk}"


class Message(models.Model):
    # A global auto-increment, so ids grow within each consultation too (the chat protocol relies on it).
    id = models.BigAutoField(primary_key=True)
    # No single-column index: both unique constraints below start with consultation_id, and every
    # message INSERT would pay another copy (docs/benchmarks.md, the chat's cost per message).
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField()
    # Gapless per consultation, in commit order: allocated from the consultation's ChatSequence row,
    # locked in the same transaction that inserts the message (docs/chat-protocol.md, "Order").
    seq = models.BigIntegerField()
    body = models.TextField(blank=True)
    attachment = models.FileField(storage=private_storage, upload_to=message_attachment_upload_to, blank=True)
    attachment_width = models.PositiveIntegerField(null=True, blank=True)
    attachment_height = models.PositiveIntegerField(null=True, blank=True)
    # No index of its own: no query filters or orders messages by time (the upload limit's fallback
    # narrows by sender first); one index write fewer per message.
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        # No (consultation, id) index: ids and seqs grow together within a consultation, so every
        # "in this consultation, after/before id N" query walks (consultation, seq) instead
        # (consultations/chat/services.py `seq_of_id`, the unread counts); measured, each index dropped
        # saves PostgreSQL CPU on every message INSERT (docs/benchmarks.md).
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "sender", "client_id"], name="message_idempotent_client_id"
            ),
            # Also the index `sync` walks: (consultation, seq) range scans, newest or oldest first.
            models.UniqueConstraint(fields=["consultation", "seq"], name="message_consultation_seq"),
        ]

    def __str__(self):
        return f"#{self.pk} in {self.consultation_id}"

    def save(self, *args, **kwargs):
        # Any ORM creation (photos over HTTP, demo data, admin) takes its seq the same way the chat
        # writer does: under the consultation's ChatSequence lock, in the inserting transaction.
        if self.seq is None and self._state.adding:
            with transaction.atomic(using=kwargs.get("using")):
                self.seq = ChatSequence.allocate(self.consultation_id, 1)
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)


def _db_uuid(connection, value):
    """A UUID as the backend stores it (SQLite: 32 hex characters; PostgreSQL: uuid)."""
    value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return value if connection.features.has_native_uuid_field else value.hex


class ChatSequence(models.Model):
    """The last `seq` handed out in a consultation's chat.

    Every message INSERT first bumps this row (which locks it until commit), so two transactions writing
    to the same consultation commit one after the other and `seq` follows commit order with no gaps.
    Kept out of `Consultation` so a service saving a whole consultation never writes a stale counter.
    """

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, primary_key=True, related_name="chat_sequence"
    )
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("chat sequence")
        verbose_name_plural = _("chat sequences")

    def __str__(self):
        return f"{self.consultation_id} at {self.last_seq}"

    @classmethod
    def allocate(cls, consultation_id, count: int) -> int:
        """Reserve `count` numbers; returns the first. Call inside the transaction that inserts the
        messages: the row stays locked until it commits (or rolls back, which returns the numbers)."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("ChatSequence.allocate must run inside transaction.atomic()")
        connection = transaction.get_connection()
        sql = (
            f"UPDATE {cls._meta.db_table} SET last_seq = last_seq + %s"  # noqa: S608 (our table name)
            " WHERE consultation_id = %s RETURNING last_seq"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, _db_uuid(connection, consultation_id)])
            row = cursor.fetchone()
            if row is None:
                try:
                    with transaction.atomic():
                        cls.objects.create(consultation_id=consultation_id, last_seq=count)
                    return 1
                except IntegrityError:  # created concurrently: now the UPDATE finds (and waits for) it
                    cursor.execute(sql, [count, _db_uuid(connection, consultation_id)])
                    row = cursor.fetchone()
        return row[0] - count + 1


class ReadState(models.Model):
    """The last message a participant has read; unread = others' messages with a higher id."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("read state")
        verbose_name_plural = _("read states")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "user"], name="readstate_unique_per_user")
        ]

    def __str__(self):
        return f"{self.user} read {self.consultation_id} up to {self.last_read_id}"


class Rating(models.Model):
    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="rating")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    vet = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings_received"
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5")
        ]

    def __str__(self):
        return f"{self.stars}★ {self.vet} by {self.owner}"


class PrescribedItem(models.Model):
    """One line of the closing summary's prescription; also copied onto the pet's record."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="prescribed_items")
    name = models.CharField(_("medicine or item"), max_length=120)
    dose = models.CharField(_("dose"), max_length=60, blank=True)
    frequency = models.CharField(_("how often"), max_length=60, blank=True)
    days = models.PositiveSmallIntegerField(
        _("for how many days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("prescribed item")
        verbose_name_plural = _("prescribed items")

    def __str__(self):
        return self.name

    def as_text(self) -> str:
        parts = [self.name, self.dose, self.frequency]
        if self.days:
            parts.append(_("%(n)d days") % {"n": self.days})
        return " · ".join(str(p) for p in parts if p)
