"""Vet profiles and the consultation lifecycle. One function per state change.

    awaiting_payment --paid--> waiting --vet accepts--> active --either ends--> ended
          |                       |
          |--payment fails------> expired (payment expired/failed) or cancelled (payment cancelled)
          |--owner cancels------> cancelled (payment cancelled)
                                  |--vet declines, or owner cancels after the accept timeout--> cancelled
                                     (payment refunded in full)

Every change locks the consultation row (the vet and the owner, or a payment hook, can race),
checks the state, writes, and notifies the other side after commit.
"""

import datetime
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from hellopet import timefmt
from notifications.services import notify
from payments import services as payment_services

from .models import Consultation, ConsultationPhoto, Rating, Specialty, VetProfile

logger = logging.getLogger(__name__)

PAYMENT_PURPOSE = "consultation"
MAX_PHOTOS = 3
Status = Consultation.Status


# --- vet profiles ------------------------------------------------------------------------------------
def vet_profile_get_or_create(*, vet) -> VetProfile:
    if not vet.is_vet:
        raise PermissionDenied
    profile, _created = VetProfile.objects.get_or_create(user=vet)
    return profile


def vet_profile_update(
    *,
    vet,
    bio: str,
    specialties,
    years_of_experience: int,
    fee: int,
    photo=None,
    remove_photo: bool = False,
) -> VetProfile:
    profile = vet_profile_get_or_create(vet=vet)
    profile.bio = bio
    profile.years_of_experience = years_of_experience
    profile.fee = int(fee)
    old_photo = profile.photo if (photo or remove_photo) and profile.photo else None
    if photo:
        profile.photo = photo
    elif remove_photo:
        profile.photo = ""
    with transaction.atomic():
        profile.save()
        profile.specialties.set(specialties)
        if old_photo:
            storage, name = old_photo.storage, old_photo.name
            transaction.on_commit(lambda: storage.delete(name))
    return profile


def vet_set_availability(*, vet, availability: str, now: datetime.datetime | None = None) -> VetProfile:
    """Vets choose online or offline; "busy" is never stored, it is derived from active consultations."""
    if availability not in (VetProfile.Availability.ONLINE, VetProfile.Availability.OFFLINE):
        raise ValidationError(_("Choose online or offline."), code="invalid_availability")
    profile = vet_profile_get_or_create(vet=vet)
    profile.availability = availability
    profile.last_seen_at = now or timezone.now()
    profile.save(update_fields=["availability", "last_seen_at", "updated_at"])
    return profile


def vet_touch(*, vet, now: datetime.datetime | None = None) -> None:
    """Record that the vet is around (keeps "online" from going stale). At most one write a minute."""
    now = now or timezone.now()
    VetProfile.objects.filter(user=vet).exclude(last_seen_at__gte=now - datetime.timedelta(minutes=1)).update(
        last_seen_at=now
    )


# --- opening and paying ------------------------------------------------------------------------------
def consultation_open(
    *,
    owner,
    vet,
    pet_name: str,
    pet_species: Specialty,
    pet_age: str,
    complaint: str,
    photos=(),
    now: datetime.datetime | None = None,
) -> Consultation:
    """Create a consultation awaiting payment, with its Payment. The caller sends the owner to pay."""
    now = now or timezone.now()
    if owner.pk == vet.pk:
        raise ValidationError(_("You cannot consult yourself."), code="self_consultation")
    profile = VetProfile.objects.listed().with_live_availability(now).filter(user=vet).first()
    if profile is None:
        raise ValidationError(_("This vet cannot be consulted."), code="vet_not_listed")
    if profile.live_availability == VetProfile.Availability.OFFLINE:
        raise ValidationError(
            _("This vet is offline now. Choose a vet who is online, or try again later."), code="vet_offline"
        )
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("Attach at most %(n)s photos.") % {"n": MAX_PHOTOS}, code="too_many_photos")
    if _open_with(owner, vet).exists():
        raise ValidationError(_("You already have an open consultation with this vet."), code="already_open")
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(
                owner=owner,
                vet=vet,
                pet_name=pet_name.strip(),
                pet_species=pet_species,
                pet_age=pet_age.strip(),
                complaint=complaint.strip(),
                fee=profile.fee,
            )
            for photo in photos:
                ConsultationPhoto.objects.create(consultation=consultation, image=photo)
            consultation.payment = payment_services.payment_create(
                payer=owner,
                purpose=PAYMENT_PURPOSE,
                target=consultation,
                amount=profile.fee,
                description=_("Consultation with %(vet)s for %(pet)s")
                % {"vet": vet.full_name, "pet": consultation.pet_name},
            )
            consultation.save(update_fields=["payment"])
    except IntegrityError:
        # Two tabs submitting at once: the partial unique constraint lets only one through.
        raise ValidationError(_("You already have an open consultation with this vet."), code="already_open")
    return consultation


