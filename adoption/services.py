"""Adoption state changes. Each: check state, change it atomically (locking the pet where people race),
record an ApplicationEvent, notify after commit (notify() defers delivery to on_commit)."""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import timefmt
from notifications.services import notify
from payments import services as payment_services
from payments.models import Payment
from payments.services import payment_create, payment_set_status
from pets import services as pet_services

from .models import (
    MAX_PHOTOS,
    PURPOSE,
    REPORT_INTERVAL_DAYS,
    Application,
    ApplicationEvent,
    CartItem,
    FollowUpReport,
    Pet,
    PetPhoto,
)

logger = logging.getLogger(__name__)

PAYMENT_MIN_WINDOW = datetime.timedelta(hours=1)
PAYMENT_MAX_WINDOW = datetime.timedelta(days=3)


def _event(application: Application, kind: str, *, actor=None, note: str = "") -> ApplicationEvent:
    return ApplicationEvent.objects.create(application=application, kind=kind, actor=actor, note=note)


def _require_verified(user, message: str):
    if not user.is_authenticated or not user.is_identity_verified:
        raise ValidationError(message)


def _lock_pet(pet_id) -> Pet:
    return Pet.objects.select_for_update().get(pk=pet_id)


# --- listings ------------------------------------------------------------------------------------
def _add_photos(pet: Pet, photos) -> None:
    photos = list(photos or [])
    existing = pet.photos.count()
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError(_("A pet can have at most %(max)d photos.") % {"max": MAX_PHOTOS})
    for offset, photo in enumerate(photos):
        PetPhoto.objects.create(pet=pet, image=photo, position=existing + offset)


@transaction.atomic
def pet_create(*, lister, data: dict, photos=(), vaccination_book=None, record=None) -> Pet:
    _require_verified(lister, _("Verify your identity (KTP) before listing a pet."))
    if record is not None and (record.owner_id != lister.pk or record.is_read_only):
        raise ValidationError(_("List one of your own pets."))
    pet = Pet(lister=lister, status=Pet.Status.PENDING_REVIEW, record=record, **data)
    if vaccination_book:
        pet.vaccination_book = vaccination_book
    pet.save()
    _add_photos(pet, photos)
    return pet


@transaction.atomic
def pet_update(*, pet: Pet, by, data: dict, photos=(), remove_photo_ids=(), vaccination_book=None) -> Pet:
    locked = _lock_pet(pet.pk)
    if locked.lister_id != by.pk:
        raise ValidationError(_("Only the lister can edit this pet."))
    if locked.status in (Pet.Status.ADOPTED, Pet.Status.WITHDRAWN):
        raise ValidationError(_("This listing can no longer be edited."))
    for name, value in data.items():
        setattr(locked, name, value)
    old_book = None
    if vaccination_book:
        old_book = locked.vaccination_book.name if locked.vaccination_book else None
        locked.vaccination_book = vaccination_book
    if locked.status == Pet.Status.REJECTED:
        # Fixed after a rejection: back into the staff review queue.
        locked.status = Pet.Status.PENDING_REVIEW
        locked.rejection_reason = ""
    locked.save()
    if old_book:
        storage = locked.vaccination_book.storage
        transaction.on_commit(lambda: storage.delete(old_book))
    for photo in locked.photos.filter(pk__in=list(remove_photo_ids)):
        photo.delete()
    _add_photos(locked, photos)
    return locked


@transaction.atomic
def pet_delete(*, pet: Pet, by) -> bool:
    """Delete a listing. Returns True when the row went, False when it was withdrawn (kept for history)."""
    locked = _lock_pet(pet.pk)
    if locked.lister_id != by.pk:
        raise ValidationError(_("Only the lister can delete this pet."))
    if locked.status in (Pet.Status.RESERVED, Pet.Status.ADOPTED):
        raise ValidationError(_("A reserved or adopted pet cannot be deleted."))
    applications = list(locked.applications.select_related("adopter"))
    if not applications:
        locked.delete()
        return True
    # Adopters applied: keep the rows so their history stays, and tell those still waiting.
    locked.status = Pet.Status.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    CartItem.objects.filter(pet=locked).delete()
    for application in applications:
        if application.status == Application.Status.SUBMITTED:
            _close(application, note=_("The lister withdrew the listing."))
    return False


