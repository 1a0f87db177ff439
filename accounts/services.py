"""State changes of accounts and verifications. Each: check state, change atomically, notify after commit."""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.services import notify, queue_email

from .models import IdentityVerification, PrivateDocumentAccess, User, VerificationStatus, VetLicence

PRIVACY_POLICY_VERSION = "2026-11"

logger = logging.getLogger(__name__)


def _ensure_can_submit(model, user: User):
    if model.objects.filter(user=user).exclude(status=VerificationStatus.REJECTED).exists():
        raise ValidationError(_("You already have a verification that is pending or approved."))


@transaction.atomic
def identity_submit(*, user: User, nik: str, name_on_ktp: str, scan) -> IdentityVerification:
    User.objects.select_for_update().filter(pk=user.pk).first()  # one submission at a time per user
    _ensure_can_submit(IdentityVerification, user)
    return IdentityVerification.objects.create(
        user=user,
        nik=nik,
        name_on_ktp=name_on_ktp,
        scan=scan,
        consent_at=timezone.now(),
        consent_policy_version=PRIVACY_POLICY_VERSION,
    )


@transaction.atomic
def vet_licence_submit(*, user: User, strv_number: str, sip_number: str, document) -> VetLicence:
    User.objects.select_for_update().filter(pk=user.pk).first()
    if not user.is_vet:
        raise ValidationError(_("Only veterinarian accounts can register a licence."))
    _ensure_can_submit(VetLicence, user)
    return VetLicence.objects.create(
        user=user, strv_number=strv_number, sip_number=sip_number, document=document
    )


def _decide(verification, *, by: User, approve: bool, reason: str = ""):
    model = type(verification)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=verification.pk)
        if locked.status != VerificationStatus.PENDING:
            return locked  # already decided (two staff at once, or a double click): nothing changes
        if not approve and not reason.strip():
            raise ValidationError(_("Give a reason so the member knows what to fix."))
        locked.status = VerificationStatus.APPROVED if approve else VerificationStatus.REJECTED
        locked.rejection_reason = "" if approve else reason.strip()
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
        kind = "identity" if model is IdentityVerification else "vet_licence"
        url = "/accounts/verification/" if kind == "identity" else "/accounts/vet-licence/"
        notify(
            locked.user,
            kind=f"accounts.{kind}_{'approved' if approve else 'rejected'}",
            context={"verification": locked},
            url=url,
        )
    return locked


def verification_approve(verification, *, by: User):
    return _decide(verification, by=by, approve=True)


def verification_reject(verification, *, by: User, reason: str):
    return _decide(verification, by=by, approve=False, reason=reason)


@transaction.atomic
def verification_delete(verification) -> None:
    """The member withdraws a verification: the row and its file go (UU PDP No. 27/2022)."""
    verification.delete()  # the post_delete hook removes the file after commit


@transaction.atomic
def account_delete(*, user: User) -> str:
    """Delete an account with everything that cascades from it, private scans included.

    Consultations (medical records) and payments (bookkeeping, Indonesian tax law keeps them for 10
    years) protect the user row. Such an account is anonymised instead: identity documents, contact
    data and login are removed; the records keep a nameless, inactive user. Returns "deleted" or
    "anonymised".
    """
    try:
        with transaction.atomic():
            user.delete()
        return "deleted"
    except ProtectedError:
        pass
    with transaction.atomic():
        for verification in [*user.identity_verifications.all(), *user.vet_licences.all()]:
            verification.delete()  # the files go after commit
        user.notifications.all().delete()
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.full_name = _("Deleted account")
        user.phone = ""
        user.city = None
        user.organisation_name = ""
        user.is_shelter = False
        user.is_active = False
        user.set_unusable_password()
        user.save()
    return "anonymised"


SIGNUP_SALT = "accounts.signup-confirm"
SIGNUP_CONFIRM_DAYS = 3


def signup_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SIGNUP_SALT)


