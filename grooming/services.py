"""Grooming state changes. Each: check state, change it in atomic(), lock where people race,
notify after commit (notify() defers its email and live push to on_commit).

Booking lifecycle (rules in docs/grooming.md):
    [deposit?] awaiting_payment --paid--> requested --manager--> confirmed --manager--> completed | no_show
    awaiting_payment --deposit not paid by hold_expires_at--> expired (slot released)
    requested --manager--> declined
    awaiting_payment | requested | confirmed --member (until 2 h before) / manager (reason)--> cancelled
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common import timefmt
from notifications.services import notify
from payments.services import payment_cancel, payment_create, refund_payment_on_commit

from . import slots
from .models import PURPOSE, Booking, BookingEvent, Closure, Review, Salon, Service, Size, WeeklyHours
from .pet_record import pet_profile

logger = logging.getLogger(__name__)

MEMBER_CANCEL_BEFORE = dt.timedelta(hours=2)
BOOKING_HORIZON_DAYS = 30


class SlotTaken(ValidationError):
    """The chosen start is no longer free (someone else booked it first); the page offers the nearest
    free times of that day instead of a bare error."""

    def __init__(self):
        super().__init__(_("That time was just booked by someone else."), code="slot_taken")


def nearest_slots(
    free: list[dt.datetime], wanted: dt.datetime | None, *, count: int = 3
) -> list[dt.datetime]:
    """The `count` free starts closest to the one the member wanted, in time order."""
    if wanted is None:
        return free[:count]
    return sorted(sorted(free, key=lambda start: (abs(start - wanted), start))[:count])


def is_manager(user, salon: Salon) -> bool:
    return bool(getattr(user, "is_staff", False)) or salon.is_managed_by(user)


def _require_manager(user, salon: Salon) -> None:
    if not is_manager(user, salon):
        raise PermissionDenied(_("Only the salon's managers can do this."))


# --- slots -----------------------------------------------------------------------------------------
def weekly_hours(salon: Salon, hours=None) -> dict[int, list[tuple[dt.time, dt.time]]]:
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    rows = hours if hours is not None else WeeklyHours.objects.filter(salon=salon)
    for row in rows:
        weekly.setdefault(row.weekday, []).append((row.opens, row.closes))
    return weekly


def _busy(
    salon: Salon, start: dt.datetime, end: dt.datetime, now: dt.datetime, *, exclude: int | None = None
) -> list[slots.Busy]:
    rows = (
        Booking.objects.filter(salon=salon, status__in=Booking.ACTIVE, starts_at__lt=end, ends_at__gt=start)
        # A deposit hold that ran out no longer blocks (the sweep marks it expired soon after).
        .exclude(status=Booking.Status.AWAITING_PAYMENT, hold_expires_at__lte=now)
        .exclude(pk=exclude)  # a booking being moved does not block its own new time
        .values_list("starts_at", "ends_at", "seat")
    )
    return [slots.Busy(s, e, seat) for s, e, seat in rows]


def available_slots(
    *,
    salon: Salon,
    service: Service,
    day: dt.date,
    now: dt.datetime | None = None,
    exclude: int | None = None,
) -> list[dt.datetime]:
    """Free slot starts for `service` on the salon-local `day`, aware in the salon's zone."""
    now = now or timezone.now()
    tz = salon.tz
    local_today = now.astimezone(tz).date()
    if day < local_today or day > local_today + dt.timedelta(days=BOOKING_HORIZON_DAYS):
        return []
    opening = slots.opening_intervals(
        first_day=day,
        last_day=day,
        weekly=weekly_hours(salon),
        closures=Closure.objects.filter(salon=salon, date=day).values_list("date", flat=True),
        tz=tz,
    )
    if not opening:
        return []
    return slots.free_slots(
        opening=opening,
        busy=_busy(salon, opening[0].start, opening[-1].end, now, exclude=exclude),
        duration=service.duration,
        step=dt.timedelta(minutes=salon.slot_step_minutes),
        capacity=salon.capacity,
        not_before=now + dt.timedelta(minutes=salon.min_lead_minutes),
    )