def _close(application: Application, *, note: str) -> None:
    application.status = Application.Status.CLOSED
    application.save(update_fields=["status", "updated_at"])
    _event(application, ApplicationEvent.Kind.CLOSED, note=note)
    notify(
        application.adopter,
        kind="adoption.application_closed",
        context={"application": application, "pet": application.pet},
        url=reverse("adoption:applications"),
    )


def _review(pet: Pet, *, by, approve: bool, reason: str = "") -> Pet:
    with transaction.atomic():
        locked = _lock_pet(pet.pk)
        if locked.status != Pet.Status.PENDING_REVIEW:
            return locked  # decided already (two staff at once, a double click)
        if not approve and not reason.strip():
            raise ValidationError(_("Give a reason so the lister knows what to fix."))
        locked.status = Pet.Status.AVAILABLE if approve else Pet.Status.REJECTED
        locked.rejection_reason = "" if approve else reason.strip()
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = by
        locked.save(update_fields=["status", "rejection_reason", "reviewed_at", "reviewed_by", "updated_at"])
        notify(
            locked.lister,
            kind=f"adoption.listing_{'approved' if approve else 'rejected'}",
            context={"pet": locked},
            url=reverse("adoption:listings"),
        )
    return locked


def pet_approve(*, pet: Pet, by) -> Pet:
    return _review(pet, by=by, approve=True)


def pet_reject(*, pet: Pet, by, reason: str) -> Pet:
    return _review(pet, by=by, approve=False, reason=reason)


# --- cart ----------------------------------------------------------------------------------------
def cart_add(*, user, pet: Pet) -> CartItem:
    _require_verified(user, _("Verify your identity (KTP) before adopting."))
    with transaction.atomic():
        locked = _lock_pet(pet.pk)
        if locked.lister_id == user.pk:
            raise ValidationError(_("You cannot adopt your own pet."))
        if locked.status != Pet.Status.AVAILABLE:
            raise ValidationError(_("%(name)s is no longer available for adoption.") % {"name": locked.name})
        if CartItem.objects.filter(user=user, pet=locked).exists():
            raise ValidationError(_("%(name)s is already in your cart.") % {"name": locked.name})
        if Application.objects.filter(adopter=user, pet=locked, status__in=Application.OPEN).exists():
            raise ValidationError(_("You already applied for %(name)s.") % {"name": locked.name})
        try:
            with transaction.atomic():
                return CartItem.objects.create(user=user, pet=locked)
        except IntegrityError:  # a double click that raced past the check above
            raise ValidationError(_("%(name)s is already in your cart.") % {"name": locked.name})


def cart_remove(*, user, pet_id) -> None:
    CartItem.objects.filter(user=user, pet_id=pet_id).delete()


def last_answers(user) -> dict:
    """The questionnaire answers of the adopter's latest application (to prefill the next checkout)."""
    last = Application.objects.filter(adopter=user).order_by("-created_at").first()
    if last is None:
        return {}
    return {name: getattr(last, name) for name in Application.QUESTION_FIELDS}


