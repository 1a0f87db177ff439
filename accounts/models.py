import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from common.uploads import private_storage

TIMEZONES = [
    ("Asia/Jakarta", "WIB"),
    ("Asia/Makassar", "WITA"),
    ("Asia/Jayapura", "WIT"),
]


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(_("time zone"), max_length=32, choices=TIMEZONES)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name


class Regency(models.Model):
    """A kabupaten or kota, with its Kemendagri code ("32.73")."""

    class Kind(models.TextChoices):
        REGENCY = "regency", _("Regency (kabupaten)")
        CITY = "city", _("City (kota)")

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")

    class Meta:
        ordering = ["name"]
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")

    def __str__(self):
        return self.name

    @property
    def short_name(self):
        for prefix in ("Kota Administrasi ", "Kabupaten Administrasi ", "Kabupaten ", "Kota "):
            if self.name.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name

    @property
    def timezone(self):
        return self.province.timezone


# Titles that precede Indonesian names and are not what a person is called by ("I"/"Ni" open Balinese names).
HONORIFICS = {
    "drh",
    "dr",
    "dra",
    "drs",
    "prof",
    "ir",
    "h",
    "hj",
    "ibu",
    "bapak",
    "bu",
    "pak",
    "mr",
    "mrs",
    "ms",
    "i",
    "ni",
}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """One account for every member; vets, shelters and salon managers are members with a flag."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored as +62…"))
    city = models.ForeignKey(
        Regency, verbose_name=_("city"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="id")
    # Vets: a new paid consultation plays a short sound on their open pages (the tab title flashes
    # either way). Off for people who work in a quiet room or share a screen.
    request_sound = models.BooleanField(
        _("sound for new consultation requests"),
        default=True,
        help_text=_("Play a short sound on your open HELLOPET! pages when a new paid consultation arrives."),
    )
    is_vet = models.BooleanField(_("veterinarian"), default=False)
    is_shelter = models.BooleanField(_("shelter organisation"), default=False)
    organisation_name = models.CharField(_("organisation name"), max_length=150, blank=True)
    is_salon_manager = models.BooleanField(_("salon manager"), default=False)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_shelter=False) | ~Q(organisation_name=""), name="shelter_has_organisation_name"
            )
        ]

    def __str__(self):
        return self.display_name

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.first_name

    @property
    def first_name(self):
        """The name to greet someone by: "drh. Ayu Pratiwi" -> "Ayu" (titles are skipped); "" while the
        account has neither name nor e-mail (a signup form being validated)."""
        words = (self.full_name or self.email).split()
        names = [w for w in words if w.rstrip(".,").lower() not in HONORIFICS and not w.endswith(".")]
        return (names or words or [""])[0]

    @property
    def display_name(self):
        """What other members see: a shelter's name, or a person's first name (privacy)."""
        if self.is_shelter and self.organisation_name:
            return self.organisation_name
        return self.first_name

    @cached_property
    def is_identity_verified(self) -> bool:
        return self.identity_verifications.filter(status=VerificationStatus.APPROVED).exists()

    @cached_property
    def is_licence_verified(self) -> bool:
        return self.is_vet and self.vet_licences.filter(status=VerificationStatus.APPROVED).exists()


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def ktp_upload_to(instance, filename):
    return f"ktp/{instance.user_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


def licence_upload_to(instance, filename):
    return f"licences/{instance.user_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


class Verification(models.Model):
    """What identity and licence checks share: a submission staff approve or reject with a reason."""

    status = models.CharField(
        _("status"), max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-submitted_at"]

    @property
    def is_pending(self):
        return self.status == VerificationStatus.PENDING

    @property
    def is_approved(self):
        return self.status == VerificationStatus.APPROVED

    @property
    def is_rejected(self):
        return self.status == VerificationStatus.REJECTED


class IdentityVerification(Verification):
    """A KTP scan + NIK. Kept in private storage; only the member and staff can open the scan."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_verifications"
    )
    nik = models.CharField("NIK", max_length=16)
    name_on_ktp = models.CharField(_("name on KTP"), max_length=150)
    # Emptied N days after approval (KTP_SCAN_RETENTION_DAYS); the NIK is then kept masked only.
    scan = models.FileField(_("KTP scan"), storage=private_storage, upload_to=ktp_upload_to, blank=True)
    scan_deleted_at = models.DateTimeField(_("scan deleted"), null=True, blank=True)
    consent_at = models.DateTimeField(_("consent given"))
    consent_policy_version = models.CharField(_("privacy policy version"), max_length=20)

    class Meta(Verification.Meta):
        verbose_name = _("identity verification (KTP)")
        verbose_name_plural = _("identity verifications (KTP)")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=~Q(status="rejected"),
                name="one_open_identity_verification_per_user",
            )
        ]

    def __str__(self):
        return f"KTP {self.user} ({self.get_status_display()})"

    @property
    def masked_nik(self):
        return self.nik[:6] + "******" + self.nik[-4:]


class VetLicence(Verification):
    """A vet's STRV (registration) and SIP (practice permit) with the document staff check."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vet_licences")
    strv_number = models.CharField(_("STRV number"), max_length=50)
    sip_number = models.CharField(_("SIP number"), max_length=50)
    document = models.FileField(_("licence document"), storage=private_storage, upload_to=licence_upload_to)

    class Meta(Verification.Meta):
        verbose_name = _("vet licence")
        verbose_name_plural = _("vet licences")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=~Q(status="rejected"), name="one_open_vet_licence_per_user"
            )
        ]

    def __str__(self):
        return f"STRV {self.strv_number} — {self.user}"


class PrivateDocumentAccess(models.Model):
    """Which staff member opened which KTP scan or licence document, and when (UU PDP No. 27/2022:
    processing of personal data is recorded). Written by the serving views, never edited."""

    class Kind(models.TextChoices):
        KTP_SCAN = "ktp_scan", _("KTP scan")
        LICENCE = "licence", _("licence document")

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("whose document"),
    )
    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("private document access")
        verbose_name_plural = _("private document accesses")

    def __str__(self):
        return f"{self.staff} → {self.get_kind_display()} #{self.object_id}"