def today_opening(
    salon: Salon, *, now: dt.datetime | None = None, hours=None, closures=None
) -> list[slots.Interval]:
    """Today's opening ranges in the salon's zone (uses prefetched rows when given)."""
    local = (now or timezone.now()).astimezone(salon.tz)
    closed = (
        closures
        if closures is not None
        else Closure.objects.filter(salon=salon).values_list("date", flat=True)
    )
    return slots.opening_intervals(
        first_day=local.date(),
        last_day=local.date(),
        weekly=weekly_hours(salon, hours),
        closures=closed,
        tz=salon.tz,
    )


# --- booking lifecycle -----------------------------------------------------------------------------
def _record(booking: Booking, *, by=None, note: str = "") -> None:
    BookingEvent.objects.create(
        booking=booking, status=booking.status, actor=by if getattr(by, "pk", None) else None, note=note[:300]
    )


def _notify_managers(salon: Salon, *, kind: str, booking: Booking) -> None:
    for manager in salon.managers.filter(is_active=True):
        notify(manager, kind=kind, context={"booking": booking}, url=booking.get_absolute_url())


def _release_expired_holds(salon: Salon, now: dt.datetime) -> list[Booking]:
    """Within a transaction holding the salon lock: mark unpaid holds past their time as expired."""
    expired = list(
        Booking.objects.select_for_update().filter(
            salon=salon, status=Booking.Status.AWAITING_PAYMENT, hold_expires_at__lte=now
        )
    )
    for booking in expired:
        _release(booking)
    return expired


def _release(booking: Booking) -> None:
    booking.status = Booking.Status.EXPIRED
    booking.reason = _("The deposit was not paid in time.")
    booking.save(update_fields=["status", "reason", "updated_at"])
    _record(booking, note=booking.reason)
    notify(
        booking.member,
        kind="grooming.booking_released",
        context={"booking": booking},
        url=booking.get_absolute_url(),
    )
    payment = booking.payment
    if payment is not None and payment.is_pending:
        # The hold is gone; a late payment would otherwise be for a slot someone else may take.
        transaction.on_commit(lambda: payment_cancel(payment=payment))