def checkout(*, adopter, answers: dict) -> list[Application]:
    """One application per available pet in the cart, all with the same answers."""
    _require_verified(adopter, _("Verify your identity (KTP) before adopting."))
    created = []
    with transaction.atomic():
        # One checkout per adopter at a time: a double submit waits here, then finds the cart empty.
        get_user_model().objects.select_for_update().filter(pk=adopter.pk).first()
        items = list(CartItem.objects.filter(user=adopter).select_related("pet"))
        if not items:
            raise ValidationError(_("Your adoption cart is empty."))
        pets = {p.pk: p for p in Pet.objects.select_for_update().filter(pk__in=[i.pet_id for i in items])}
        now = timezone.now()
        for item in items:
            pet = pets[item.pet_id]
            already = Application.objects.filter(
                adopter=adopter, pet=pet, status__in=Application.OPEN
            ).exists()
            if pet.status != Pet.Status.AVAILABLE or pet.lister_id == adopter.pk or already:
                continue  # the cart page shows these as unavailable; they stay there
            application = Application.objects.create(
                pet=pet, adopter=adopter, fee=pet.fee, terms_accepted_at=now, created_at=now, **answers
            )
            application.code = f"ADP-{timezone.localtime(now).year}-{application.pk:06d}"
            application.save(update_fields=["code"])
            _event(application, ApplicationEvent.Kind.SUBMITTED, actor=adopter)
            item.delete()
            created.append(application)
            notify(
                pet.lister,
                kind="adoption.application_received",
                context={"application": application, "pet": pet},
                url=reverse("adoption:listings"),
            )
        if not created:
            raise ValidationError(_("None of the pets in your cart is available any more."))
    return created


@transaction.atomic
def application_withdraw(*, application: Application, by) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.adopter_id != by.pk or locked.status != Application.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted application can be withdrawn."))
    locked.status = Application.Status.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, ApplicationEvent.Kind.WITHDRAWN, actor=by)
    return locked


# --- lister's decision ---------------------------------------------------------------------------
def _payment_expiry(pickup_at: datetime.datetime) -> datetime.datetime:
    now = timezone.now()
    return max(now + PAYMENT_MIN_WINDOW, min(pickup_at, now + PAYMENT_MAX_WINDOW))


def application_approve(
    *, application: Application, by, pickup_at: datetime.datetime, pickup_address: str, pickup_phone: str
) -> Application:
    """The lister picks this adopter and schedules the pickup; the pet is reserved, the others closed.

    The pet row is locked first: two approvals for one pet (two tabs, two devices) serialise here and
    the second sees the pet reserved. The partial unique index one_winner_per_pet backs this up.
    """
    if pickup_at <= timezone.now():
        raise ValidationError(_("The pickup time must be in the future."))
    with transaction.atomic():
        pet = _lock_pet(application.pet_id)
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("adopter")
            .get(pk=application.pk)
        )
        if pet.lister_id != by.pk:
            raise ValidationError(_("Only the lister can decide on this application."))
        if locked.status != Application.Status.SUBMITTED:
            raise ValidationError(_("This application was already decided."))
        if pet.status != Pet.Status.AVAILABLE:
            raise ValidationError(_("%(name)s is no longer available.") % {"name": pet.name})
        pet.status = Pet.Status.RESERVED
        pet.save(update_fields=["status", "updated_at"])
        locked.status = Application.Status.APPROVED
        locked.pickup_at = pickup_at
        locked.pickup_address = pickup_address.strip()
        locked.pickup_phone = pickup_phone
        locked.fee = pet.fee
        if pet.fee > 0:
            locked.payment = payment_create(
                payer=locked.adopter,
                purpose=PURPOSE,
                target=locked,
                amount=pet.fee,
                description=_("Adoption fee for %(name)s (%(code)s)")
                % {"name": pet.name, "code": locked.code},
                expires_at=_payment_expiry(pickup_at),
            )
        locked.save()
        _event(locked, ApplicationEvent.Kind.APPROVED, actor=by, note=pickup_address.strip())
        notify(
            locked.adopter,
            kind="adoption.application_approved",
            context={"application": locked, "pet": pet},
            url=reverse("adoption:applications"),
        )
        others = pet.applications.filter(status=Application.Status.SUBMITTED).exclude(pk=locked.pk)
        for other in others.select_related("adopter", "pet"):
            _close(other, note=_("The lister chose another adopter."))
        CartItem.objects.filter(pet=pet).delete()
    return locked


