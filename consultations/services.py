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
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from background.queue import schedule_on_commit
from common import timefmt
from notifications.services import channel_layer_is_shared, notify
from payments import services as payment_services
from payments.models import Payment
from pets import services as pet_services
from pets.models import Pet

from . import tasks
from .access import open_consultations_with
from .chat import services as chat
from .models import PURPOSE, Consultation, ConsultationPhoto, PrescribedItem, Rating, Specialty, VetProfile

logger = logging.getLogger(__name__)

MAX_PHOTOS = 3
MAX_PRESCRIBED_ITEMS = 10
FOLLOW_UP_DAYS = 3
# A pet record's species (pets.Species slug) -> the vet specialty that treats it.
SPECIALTY_FOR_SPECIES = {
    "dog": "dogs",
    "cat": "cats",
    "rabbit": "rabbits",
    "bird": "birds",
    "turtle": "reptiles",
    "hamster": "exotics",
    "guinea-pig": "exotics",
    "other": "exotics",
}
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
def specialty_for(pet: Pet) -> Specialty:
    slug = SPECIALTY_FOR_SPECIES.get(pet.species.slug, "exotics")
    return Specialty.objects.filter(slug=slug).first() or Specialty.objects.order_by("position").first()


def _pet_fields(pet: Pet) -> dict:
    """The typed fields a consultation keeps (lists, notifications, payments read them)."""
    return {
        "pet_name": pet.name,
        "pet_species": specialty_for(pet),
        "pet_age": (pet.age_label or _("unknown"))[:40],
    }