def booking_create(
    *,
    member,
    service: Service,
    starts_at: dt.datetime,
    pet_name: str = "",
    pet_species: str = "",
    pet=None,
    notes: str = "",
    home_city=None,
    home_address: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Book a free slot. Two members racing for the last seat: the salon row lock serialises them,
    the second sees the slot gone; the exclusion constraint is the backstop.

    With `pet` (one of the member's records) the name, species and size come from the record and its
    allergies are copied onto the booking for the salon. With `home_city` the salon comes to the
    member's `home_address` (a salon with home service, in one of its home-service cities)."""
    now = now or timezone.now()
    if not service.is_active:
        raise ValidationError(_("This service is no longer offered."))
    home_address = home_address.strip()
    if home_city is not None:
        salon = service.salon
        if not salon.home_service or not salon.home_service_cities.filter(pk=home_city.pk).exists():
            raise ValidationError(
                _("%(salon)s does not come to homes in %(city)s.") % {"salon": salon.name, "city": home_city}
            )
        if not home_address:
            raise ValidationError(_("Tell the salon your address for the home visit."))
    pet_size, pet_allergies = "", ""
    if pet is not None:
        if pet.owner_id != member.pk or pet.is_read_only:
            raise ValidationError(_("Choose one of your pets."))
        profile = pet_profile(pet)
        pet_name, pet_species, pet_size = pet.name, profile["species"], profile["size"]
        pet_allergies = pet.allergies
        if pet_species != service.species:
            raise ValidationError(
                _("This service is for %(species)s; %(pet)s is a %(record)s.")
                % {
                    "species": service.get_species_display().lower(),
                    "pet": pet.name,
                    "record": pet.species.label.lower(),
                }
            )
        if service.size not in (Size.ANY, pet_size) and pet_size:
            raise ValidationError(
                _("This service is for size %(size)s; by its latest weight %(pet)s is %(pet_size)s.")
                % {"size": service.get_size_display(), "pet": pet.name, "pet_size": Size(pet_size).label}
            )
    if pet_species != service.species:
        raise ValidationError(
            _("This service is for %(species)s.") % {"species": service.get_species_display().lower()}
        )
    if not pet_name.strip():
        raise ValidationError(_("Tell the salon your pet's name."))
    try:
        with transaction.atomic():
            salon = (
                Salon.objects.select_for_update().select_related("city__province").get(pk=service.salon_id)
            )
            if not salon.is_active:
                raise ValidationError(_("This salon does not take bookings at the moment."))
            _release_expired_holds(salon, now)
            repeat = Booking.objects.filter(
                member=member, service=service, starts_at=starts_at, status__in=Booking.ACTIVE
            ).first()
            if repeat is not None:
                return repeat  # a double click or a resent form: the same booking, not an error
            local_start = starts_at.astimezone(salon.tz)
            if local_start not in available_slots(
                salon=salon, service=service, day=local_start.date(), now=now
            ):
                raise SlotTaken()
            ends_at = starts_at + service.duration
            seat = slots.free_seat(_busy(salon, starts_at, ends_at, now), starts_at, ends_at, salon.capacity)
            if seat is None:  # available_slots just said free; only a bug gets here
                raise SlotTaken()
            deposit = salon.deposit_amount
            booking = Booking.objects.create(
                salon=salon,
                service=service,
                member=member,
                pet_name=pet_name.strip(),
                pet_species=pet_species,
                pet=pet,
                pet_size=pet_size,
                pet_allergies=pet_allergies,
                notes=notes.strip(),
                at_home=home_city is not None,
                home_city=home_city,
                home_address=home_address if home_city is not None else "",
                starts_at=starts_at,
                ends_at=ends_at,
                seat=seat,
                price=service.price,
                deposit_amount=deposit,
                status=Booking.Status.AWAITING_PAYMENT if deposit else Booking.Status.REQUESTED,
            )
            _record(booking, by=member)
            if deposit:
                # The hold lasts the payment window, but never past the slot's own lead time.
                hold = min(
                    now + dt.timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES),
                    starts_at - dt.timedelta(minutes=min(salon.min_lead_minutes, 60)),
                )
                hold = max(hold, now + dt.timedelta(minutes=10))
                booking.hold_expires_at = hold
                booking.payment = payment_create(
                    payer=member,
                    purpose=PURPOSE,
                    target=booking,
                    amount=deposit,
                    description=_("Grooming deposit: %(service)s at %(salon)s")
                    % {"service": service.name, "salon": salon.name},
                    expires_at=hold,
                )
                booking.save(update_fields=["hold_expires_at", "payment", "updated_at"])
            else:
                _notify_managers(salon, kind="grooming.booking_requested", booking=booking)
    except IntegrityError:
        # The database constraint caught a race the lock did not (e.g. code outside this service).
        raise SlotTaken()
    return booking


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update()
        .select_related("salon__city__province", "member", "service")
        .get(pk=booking.pk)
    )


def booking_deposit_paid(*, booking: Booking) -> Booking:
    """Payments said the deposit settled (idempotent)."""
    with transaction.atomic():
        locked = _locked(booking)
        if locked.status == Booking.Status.AWAITING_PAYMENT:
            locked.status = Booking.Status.REQUESTED
            locked.hold_expires_at = None
            locked.save(update_fields=["status", "hold_expires_at", "updated_at"])
            _record(locked)
            _notify_managers(locked.salon, kind="grooming.booking_requested", booking=locked)
        elif locked.status in (Booking.Status.EXPIRED, Booking.Status.CANCELLED, Booking.Status.DECLINED):
            # Paid after the hold was released: the slot is not guaranteed any more, so give it back.
            _refund_deposit(
                locked, reason="Grooming booking no longer active when the deposit arrived", by=None
            )
    return locked


def booking_deposit_failed(*, booking: Booking) -> Booking:
    """The deposit payment failed, expired or was cancelled: release the slot (idempotent)."""
    with transaction.atomic():
        Salon.objects.select_for_update().filter(pk=booking.salon_id).first()
        locked = _locked(booking)
        if locked.status == Booking.Status.AWAITING_PAYMENT:
            _release(locked)
    return locked