@transaction.atomic
def application_decline(*, application: Application, by, note: str) -> Application:
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("pet", "adopter")
        .get(pk=application.pk)
    )
    if locked.pet.lister_id != by.pk:
        raise ValidationError(_("Only the lister can decide on this application."))
    if locked.status != Application.Status.SUBMITTED:
        raise ValidationError(_("This application was already decided."))
    if not note.strip():
        raise ValidationError(_("Add a short note for the adopter."))
    locked.status = Application.Status.DECLINED
    locked.decline_note = note.strip()
    locked.save(update_fields=["status", "decline_note", "updated_at"])
    _event(locked, ApplicationEvent.Kind.DECLINED, actor=by, note=note.strip())
    notify(
        locked.adopter,
        kind="adoption.application_declined",
        context={"application": locked, "pet": locked.pet},
        url=reverse("adoption:applications"),
    )
    return locked


# --- fee, handover -------------------------------------------------------------------------------
def application_mark_paid(*, application_id) -> None:
    """Payments hook: the fee settled (idempotent)."""
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("pet__lister")
            .get(pk=application_id)
        )
        if locked.paid_at is not None:
            return
        locked.paid_at = timezone.now()
        locked.save(update_fields=["paid_at", "updated_at"])
        _event(locked, ApplicationEvent.Kind.PAID)
        if locked.status == Application.Status.APPROVED:
            notify(
                locked.pet.lister,
                kind="adoption.fee_paid",
                context={"application": locked, "pet": locked.pet},
                url=reverse("adoption:listings"),
            )


def application_release_unpaid(*, application_id) -> bool:
    """Payments hook: the fee payment failed or expired: release the reservation (idempotent)."""
    with transaction.atomic():
        application = Application.objects.get(pk=application_id)
        pet = _lock_pet(application.pet_id)
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("adopter", "pet__lister")
            .get(pk=application_id)
        )
        if locked.status != Application.Status.APPROVED or locked.paid_at is not None:
            return False
        locked.status = Application.Status.EXPIRED
        locked.save(update_fields=["status", "updated_at"])
        if pet.status == Pet.Status.RESERVED:
            pet.status = Pet.Status.AVAILABLE
            pet.save(update_fields=["status", "updated_at"])
        _event(locked, ApplicationEvent.Kind.EXPIRED)
        context = {"application": locked, "pet": pet}
        notify(
            pet.lister,
            kind="adoption.reservation_released",
            context=context,
            url=reverse("adoption:listings"),
        )
        notify(
            locked.adopter,
            kind="adoption.reservation_released",
            context=context,
            url=reverse("adoption:applications"),
        )
    return True


def expire_unpaid_reservations(*, now: datetime.datetime | None = None) -> int:
    """Cron safety net: approved applications whose fee payment passed its expiry unpaid are released,
    even if the gateway never told us (the payment is moved to expired, which calls the hook)."""
    now = now or timezone.now()
    count = 0
    stale = Application.objects.filter(
        status=Application.Status.APPROVED,
        paid_at__isnull=True,
        payment__isnull=False,
        payment__expires_at__lt=now,
    ).select_related("payment")
    for application in stale:
        if application.payment.status == Payment.Status.PENDING:
            # Delivering the expiry calls AdoptionPayments.failed, which releases the reservation.
            payment_set_status(payment=application.payment, status=Payment.Status.EXPIRED)
        application_release_unpaid(application_id=application.pk)  # no-op when the hook already did it
        count += 1
    return count