def _open_with(owner, vet):
    return Consultation.objects.filter(owner=owner, vet=vet, status__in=Consultation.OPEN_STATUSES)


def _lock(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().select_related("owner", "vet").get(pk=consultation.pk)


def _refresh(target: Consultation, source: Consultation) -> None:
    """Copy a locked copy's fields back onto the caller's object."""
    for field in target._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def consultation_mark_paid(*, consultation: Consultation, now: datetime.datetime | None = None) -> bool:
    """The payment settled: the consultation joins the vet's waiting queue. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(consultation)
        if locked.status != Status.AWAITING_PAYMENT:
            if locked.status in (Status.CANCELLED, Status.EXPIRED):
                # Money arrived for a consultation that is over (e.g. cancelled while the bank
                # was still settling): give it back rather than keep it.
                logger.warning("payment settled for closed consultation %s; refunding", locked.pk)
                payment = locked.payment
                transaction.on_commit(lambda: _refund(payment, _("The consultation was no longer open.")))
            return False
        locked.status = Status.WAITING
        locked.paid_at = now
        locked.save(update_fields=["status", "paid_at"])
        _broadcast(locked, "consultation.waiting")
        notify(
            locked.vet,
            kind="consultations.waiting",
            context={"consultation": locked},
            url=locked.get_absolute_url(),
        )
    _refresh(consultation, locked)
    return True


def consultation_payment_failed(*, consultation: Consultation, payment_status: str) -> bool:
    """The payment failed, expired or was cancelled before it was paid. Idempotent."""
    with transaction.atomic():
        locked = _lock(consultation)
        if locked.status != Status.AWAITING_PAYMENT:
            return False
        if payment_status == "cancelled":
            locked.status = Status.CANCELLED
            locked.cancel_reason = locked.cancel_reason or _("The payment was cancelled.")
        else:
            locked.status = Status.EXPIRED
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "cancel_reason", "ended_at"])
        _broadcast(locked, f"consultation.{locked.status}")
    _refresh(consultation, locked)
    return True


def _refund(payment, reason: str, by=None) -> None:
    """Runs after commit: the cancellation stands even if the gateway is down. A refund that did not
    happen is retried by `manage.py consultations_reconcile` (cancelled + paid + not refunded)."""
    if payment is None:
        return
    try:
        payment_services.payment_refund(payment=payment, reason=reason, by=by)
    except Exception:
        logger.exception("refund of payment %s failed; consultations_reconcile will retry", payment.pk)


def refunds_missing():
    """Cancelled consultations that were paid but whose payment is still fully kept."""
    from payments.models import Payment

    return Consultation.objects.filter(
        status=Status.CANCELLED, paid_at__isnull=False, payment__status=Payment.Status.PAID
    ).select_related("payment")


def consultation_refund_retry(*, consultation: Consultation) -> None:
    reason = _("Consultation cancelled: %(reason)s") % {"reason": consultation.cancel_reason}
    _refund(consultation.payment, reason[:300])


# --- the vet's side and the session --------------------------------------------------------------------
def accept_deadline(consultation: Consultation) -> datetime.datetime | None:
    """When the owner may cancel a paid consultation the vet has not accepted (with a full refund)."""
    if consultation.paid_at is None:
        return None
    return consultation.paid_at + datetime.timedelta(minutes=settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES)


def consultation_accept(
    *, consultation: Consultation, vet, now: datetime.datetime | None = None
) -> Consultation:
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(consultation)
        if locked.vet_id != vet.pk:
            raise PermissionDenied
        if locked.status != Status.WAITING:
            raise ValidationError(
                _("Only a paid consultation that is waiting can be accepted."), code="not_waiting"
            )
        locked.status = Status.ACTIVE
        locked.accepted_at = now
        locked.save(update_fields=["status", "accepted_at"])
        _broadcast(locked, "consultation.accepted")
        notify(
            locked.owner,
            kind="consultations.accepted",
            context={"consultation": locked},
            url=locked.get_absolute_url(),
        )
    vet_touch(vet=vet, now=now)
    _refresh(consultation, locked)
    return consultation


def consultation_end(
    *, consultation: Consultation, by, summary: str = "", now: datetime.datetime | None = None
) -> Consultation:
    """Either participant ends an active consultation; the vet may give the closing summary at once."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(consultation)
        if by.pk not in (locked.owner_id, locked.vet_id):
            raise PermissionDenied
        if locked.status != Status.ACTIVE:
            raise ValidationError(_("Only a consultation in progress can be ended."), code="not_active")
        locked.status = Status.ENDED
        locked.ended_at = now
        locked.ended_by = by
        fields = ["status", "ended_at", "ended_by"]
        if summary.strip() and by.pk == locked.vet_id:
            locked.summary = summary.strip()
            locked.summary_at = now
            fields += ["summary", "summary_at"]
        locked.save(update_fields=fields)
        other = locked.vet if by.pk == locked.owner_id else locked.owner
        notify(
            other,
            kind="consultations.ended",
            # Owners are shown to others by first name only (privacy); vets by professional name.
            context={
                "consultation": locked,
                "ended_by_name": by.full_name if by.pk == locked.vet_id else by.display_name,
            },
            url=locked.get_absolute_url(),
        )
        _broadcast(locked, "consultation.ended", summary=locked.summary, ended_by=by.pk)
    _refresh(consultation, locked)
    return consultation


def _broadcast(consultation: Consultation, event_type: str, **data) -> None:
    """After commit, tell the consultation's open chat sockets its state changed (chat.py owns the
    protocol; a dropped event is harmless, clients see the state on their next sync or page load)."""

    def send():
        from . import chat

        try:
            chat.broadcast_consultation_event(consultation, event_type, **data)
        except Exception:
            logger.warning("could not broadcast %s for %s", event_type, consultation.pk, exc_info=True)

    transaction.on_commit(send)


def consultation_write_summary(
    *, consultation: Consultation, vet, summary: str, now: datetime.datetime | None = None
) -> Consultation:
    """The vet's closing summary, written or corrected after the session ended."""
    now = now or timezone.now()
    summary = summary.strip()
    if not summary:
        raise ValidationError(_("Write the summary first."), code="summary_empty")
    with transaction.atomic():
        locked = _lock(consultation)
        if locked.vet_id != vet.pk:
            raise PermissionDenied
        if locked.status != Status.ENDED:
            raise ValidationError(
                _("The summary is written once the consultation has ended."), code="not_ended"
            )
        first_time = not locked.summary
        locked.summary = summary
        locked.summary_at = now
        locked.save(update_fields=["summary", "summary_at"])
        _broadcast(locked, "consultation.summary", summary=locked.summary)
        if first_time:
            notify(
                locked.owner,
                kind="consultations.summary",
                context={"consultation": locked},
                url=locked.get_absolute_url(),
            )
    _refresh(consultation, locked)
    return consultation


def cancel_allowed(consultation: Consultation, user, now: datetime.datetime | None = None) -> bool:
    """The one rule for who may cancel when (the panel shows the button only when this holds)."""
    now = now or timezone.now()
    if user.is_staff and user.pk not in (consultation.owner_id, consultation.vet_id):
        return consultation.status in Consultation.OPEN_STATUSES  # support, from the admin
    if user.pk == consultation.owner_id:
        if consultation.status == Status.AWAITING_PAYMENT:
            return True
        if consultation.status == Status.WAITING:
            deadline = accept_deadline(consultation)
            return deadline is not None and now >= deadline
        return False
    if user.pk == consultation.vet_id:
        return consultation.status == Status.WAITING  # the vet declines
    return False


def consultation_cancel(
    *, consultation: Consultation, by, reason: str = "", now: datetime.datetime | None = None
) -> Consultation:
    """Cancel before the session starts. Unpaid: the payment is cancelled. Paid (the vet declines, or
    the owner gives up after the accept timeout): the payment is refunded in full after commit."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(consultation)
        if by.pk not in (locked.owner_id, locked.vet_id) and not by.is_staff:
            raise PermissionDenied
        if not cancel_allowed(locked, by, now):
            if by.pk == locked.owner_id and locked.status == Status.WAITING:
                raise ValidationError(
                    _("The vet still has until %(time)s to accept. You can cancel after that.")
                    % {"time": timefmt.format_time(accept_deadline(locked))},
                    code="too_early",
                )
            raise ValidationError(_("This consultation can no longer be cancelled."), code="not_cancellable")
        was_paid = locked.status in (Status.WAITING, Status.ACTIVE)
        locked.status = Status.CANCELLED
        locked.ended_at = now
        locked.ended_by = by
        if by.pk not in (locked.owner_id, locked.vet_id):
            locked.cancel_reason = reason.strip() or _("Cancelled by HELLOPET! support.")
        elif by.pk == locked.vet_id:
            locked.cancel_reason = reason.strip() or _("The vet could not take this consultation.")
        else:
            locked.cancel_reason = reason.strip() or (
                _("The vet did not accept in time.") if was_paid else _("Cancelled before payment.")
            )
        locked.save(update_fields=["status", "ended_at", "ended_by", "cancel_reason"])
        _broadcast(locked, "consultation.cancelled", reason=locked.cancel_reason)
        payment = locked.payment
        if was_paid:
            refund_reason = _("Consultation cancelled: %(reason)s") % {"reason": locked.cancel_reason}
            transaction.on_commit(lambda: _refund(payment, refund_reason[:300], by))
        elif payment is not None:
            transaction.on_commit(lambda: payment_services.payment_cancel(payment=payment))
        # Tell whoever did not cancel it (and is concerned: a vet never saw an unpaid consultation).
        told = [locked.owner] if by.pk != locked.owner_id else []
        if was_paid and by.pk != locked.vet_id:
            told.append(locked.vet)
        for person in told:
            notify(
                person,
                kind="consultations.cancelled",
                context={"consultation": locked, "refunded": was_paid},
                url=locked.get_absolute_url(),
            )
    _refresh(consultation, locked)
    return consultation


# --- rating ------------------------------------------------------------------------------------------
def rating_submit(*, consultation: Consultation, owner, stars: int, comment: str = "") -> Rating:
    """The owner rates the vet once, after the session; the vet's average is kept on the profile."""
    if not 1 <= int(stars) <= 5:
        raise ValidationError(_("Give 1 to 5 stars."), code="invalid_stars")
    with transaction.atomic():
        locked = _lock(consultation)
        if locked.owner_id != owner.pk:
            raise PermissionDenied
        if locked.status != Status.ENDED:
            raise ValidationError(
                _("You can rate the vet once the consultation has ended."), code="not_ended"
            )
        if Rating.objects.filter(consultation=locked).exists():
            raise ValidationError(_("You already rated this consultation."), code="already_rated")
        rating = Rating.objects.create(
            consultation=locked, owner=owner, vet=locked.vet, stars=int(stars), comment=comment.strip()
        )
        rating_recount(vet=locked.vet)
    return rating


@transaction.atomic
def rating_recount(*, vet) -> None:
    """Store the vet's average and count on the profile (the directory sorts on them)."""
    # Lock the profile so two ratings landing together cannot write a stale average.
    profile = VetProfile.objects.select_for_update().filter(user=vet).first()
    if profile is None:
        return
    totals = Rating.objects.filter(vet=vet).aggregate(avg=Avg("stars"), n=Count("pk"))
    profile.rating_count = totals["n"]
    profile.rating_avg = (
        Decimal(totals["avg"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if totals["avg"] else None
    )
    profile.save(update_fields=["rating_avg", "rating_count"])