def release_expired_holds(*, now: dt.datetime | None = None) -> int:
    """Sweep (manage.py grooming_release_expired, e.g. every 5 minutes): release unpaid holds."""
    now = now or timezone.now()
    salon_ids = set(
        Booking.objects.filter(status=Booking.Status.AWAITING_PAYMENT, hold_expires_at__lte=now).values_list(
            "salon_id", flat=True
        )
    )
    count = 0
    for salon_id in salon_ids:
        with transaction.atomic():
            salon = Salon.objects.select_for_update().get(pk=salon_id)
            count += len(_release_expired_holds(salon, now))
    return count


REMINDERS = (("reminded_2h_at", dt.timedelta(hours=2)), ("reminded_24h_at", dt.timedelta(hours=24)))
TIMEZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


HOME_ADDRESS_KEPT = dt.timedelta(days=1)


def erase_home_addresses(*, now: dt.datetime | None = None) -> int:
    """Data minimisation: a home visit's address is erased once the salon no longer needs it — a day
    after the visit's end, or as soon as the booking ends otherwise (cancelled, declined, released,
    completed, no-show). The booking keeps "home visit" and the city. Returns how many were erased."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(at_home=True)
        .exclude(home_address="")
        .filter(~Q(status__in=Booking.ACTIVE) | Q(ends_at__lt=now - HOME_ADDRESS_KEPT))
        .update(home_address="", updated_at=now)
    )


def member_timezone(member, salon: Salon) -> str:
    """The member's zone: their city's province, else the salon's (where the visit is)."""
    city = getattr(member, "city", None)
    return city.province.timezone if city is not None else salon.city.province.timezone


def send_visit_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind members of confirmed visits 24 h and 2 h before the start (the task queue runs this every
    minute). Each reminder goes once (a timestamp on the booking, set under the row lock); a visit
    confirmed less than 2 h ahead gets only the 2-hour one. Rendered in the member's language and
    shown in their time zone."""
    now = now or timezone.now()
    sent = 0
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, starts_at__gt=now, starts_at__lte=now + REMINDERS[-1][1]
    ).filter(Q(reminded_24h_at__isnull=True) | Q(reminded_2h_at__isnull=True))
    for booking_id in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            locked = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("member__city__province", "salon__city__province", "service")
                .get(pk=booking_id)
            )
            if locked.status != Booking.Status.CONFIRMED or locked.starts_at <= now:
                continue
            left = locked.starts_at - now
            field, hours = next(((f, int(d.total_seconds() // 3600)) for f, d in REMINDERS if left <= d))
            if getattr(locked, field) is not None:
                continue
            locked.reminded_2h_at = locked.reminded_2h_at or (now if field == "reminded_2h_at" else None)
            locked.reminded_24h_at = locked.reminded_24h_at or now  # the 24 h one is moot once 2 h is sent
            locked.save(update_fields=["reminded_24h_at", "reminded_2h_at"])
            zone = member_timezone(locked.member, locked.salon)
            notify(
                locked.member,
                kind="grooming.booking_reminder",
                context={
                    "booking": locked,
                    "hours": hours,
                    "member_tz": zone,
                    "member_tz_label": TIMEZONE_LABELS.get(zone, zone),
                },
                url=locked.get_absolute_url(),
            )
            sent += 1
    return sent


def _refund_deposit(booking: Booking, *, reason: str, by) -> None:
    """The deposit goes back through the one payments path (recorded after commit, sent to Midtrans
    from the task queue; owed by hand when the method cannot be refunded)."""
    refund_payment_on_commit(payment=booking.payment, reason=reason, by=by)


def booking_reschedule(
    *, booking: Booking, by, starts_at: dt.datetime, now: dt.datetime | None = None
) -> Booking:
    """The member moves an upcoming booking to another free time in one step: the deposit (and its
    payment) stays with the booking, nothing is refunded or charged again. The salon confirms the new
    time (every salon here confirms its bookings), so a confirmed booking goes back to "waiting for the
    salon". Same lock and constraint as booking: the salon row lock serialises racing members."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            salon = (
                Salon.objects.select_for_update().select_related("city__province").get(pk=booking.salon_id)
            )
            locked = _locked(booking)
            if locked.member_id != by.pk:
                raise PermissionDenied
            if locked.status not in (Booking.Status.REQUESTED, Booking.Status.CONFIRMED):
                raise ValidationError(_("Only an upcoming booking can be moved."))
            if not member_can_cancel(locked, now):
                raise ValidationError(
                    _("Online changes close 2 hours before the start. Please contact the salon.")
                )
            if starts_at == locked.starts_at:
                return locked
            _release_expired_holds(salon, now)
            local_start = starts_at.astimezone(salon.tz)
            free = available_slots(
                salon=salon, service=locked.service, day=local_start.date(), now=now, exclude=locked.pk
            )
            if local_start not in free:
                raise SlotTaken()
            ends_at = starts_at + locked.service.duration
            seat = slots.free_seat(
                _busy(salon, starts_at, ends_at, now, exclude=locked.pk), starts_at, ends_at, salon.capacity
            )
            if seat is None:
                raise SlotTaken()
            old_start = locked.starts_at
            locked.starts_at, locked.ends_at, locked.seat = starts_at, ends_at, seat
            locked.status = Booking.Status.REQUESTED
            locked.save(update_fields=["starts_at", "ends_at", "seat", "status", "updated_at"])
            _record(
                locked,
                by=by,
                note=_("Moved from %(time)s") % {"time": timefmt.format_datetime(old_start, salon.tz)},
            )
            _notify_managers(salon, kind="grooming.booking_rescheduled", booking=locked)
    except IntegrityError:
        raise SlotTaken()
    return locked