def application_confirm_received(*, application: Application, by, early: bool = False) -> Application:
    """The adopter confirms they received the pet: adoption complete, reports start. Before the planned
    pickup time only when they say the pickup happened earlier than planned (recorded on the timeline),
    so a stray tap days ahead does not end the adoption process."""
    with transaction.atomic():
        pet = _lock_pet(application.pet_id)
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("pet__lister")
            .get(pk=application.pk)
        )
        if locked.adopter_id != by.pk:
            raise ValidationError(_("Only the adopter can confirm the pickup."))
        if locked.status != Application.Status.APPROVED:
            raise ValidationError(_("This application is not waiting for a pickup."))
        if locked.fee > 0 and locked.paid_at is None:
            raise ValidationError(_("Pay the adoption fee before the pickup."))
        now = timezone.now()
        picked_up_early = locked.pickup_at is not None and now < locked.pickup_at
        if picked_up_early and not early:
            raise ValidationError(
                _("The pickup is planned for %(time)s. Confirm from then on, or tell us it happened earlier.")
                % {"time": timefmt.format_datetime(locked.pickup_at)},
                code="before_pickup",
            )
        locked.status = Application.Status.ADOPTED
        locked.adopted_at = now
        locked.next_report_due = timezone.localdate(now) + datetime.timedelta(days=REPORT_INTERVAL_DAYS)
        locked.save(update_fields=["status", "adopted_at", "next_report_due", "updated_at"])
        pet.status = Pet.Status.ADOPTED
        pet.save(update_fields=["status", "updated_at"])
        CartItem.objects.filter(pet=pet).delete()
        _hand_over_record(pet, adopter=by, now=now)
        note = _("Picked up earlier than planned (%(time)s).") % {
            "time": timefmt.format_datetime(locked.pickup_at)
        }
        _event(locked, ApplicationEvent.Kind.PICKED_UP, actor=by, note=note if picked_up_early else "")
        notify(
            pet.lister,
            kind="adoption.pet_adopted",
            context={"application": locked, "pet": pet},
            url=reverse("adoption:listings"),
        )
    return locked


def _hand_over_record(pet: Pet, *, adopter, now) -> None:
    """The adopter gets the pet in their /pets/: the lister's record moves (the lister keeps a
    read-only copy), or, for a listing not made from a record, a record is made from the listing."""
    if pet.record_id:
        pet_services.pet_hand_over(
            pet=pet.record, to=adopter, share_medical_notes=pet.share_medical_notes, now=now
        )
        return
    record = pet_services.pet_create(
        owner=adopter,
        data={
            "name": pet.name,
            "species": pet.species,
            "breed": pet.breed,
            "sex": pet.sex,
            "birth_date": pet.birth_date,
            "birth_date_is_estimate": pet.birth_date_is_estimate,
            "colour": pet.colour,
            "sterilised": pet.sterilised,
            "notes": pet.medical_history if pet.share_medical_notes else "",
        },
    )
    pet.record = record
    pet.save(update_fields=["record", "updated_at"])


def application_handover_failed(*, application: Application, by, note: str = "") -> Application:
    """The lister reports that the handover did not happen: the pet returns to available."""
    with transaction.atomic():
        pet = _lock_pet(application.pet_id)
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("adopter", "payment")
            .get(pk=application.pk)
        )
        if pet.lister_id != by.pk:
            raise ValidationError(_("Only the lister can report a failed handover."))
        if locked.status != Application.Status.APPROVED:
            raise ValidationError(_("This application is not waiting for a pickup."))
        locked.status = Application.Status.HANDOVER_FAILED
        locked.save(update_fields=["status", "updated_at"])
        pet.status = Pet.Status.AVAILABLE
        pet.save(update_fields=["status", "updated_at"])
        _event(locked, ApplicationEvent.Kind.HANDOVER_FAILED, actor=by, note=note.strip())
        payment = locked.payment
        if payment is not None and payment.is_pending:
            payment_services.payment_cancel(payment=payment)
        elif payment is not None and payment.is_paid:
            # The adopter paid for a pet they did not receive: give the fee back (recorded after
            # commit, sent to Midtrans from the task queue).
            payment_services.refund_payment_on_commit(
                payment=payment, reason=f"Adoption handover failed ({locked.code})", by=by
            )
        notify(
            locked.adopter,
            kind="adoption.handover_failed",
            context={"application": locked, "pet": pet, "note": note.strip()},
            url=reverse("adoption:applications"),
        )
    return locked