def consultation_open(
    *,
    owner,
    vet,
    complaint: str,
    pet: Pet | None = None,
    new_pet: dict | None = None,
    pet_name: str = "",
    pet_species: Specialty | None = None,
    pet_age: str = "",
    photos=(),
    allow_reassign: bool = False,
    now: datetime.datetime | None = None,
) -> Consultation:
    """Create a consultation awaiting payment, with its Payment. The caller sends the owner to pay.

    The pet is one of the owner's records (`pet`) or a new one created with the consultation
    (`new_pet`: the fields of `pets.services.pet_create`). Without either, the typed `pet_name`,
    `pet_species` and `pet_age` are kept as before pet records existed.

    `allow_reassign`: the owner's "may be passed to another vet" choice (see consultation_accept_timeout).
    """
    now = now or timezone.now()
    if pet is not None and (pet.owner_id != owner.pk or pet.is_read_only):
        raise ValidationError(_("Choose one of your pets."), code="not_your_pet")
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
    if open_consultations_with(owner, vet).exists():
        raise ValidationError(_("You already have an open consultation with this vet."), code="already_open")
    try:
        with transaction.atomic():
            if new_pet is not None:
                pet = pet_services.pet_create(owner=owner, data=new_pet)
            typed = (
                _pet_fields(pet)
                if pet is not None
                else {"pet_name": pet_name.strip(), "pet_species": pet_species, "pet_age": pet_age.strip()}
            )
            consultation = Consultation.objects.create(
                owner=owner,
                vet=vet,
                pet=pet,
                **typed,
                complaint=complaint.strip(),
                fee=profile.fee,
                allow_reassign=bool(allow_reassign),
            )
            for photo in photos:
                ConsultationPhoto.objects.create(consultation=consultation, image=photo)
            consultation.payment = payment_services.payment_create(
                payer=owner,
                purpose=PURPOSE,
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
                _refund(payment, _("The consultation was no longer open."))
            return False
        locked.status = Status.WAITING
        locked.paid_at = now
        locked.save(update_fields=["status", "paid_at"])
        _schedule_accept_timeout(locked)
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
    """Refund in full after commit through the one payments path (recorded at once, sent to Midtrans
    from the task queue). A refund that was never recorded (the process died right after commit) is
    found by the minute sweep (`refunds_missing`)."""
    payment_services.refund_payment_on_commit(payment=payment, reason=reason, by=by)


def refunds_missing(*, ended_before: datetime.datetime | None = None):
    """Cancelled consultations that were paid but whose payment is still fully kept (optionally only
    those cancelled before `ended_before`, leaving the after-commit refund time to be recorded)."""
    missing = Consultation.objects.filter(
        status=Status.CANCELLED, paid_at__isnull=False, payment__status=Payment.Status.PAID
    ).select_related("payment")
    if ended_before is None:
        return missing
    return missing.filter(Q(ended_at__lt=ended_before) | Q(ended_at__isnull=True))


def consultation_refund_retry(*, consultation: Consultation) -> None:
    reason = _("Consultation cancelled: %(reason)s") % {"reason": consultation.cancel_reason}
    try:
        payment_services.refund_payment(payment=consultation.payment, reason=reason[:300])
    except ValidationError:  # refunded meanwhile
        logger.info("consultation %s: nothing left to refund", consultation.pk)


# --- the vet's side and the session --------------------------------------------------------------------
def accept_deadline(consultation: Consultation) -> datetime.datetime | None:
    """Until when the (current) vet may accept a paid consultation. After it the consultation is passed
    on or cancelled and refunded automatically, and the owner may also cancel it themselves."""
    start = consultation.reassigned_at or consultation.paid_at
    if start is None:
        return None
    return start + datetime.timedelta(minutes=settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES)


def _schedule_accept_timeout(consultation: Consultation) -> None:
    """After commit, ask the task queue to look at this consultation when its accept time is over (the
    minute sweep `accept_timeouts_due` catches any the queue lost)."""
    schedule_on_commit(tasks.accept_timeout, str(consultation.pk), eta=accept_deadline(consultation))


def _replacement_vet(consultation: Consultation, now: datetime.datetime):
    """Another vet who can take it now: listed, online (not busy), treats this animal, asks no more
    than the fee paid, and has no other open consultation with this owner. Best rated first."""
    busy_with_owner = Consultation.objects.filter(
        owner=consultation.owner_id, status__in=Consultation.OPEN_STATUSES
    ).values("vet")
    profile = (
        VetProfile.objects.listed()
        .with_live_availability(now)
        .filter(
            live_availability=VetProfile.Availability.ONLINE,
            specialties=consultation.pet_species_id,
            fee__lte=consultation.fee,
        )
        .exclude(user__in=[consultation.vet_id, consultation.owner_id])
        .exclude(user__in=busy_with_owner)
        .select_related("user")
        .order_by(F("rating_avg").desc(nulls_last=True), "-rating_count", "pk")
        .first()
    )
    return profile.user if profile else None


def consultation_accept_timeout(*, consultation: Consultation, now: datetime.datetime | None = None) -> str:
    """The vet did not accept in time (run by the task queue, never by a person).

    If the owner allowed it at booking and it was not passed on before, the consultation goes to another
    available vet (`_replacement_vet`), who gets the same time to accept. Otherwise — or when nobody
    can take it, or after the second timeout — it is cancelled, the fee refunded in full, and the owner
    told by e-mail and in-app. Idempotent: anything but a waiting consultation past its deadline is
    left alone.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(consultation)
        if locked.status != Status.WAITING:
            return "not waiting"
        deadline = accept_deadline(locked)
        if deadline is None or now < deadline:
            return "not yet"
        if locked.allow_reassign and locked.reassigned_at is None:
            new_vet = _replacement_vet(locked, now)
            if new_vet is not None:
                previous = locked.vet
                locked.reassigned_from = previous
                locked.vet = new_vet
                locked.reassigned_at = now
                try:
                    with transaction.atomic():
                        locked.save(update_fields=["vet", "reassigned_from", "reassigned_at"])
                except IntegrityError:  # the owner opened one with that vet meanwhile: cancel instead
                    locked.refresh_from_db()
                else:
                    _schedule_accept_timeout(locked)
                    _broadcast(locked, "consultation.waiting")
                    url = locked.get_absolute_url()
                    context = {"consultation": locked, "previous_vet": previous}
                    notify(
                        locked.owner,
                        kind="consultations.reassigned",
                        context={**context, "to_owner": True},
                        url=url,
                    )
                    notify(previous, kind="consultations.reassigned", context=context, url="/consultations/")
                    notify(new_vet, kind="consultations.waiting", context={"consultation": locked}, url=url)
                    return "reassigned"
        locked.status = Status.CANCELLED
        locked.ended_at = now
        locked.cancel_reason = _("No vet accepted the consultation in time.")
        locked.save(update_fields=["status", "ended_at", "cancel_reason"])
        _broadcast(locked, "consultation.cancelled", reason=locked.cancel_reason)
        refund_reason = _("Consultation cancelled: %(reason)s") % {"reason": locked.cancel_reason}
        _refund(locked.payment, refund_reason[:300])
        for person in (locked.owner, locked.vet):
            notify(
                person,
                kind="consultations.cancelled",
                context={"consultation": locked, "refunded": True},
                url=locked.get_absolute_url(),
            )
    _refresh(consultation, locked)
    return "cancelled"


def accept_timeouts_due(*, now: datetime.datetime | None = None) -> dict:
    """The minute sweep: every waiting consultation past its accept time, and refunds of cancelled
    paid consultations that were never recorded. Returns counts by outcome."""
    now = now or timezone.now()
    timeout = datetime.timedelta(minutes=settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES)
    waiting = Consultation.objects.filter(status=Status.WAITING).filter(
        Q(reassigned_at__isnull=True, paid_at__lte=now - timeout) | Q(reassigned_at__lte=now - timeout)
    )
    counts: dict = {}
    for consultation in waiting.order_by("paid_at")[:500]:
        outcome = consultation_accept_timeout(consultation=consultation, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    for consultation in refunds_missing(ended_before=now - datetime.timedelta(minutes=2))[:500]:
        consultation_refund_retry(consultation=consultation)
        counts["refund retried"] = counts.get("refund retried", 0) + 1
    return counts


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


def _compose_summary(assessment: str, advice: str, items: list[dict]) -> str:
    parts = []
    if assessment:
        parts.append(f"{_('Assessment')}:\n{assessment}")
    if advice:
        parts.append(f"{_('Advice')}:\n{advice}")
    if items:
        lines = []
        for item in items:
            bits = [item["name"], item.get("dose", ""), item.get("frequency", "")]
            if item.get("days"):
                bits.append(_("%(n)d days") % {"n": item["days"]})
            lines.append("- " + " · ".join(b for b in bits if b))
        parts.append(f"{_('Prescription')}:\n" + "\n".join(lines))
    return "\n\n".join(parts)[:6000]


def _clean_items(items) -> list[dict]:
    cleaned = []
    for item in items or ():
        name = (item.get("name") or "").strip()
        if not name:
            continue
        days = item.get("days")
        if days is not None and not 1 <= int(days) <= 365:
            raise ValidationError(_("Give the number of days as 1 to 365."), code="invalid_days")
        cleaned.append(
            {
                "name": name[:120],
                "dose": (item.get("dose") or "").strip()[:60],
                "frequency": (item.get("frequency") or "").strip()[:60],
                "days": int(days) if days is not None else None,
            }
        )
    if len(cleaned) > MAX_PRESCRIBED_ITEMS:
        raise ValidationError(
            _("At most %(n)d prescribed items.") % {"n": MAX_PRESCRIBED_ITEMS}, code="too_many_items"
        )
    return cleaned


def _apply_summary(
    locked: Consultation, *, summary: str, assessment: str, advice: str, items, now
) -> list[str]:
    """Store the closing summary on a locked consultation; put the prescription on the pet's record.
    Returns the changed field names (the caller saves them)."""
    assessment, advice = assessment.strip(), advice.strip()
    items = _clean_items(items)
    if not (assessment or advice or items):
        locked.summary = summary.strip()
        locked.summary_at = now
        return ["summary", "summary_at"]
    locked.assessment, locked.advice = assessment, advice
    locked.summary = _compose_summary(assessment, advice, items)
    locked.summary_at = now
    PrescribedItem.objects.filter(consultation=locked).delete()
    PrescribedItem.objects.bulk_create(
        PrescribedItem(consultation=locked, position=i, **item) for i, item in enumerate(items)
    )
    if locked.pet_id:
        pet_services.treatments_replace(
            pet=Pet(pk=locked.pet_id),
            source=f"consultations:{locked.pk}",
            items=items,
            prescribed_on=timezone.localdate(now),
            prescribed_by=locked.vet.full_name,
        )
    return ["assessment", "advice", "summary", "summary_at"]


def consultation_end(
    *,
    consultation: Consultation,
    by,
    summary: str = "",
    assessment: str = "",
    advice: str = "",
    items=(),
    now: datetime.datetime | None = None,
) -> Consultation:
    """Either participant ends an active consultation; the vet may give the closing summary at once
    (structured: assessment, advice, prescribed items; or the free text of older clients)."""
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
        has_summary = summary.strip() or assessment.strip() or advice.strip() or _clean_items(items)
        if has_summary and by.pk == locked.vet_id:
            fields += _apply_summary(
                locked, summary=summary, assessment=assessment, advice=advice, items=items, now=now
            )
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
        try:
            if channel_layer_is_shared():
                # Redis may be slow or down: a worker pushes, the request does not wait.
                tasks.broadcast_event(str(consultation.pk), event_type, data)
            else:  # the in-memory layer exists in this process only (dev server); it never blocks
                chat.broadcast_consultation_event(consultation, event_type, **data)
        except Exception:
            logger.warning("could not broadcast %s for %s", event_type, consultation.pk, exc_info=True)

    transaction.on_commit(send)


def consultation_write_summary(
    *,
    consultation: Consultation,
    vet,
    summary: str = "",
    assessment: str = "",
    advice: str = "",
    items=(),
    now: datetime.datetime | None = None,
) -> Consultation:
    """The vet's closing summary, written or corrected after the session ended."""
    now = now or timezone.now()
    summary = summary.strip()
    if not (summary or assessment.strip() or advice.strip()):
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
        fields = _apply_summary(
            locked, summary=summary, assessment=assessment, advice=advice, items=items, now=now
        )
        locked.save(update_fields=fields)
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
            _refund(payment, refund_reason[:300], by)
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


# --- free follow-up ----------------------------------------------------------------------------------
def follow_up_deadline(consultation: Consultation) -> datetime.datetime | None:
    if consultation.ended_at is None:
        return None
    return consultation.ended_at + datetime.timedelta(days=FOLLOW_UP_DAYS)


def follow_up_allowed(consultation: Consultation, user, now: datetime.datetime | None = None) -> bool:
    """The owner may ask the same vet once more, free, within 3 days of the end (the same complaint).
    A follow-up has no follow-up of its own."""
    now = now or timezone.now()
    deadline = follow_up_deadline(consultation)
    return (
        user.pk == consultation.owner_id
        and consultation.status == Status.ENDED
        and consultation.follow_up_of_id is None
        and deadline is not None
        and now <= deadline
    )


def consultation_follow_up(
    *, consultation: Consultation, owner, complaint: str, now: datetime.datetime | None = None
) -> Consultation:
    """Open the free follow-up: it goes straight to the vet's waiting queue (nothing to pay)."""
    now = now or timezone.now()
    complaint = complaint.strip()
    if not complaint:
        raise ValidationError(_("Tell the vet how your pet is doing now."), code="complaint_empty")
    try:
        with transaction.atomic():
            original = _lock(consultation)
            if original.owner_id != owner.pk:
                raise PermissionDenied
            if Consultation.objects.filter(follow_up_of=original).exists():
                raise ValidationError(_("You already asked for the follow-up."), code="follow_up_used")
            if not follow_up_allowed(original, owner, now):
                raise ValidationError(
                    _("The free follow-up is possible for %(n)d days after the consultation ended.")
                    % {"n": FOLLOW_UP_DAYS},
                    code="follow_up_closed",
                )
            if open_consultations_with(owner, original.vet).exists():
                raise ValidationError(
                    _("You already have an open consultation with this vet."), code="already_open"
                )
            follow_up = Consultation.objects.create(
                owner=owner,
                vet=original.vet,
                pet_id=original.pet_id,
                pet_name=original.pet_name,
                pet_species_id=original.pet_species_id,
                pet_age=original.pet_age,
                complaint=complaint[:4000],
                fee=0,
                status=Status.WAITING,
                paid_at=now,
                follow_up_of=original,
            )
            notify(
                original.vet,
                kind="consultations.waiting",
                context={"consultation": follow_up},
                url=follow_up.get_absolute_url(),
            )
    except IntegrityError:
        raise ValidationError(_("You already asked for the follow-up."), code="follow_up_used")
    return follow_up


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