def booking_confirm(*, booking: Booking, by) -> Booking:
    with transaction.atomic():
        locked = _locked(booking)
        _require_manager(by, locked.salon)
        if locked.status == Booking.Status.CONFIRMED:
            return locked
        if locked.status != Booking.Status.REQUESTED:
            raise ValidationError(_("Only a booking waiting for the salon can be confirmed."))
        if locked.starts_at <= timezone.now():
            raise ValidationError(_("This booking's time has passed."))
        locked.status = Booking.Status.CONFIRMED
        locked.save(update_fields=["status", "updated_at"])
        _record(locked, by=by)
        notify(
            locked.member,
            kind="grooming.booking_confirmed",
            context={"booking": locked},
            url=locked.get_absolute_url(),
        )
    return locked


def booking_decline(*, booking: Booking, by, reason: str) -> Booking:
    with transaction.atomic():
        locked = _locked(booking)
        _require_manager(by, locked.salon)
        if locked.status != Booking.Status.REQUESTED:
            raise ValidationError(_("Only a booking waiting for the salon can be declined."))
        if not reason.strip():
            raise ValidationError(_("Give the member a reason."))
        locked.status = Booking.Status.DECLINED
        locked.reason = reason.strip()[:300]
        locked.cancelled_by = by
        locked.save(update_fields=["status", "reason", "cancelled_by", "updated_at"])
        _record(locked, by=by, note=locked.reason)
        _refund_deposit(locked, reason="Grooming booking declined by the salon", by=by)
        notify(
            locked.member,
            kind="grooming.booking_declined",
            context={"booking": locked},
            url=locked.get_absolute_url(),
        )
    return locked