def application_mark_refunded(*, application_id) -> None:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application_id)
        if not locked.events.filter(kind=ApplicationEvent.Kind.REFUNDED).exists():
            _event(locked, ApplicationEvent.Kind.REFUNDED)


# --- follow-up reports ---------------------------------------------------------------------------
@transaction.atomic
def report_submit(
    *, application: Application, by, report_date: datetime.date, photo, caption: str, condition: str
) -> FollowUpReport:
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("pet__lister")
        .get(pk=application.pk)
    )
    if locked.adopter_id != by.pk or locked.status != Application.Status.ADOPTED:
        raise ValidationError(_("Reports are for pets you adopted."))
    today = timezone.localdate()
    if report_date > today:
        raise ValidationError(_("The report date cannot be in the future."))
    if locked.adopted_at and report_date < timezone.localdate(locked.adopted_at):
        raise ValidationError(_("The report date is before the adoption."))
    report = FollowUpReport.objects.create(
        application=locked, report_date=report_date, photo=photo, caption=caption.strip(), condition=condition
    )
    next_due = report_date + datetime.timedelta(days=REPORT_INTERVAL_DAYS)
    if locked.next_report_due is None or next_due > locked.next_report_due:
        locked.next_report_due = next_due
        locked.save(update_fields=["next_report_due", "updated_at"])
    _event(locked, ApplicationEvent.Kind.REPORT, actor=by, note=caption.strip())
    notify(
        locked.pet.lister,
        kind="adoption.report_submitted",
        context={"application": locked, "pet": locked.pet, "report": report},
        url=reverse("adoption:listings"),
    )
    return report


def send_report_reminders(*, today: datetime.date | None = None, lead_days: int = 3) -> int:
    """Follow-up report reminders (the task queue runs this daily at 09:00 WIB). Per due date, once each:

    * `lead_days` before the due date (until the day itself): "report due" to the adopter;
    * once it has passed: "report overdue" to the adopter and an "overdue" notice to the lister.

    A due date first seen already overdue (the queue was down) gets only the overdue notices.
    Returns how many notifications were sent.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=lead_days)
    sent = 0
    due = Application.objects.filter(status=Application.Status.ADOPTED, next_report_due__lte=horizon)
    for application_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Application.objects.select_for_update(of=("self",))
                .select_related("adopter", "pet__lister")
                .get(pk=application_id)
            )
            due_date = locked.next_report_due
            if locked.status != Application.Status.ADOPTED or due_date is None or due_date > horizon:
                continue
            context = {"application": locked, "pet": locked.pet}
            if due_date >= today:
                if locked.reminded_for == due_date:
                    continue
                locked.reminded_for = due_date
                locked.save(update_fields=["reminded_for", "updated_at"])
                _event(locked, ApplicationEvent.Kind.REMINDER)
                notify(
                    locked.adopter,
                    kind="adoption.report_due",
                    context={**context, "overdue": False},
                    url=reverse("adoption:applications"),
                )
                sent += 1
                continue
            if locked.overdue_notified_for == due_date:
                continue
            locked.reminded_for = due_date
            locked.overdue_notified_for = due_date
            locked.save(update_fields=["reminded_for", "overdue_notified_for", "updated_at"])
            _event(locked, ApplicationEvent.Kind.REMINDER, note="overdue")
            notify(
                locked.adopter,
                kind="adoption.report_overdue",
                context=context,
                url=reverse("adoption:applications"),
            )
            notify(
                locked.pet.lister,
                kind="adoption.report_overdue_lister",
                context=context,
                url=reverse("adoption:listings"),
            )
            sent += 2
    return sent