def signup_start(*, user: User) -> None:
    """A sign-up for `user` (unsaved). Answers nothing about whether the address has an account:

    * a new address: the account is created inactive and a confirmation link is e-mailed to it; the
      account opens when the link is followed, by the owner of the inbox;
    * an address with an account: nothing is created; its owner is told (in-app and by e-mail)
      that someone tried to sign up with it, and where to log in or reset the password;
    * an address whose earlier sign-up was never confirmed: that one is replaced by this one.
    """
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(email__iexact=user.email).first()
        if existing is not None and (existing.is_active or existing.last_login):
            notify(existing, kind="accounts.signup_attempt", url="/accounts/password-reset/")
            return
        if existing is not None:
            try:
                with transaction.atomic():
                    existing.delete()  # an earlier, never confirmed sign-up: this one replaces it
            except ProtectedError:
                return  # records hang on it (an admin-made account): leave it to staff
        user.is_active = False
        user.save()
        token = signup_token(user)
    _send_signup_confirmation(user, token)


def _send_signup_confirmation(user: User, token: str) -> None:
    context = {
        "user": user,
        "link": settings.SITE_URL + reverse("signup_confirm", args=[token]),
        "days": SIGNUP_CONFIRM_DAYS,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("registration/signup_confirm_subject.txt", context).split())
        text = render_to_string("registration/signup_confirm_email.txt", context)
    # From the task queue (retried while SMTP is down), never inside the sign-up request.
    queue_email(to=user.email, subject=subject, text=text, kind="accounts.signup_confirm")


def signup_confirm(*, token: str) -> User | None:
    """The link from the confirmation e-mail: open the account (once). None when the link is bad,
    expired, or for an account that no longer waits for confirmation."""
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_CONFIRM_DAYS * 86400)
    except signing.BadSignature:
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("user"), email=data.get("email")).first()
        if user is None or user.is_active or user.last_login:
            return None
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def private_document_opened(*, staff: User, verification, ip_address: str = "") -> None:
    """Record that a staff member opened someone's KTP scan or licence document (UU PDP audit)."""
    kind = (
        PrivateDocumentAccess.Kind.KTP_SCAN
        if isinstance(verification, IdentityVerification)
        else PrivateDocumentAccess.Kind.LICENCE
    )
    PrivateDocumentAccess.objects.create(
        staff=staff,
        subject_id=verification.user_id,
        kind=kind,
        object_id=verification.pk,
        ip_address=ip_address or None,
    )


def ktp_scans_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete KTP scans KTP_SCAN_RETENTION_DAYS after approval (UU PDP: keep no longer than needed).

    The verification stays approved, the NIK is kept masked (320101******0001) and the member is told.
    Idempotent: run daily (on the task queue); each verification is handled once, in its own
    transaction, its file removed after commit. Returns how many scans were deleted.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.KTP_SCAN_RETENTION_DAYS)
    due = IdentityVerification.objects.filter(
        status=VerificationStatus.APPROVED, decided_at__lt=cutoff, scan_deleted_at__isnull=True
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            locked = IdentityVerification.objects.select_for_update().select_related("user").get(pk=pk)
            if locked.scan_deleted_at is not None:
                continue
            if locked.scan:
                storage, name = locked.scan.storage, locked.scan.name
                transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            locked.nik = locked.masked_nik
            locked.scan = ""
            locked.scan_deleted_at = now
            locked.save(update_fields=["nik", "scan", "scan_deleted_at"])
            notify(
                locked.user,
                kind="accounts.ktp_scan_deleted",
                context={"verification": locked, "days": settings.KTP_SCAN_RETENTION_DAYS},
                url="/accounts/verification/",
            )
            done += 1
    if done:
        logger.info("deleted %s KTP scans past their retention", done)
    return done


__all__ = [
    "PRIVACY_POLICY_VERSION",
    "account_delete",
    "identity_submit",
    "ktp_scans_purge",
    "private_document_opened",
    "signup_confirm",
    "signup_start",
    "vet_licence_submit",
    "verification_approve",
    "verification_delete",
    "verification_reject",
]


def user_set_language(*, user, language: str) -> bool:
    """Save the member's site language (the ID/EN switch). Returns whether it changed."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    if user.language == language:
        return False
    user.language = language
    # save(), not update(): the post_save signal forgets the cached user row (accounts.backends).
    user.save(update_fields=["language"])
    return True