def member_can_cancel(booking: Booking, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return booking.is_active and booking.starts_at - now >= MEMBER_CANCEL_BEFORE


def booking_cancel(*, booking: Booking, by, reason: str = "") -> Booking:
    """The member until 2 hours before the start; a manager any time before the end, with a reason.
    A deposit is refunded in full either way (forfeited only on a no-show)."""
    with transaction.atomic():
        locked = _locked(booking)
        now = timezone.now()
        as_manager = is_manager(by, locked.salon) and by.pk != locked.member_id
        if not as_manager and by.pk != locked.member_id:
            raise PermissionDenied
        if locked.status == Booking.Status.CANCELLED:
            return locked
        if not locked.is_active:
            raise ValidationError(_("This booking can no longer be cancelled."))
        if as_manager:
            if not reason.strip():
                raise ValidationError(_("Give the member a reason."))
            if locked.ends_at <= now:
                raise ValidationError(_("This booking is over; mark it completed or no-show instead."))
        elif not member_can_cancel(locked, now):
            raise ValidationError(
                _("Online cancellation closes 2 hours before the start. Please contact the salon.")
            )
        locked.status = Booking.Status.CANCELLED
        locked.reason = reason.strip()[:300]
        locked.cancelled_by = by
        locked.save(update_fields=["status", "reason", "cancelled_by", "updated_at"])
        _record(locked, by=by, note=locked.reason)
        if locked.payment is not None and locked.payment.is_pending:
            payment = locked.payment
            transaction.on_commit(lambda: payment_cancel(payment=payment))
        _refund_deposit(locked, reason="Grooming booking cancelled", by=by)
        if as_manager:
            notify(
                locked.member,
                kind="grooming.booking_cancelled",
                context={"booking": locked, "by_salon": True},
                url=locked.get_absolute_url(),
            )
        else:
            for manager in locked.salon.managers.filter(is_active=True):
                notify(
                    manager,
                    kind="grooming.booking_cancelled",
                    context={"booking": locked, "by_salon": False},
                    url=locked.get_absolute_url(),
                )
    return locked


def _finish(booking: Booking, *, by, status: str) -> Booking:
    with transaction.atomic():
        locked = _locked(booking)
        _require_manager(by, locked.salon)
        if locked.status == status:
            return locked
        if locked.status != Booking.Status.CONFIRMED:
            raise ValidationError(_("Only a confirmed booking can be closed."))
        if locked.starts_at > timezone.now():
            raise ValidationError(_("The visit has not started yet."))
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        _record(locked, by=by)
        if status == Booking.Status.COMPLETED:
            notify(
                locked.member,
                kind="grooming.booking_completed",
                context={"booking": locked},
                url=locked.get_absolute_url(),
            )
    return locked


def booking_complete(*, booking: Booking, by) -> Booking:
    return _finish(booking, by=by, status=Booking.Status.COMPLETED)


def booking_no_show(*, booking: Booking, by) -> Booking:
    return _finish(booking, by=by, status=Booking.Status.NO_SHOW)


# --- reviews ---------------------------------------------------------------------------------------
def review_create(*, booking: Booking, author, rating: int, text: str) -> Review:
    with transaction.atomic():
        locked = _locked(booking)
        if locked.member_id != author.pk:
            raise PermissionDenied
        if locked.status != Booking.Status.COMPLETED:
            raise ValidationError(_("You can review a salon after a completed visit."))
        if Review.objects.filter(booking=locked).exists():
            raise ValidationError(_("You already reviewed this visit."))
        if not 1 <= int(rating) <= 5:
            raise ValidationError(_("Give a rating from 1 to 5."))
        if not text.strip():
            raise ValidationError(_("Write a few words about the visit."))
        return Review.objects.create(
            booking=locked, salon=locked.salon, author=author, rating=int(rating), text=text.strip()
        )


def review_reply(*, review: Review, by, text: str) -> Review:
    with transaction.atomic():
        locked = Review.objects.select_for_update().select_related("salon").get(pk=review.pk)
        _require_manager(by, locked.salon)
        if not text.strip():
            raise ValidationError(_("Write a reply."))
        locked.reply = text.strip()
        locked.replied_at = timezone.now()
        locked.save(update_fields=["reply", "replied_at"])
    return locked


def salons_managed_by(user):
    if getattr(user, "is_staff", False):
        return Salon.objects.all()
    if not getattr(user, "is_salon_manager", False):
        return Salon.objects.none()
    return Salon.objects.filter(managers=user)


def bookings_visible_to(user):
    """A member's own bookings plus, for a manager, their salons' bookings."""
    condition = Q(member=user)
    if getattr(user, "is_salon_manager", False):
        condition |= Q(salon__in=Salon.objects.filter(managers=user))
    return Booking.objects.filter(condition)
