import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Regency
from common.pagecache import CountCachingPaginator, cached_value, public_page
from payments.services import payment_pay_url
from pets.access import pets_for_owner

from . import selectors, services
from .access import (
    get_booking_for_user,
    get_managed_salon_for_user,
    get_review_for_manager,
    get_salon_for_user,
)
from .forms import (
    BookingForm,
    ClosureFormSet,
    DirectoryForm,
    HoursFormSet,
    PhotoForm,
    ReasonForm,
    ReplyForm,
    RescheduleForm,
    ReviewForm,
    SalonForm,
    ServiceFormSet,
)
from .models import Booking, Review, Salon, WeeklyHours
from .pet_record import last_notes, pet_profile, service_fits

PER_PAGE = 12
BOOKING_DAYS_SHOWN = 14


def _cities():
    """Cities that have a listed salon (or a home service), for the filter's choices."""
    located = Salon.objects.filter(is_active=True).values("city_id")
    covered = Salon.home_service_cities.through.objects.filter(salon__is_active=True).values("regency_id")
    # A semi-join over every salon (20,000 at scale): remembered until a salon changes.
    ids = cached_value(
        "grooming",
        key="grooming:cities",
        compute=lambda: list(
            Regency.objects.filter(Q(pk__in=located) | Q(pk__in=covered)).values_list("pk", flat=True)
        ),
    )
    return list(Regency.objects.filter(pk__in=ids).order_by("name"))


def _directory_variant(request, *args, **kwargs) -> str:
    """Without a city in the query a member's directory starts from their own city."""
    return "" if "city" in request.GET else f"city{request.user.city_id}"


@public_page("grooming", member_variant=_directory_variant)
def directory(request):
    cities = _cities()
    data = request.GET.copy()
    if "city" not in data and request.user.is_authenticated:
        # A member starts with their own city; "All cities" (city=) is still one click away.
        own = next((c for c in cities if c.pk == request.user.city_id), None)
        if own is not None:
            data["city"] = own.code
    form = DirectoryForm(data, cities=cities)
    status = 200
    page = None
    if form.is_valid():
        f = form.cleaned_data
        salons = selectors.directory(
            city=f["city"],
            kind=f["service"],
            species=f["species"],
            max_price=f["max_price"],
            q=f["q"].strip(),
            open_now=f["open_now"],
            sort=f["sort"],
        )
        # Sorting by rating reads every listed salon (20,000 at scale): the count and which salons
        # each page holds are remembered until a salon, service or review changes.
        paginator = CountCachingPaginator(salons, PER_PAGE, areas=("grooming",), remember_pages=True)
        page = paginator.get_page(request.GET.get("page"))
        now = timezone.now()
        for salon in page:
            opening = services.today_opening(
                salon, now=now, hours=salon.hours.all(), closures=[c.date for c in salon.closures.all()]
            )
            salon.open_now = any(i.start <= now < i.end for i in opening)
            salon.cover = next(iter(salon.photos.all()), None)
    else:
        status = 400
    return render(request, "grooming/directory.html", {"form": form, "page": page}, status=status)


def _salon_variant(request, *args, **kwargs) -> str | None:
    """A manager's view of a salon has their tools (and may be of an unlisted salon)."""
    return None if request.user.is_salon_manager else ""


@public_page("grooming", member_variant=_salon_variant)
def salon_detail(request, slug):
    salon = get_salon_for_user(request.user, slug)
    hours = list(WeeklyHours.objects.filter(salon=salon))
    now = timezone.now()
    local_now = now.astimezone(salon.tz)
    upcoming_closures = list(salon.closures.filter(date__gte=local_now.date())[:5])
    opening = services.today_opening(
        salon, now=now, hours=hours, closures=[c.date for c in upcoming_closures]
    )
    week = []
    for day in WeeklyHours.Weekday:
        week.append(
            {
                "label": day.label,
                "ranges": [h for h in hours if h.weekday == day.value],
                "is_today": day.value == local_now.weekday(),
            }
        )
    reviews = salon.reviews.filter(is_hidden=False).select_related("author")[:20]
    context = {
        "salon": salon,
        "week": week,
        "open_now": any(i.start <= now < i.end for i in opening),
        "closed_today": local_now.date() in {c.date for c in upcoming_closures},
        "closures": upcoming_closures,
        "local_now": local_now,
        "services_offered": salon.services.filter(is_active=True),
        "photos": salon.photos.all(),
        "reviews": reviews,
        "rating": selectors.salon_rating(salon),
        "is_manager": services.is_manager(request.user, salon),
        "home_cities": salon.home_service_cities.all() if salon.home_service else [],
    }
    return render(request, "grooming/salon_detail.html", context)


def _salons_for_pet_url(salon: Salon, profile: dict | None) -> str:
    """The directory filtered to the salon's city and the chosen pet's species."""
    params = {"city": salon.city.code}
    if profile and profile["species"]:
        params["species"] = profile["species"]
    return f"{reverse('grooming:directory')}?{urlencode(params)}"


def _parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def book(request, slug):
    salon = get_salon_for_user(request.user, slug)
    offered = list(salon.services.filter(is_active=True))
    service = next((s for s in offered if str(s.pk) == request.GET.get("service", "")), None)
    # The member's pets: picking one fills species and size from its record (?pet=<uuid>).
    pets = list(pets_for_owner(request.user).active().select_related("species"))
    chosen = next((p for p in pets if str(p.pk) == request.GET.get("pet", "")), None)
    profile = pet_profile(chosen) if chosen else None
    if profile:
        for s in offered:
            s.fits_pet = service_fits(s, profile)
    context = {
        "salon": salon,
        "offered": offered,
        "service": service,
        "pets": pets,
        "profile": profile,
        "any_fits": any(getattr(s, "fits_pet", False) for s in offered),
        "salons_url": _salons_for_pet_url(salon, profile),
    }
    if service is None:
        return render(
            request, "grooming/book.html", context, status=200 if "service" not in request.GET else 404
        )
    now = timezone.now()
    today = now.astimezone(salon.tz).date()
    days = [today + dt.timedelta(days=i) for i in range(BOOKING_DAYS_SHOWN)]
    day = _parse_day(request.GET.get("date"))
    if day is None:
        # No day chosen: open on the first day with a free slot.
        day = next(
            (d for d in days if services.available_slots(salon=salon, service=service, day=d, now=now)), today
        )
    free = services.available_slots(salon=salon, service=service, day=day, now=now)
    initial = {"notes": last_notes(request.user, profile["pet"])} if profile else None
    home_cities = list(salon.home_service_cities.order_by("name")) if salon.home_service else []
    form = BookingForm(
        request.POST or None,
        slots=free,
        service=service,
        pets=pets,
        profile=profile,
        initial=initial,
        home_cities=home_cities,
    )
    context["home_cities"] = [c.short_name for c in home_cities]
    status = 200
    slot_taken = False
    if request.method == "POST":
        slot_taken = not form.is_valid() and form.has_error("slot", "invalid_choice")
        if form.is_valid():
            starts_at = form.cleaned_data["slot"]
            try:
                booking = services.booking_create(
                    member=request.user,
                    service=service,
                    starts_at=starts_at,
                    pet=form.cleaned_data["pet_record"],
                    pet_name=form.cleaned_data["pet_name"],
                    pet_species=form.cleaned_data["pet_species"],
                    notes=form.cleaned_data["notes"],
                    home_city=form.cleaned_data.get("home_city_record"),
                    home_address=form.cleaned_data.get("home_address", ""),
                )
            except services.SlotTaken as error:
                slot_taken = True
                free = services.available_slots(salon=salon, service=service, day=day, now=now)
                form = BookingForm(
                    request.POST,
                    slots=free,
                    service=service,
                    pets=pets,
                    profile=profile,
                    home_cities=home_cities,
                )
                form.is_valid()
                if not form.has_error("slot"):
                    form.add_error("slot", error)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if booking.payment_id:
                    return _redirect_to_payment(request, booking)
                messages.success(request, _("Booking sent. The salon will confirm it soon."))
                return redirect(booking)
        status = 400
    if slot_taken:
        # Offer the free times closest to the one that was lost, as one-tap choices.
        wanted = _parse_slot(request.POST.get("slot"))
        index = {start: i for i, start in enumerate(free)}
        context["nearest"] = [(index[s], s) for s in services.nearest_slots(free, wanted)]
    context.update(
        {
            "form": form,
            "day": day,
            "days": days,
            "slots": free,
            "prev_day": day - dt.timedelta(days=1) if day > today else None,
            "next_day": day + dt.timedelta(days=1) if day < days[-1] else None,
        }
    )
    return render(request, "grooming/book.html", context, status=status)


def _parse_slot(value) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _redirect_to_payment(request, booking: Booking):
    return redirect(payment_pay_url(booking.payment))


@login_required
def bookings(request):
    """My bookings; for a salon manager also the bookings of their salons."""
    mine = (
        Booking.objects.filter(member=request.user)
        .select_related("salon__city__province", "service")
        .order_by("-starts_at")[:100]
    )
    managed = []
    if request.user.is_salon_manager:
        managed = list(
            Booking.objects.filter(
                salon__in=Salon.objects.filter(managers=request.user), status__in=Booking.ACTIVE
            )
            .select_related("salon__city__province", "service", "member")
            .order_by("starts_at")[:100]
        )
    return render(request, "grooming/bookings.html", {"mine": mine, "managed": managed})


@login_required
def booking_detail(request, pk):
    booking = get_booking_for_user(request.user, pk)
    context = _detail_context(request, booking, **_action_draft(request, booking))
    return render(request, "grooming/booking_detail.html", context)


def _detail_context(request, booking: Booking, **extra) -> dict:
    is_member = booking.member_id == request.user.pk
    as_manager = services.is_manager(request.user, booking.salon)
    review = Review.objects.filter(booking=booking).first()
    now = timezone.now()
    return {
        "booking": booking,
        "is_member": is_member,
        "as_manager": as_manager,
        "review": review,
        "member_can_cancel": is_member and services.member_can_cancel(booking, now),
        "can_review": is_member and booking.status == Booking.Status.COMPLETED and review is None,
        "can_finish": as_manager and booking.status == Booking.Status.CONFIRMED and booking.starts_at <= now,
        "reason_form": ReasonForm(),
        "events": booking.events.select_related("actor"),
        "pay_url": _pay_url(booking) if is_member else "",
        # The privacy policy: addresses reach the salon once it confirmed the booking (the city before).
        "show_home_address": is_member or booking.status in Booking.ADDRESS_SHARED,
        **extra,
    }


def _pay_url(booking: Booking) -> str:
    if (
        booking.status != Booking.Status.AWAITING_PAYMENT
        or booking.payment is None
        or not booking.payment.is_pending
    ):
        return ""
    return payment_pay_url(booking.payment)


ACTIONS = {"confirm", "decline", "cancel", "complete", "no-show"}


@login_required
@require_POST
def booking_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    booking = get_booking_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if action == "confirm":
            services.booking_confirm(booking=booking, by=request.user)
            messages.success(request, _("Booking confirmed."))
        elif action == "decline":
            services.booking_decline(booking=booking, by=request.user, reason=reason)
            messages.success(request, _("Booking declined."))
        elif action == "cancel":
            services.booking_cancel(booking=booking, by=request.user, reason=reason)
            messages.success(request, _("Booking cancelled."))
        elif action == "complete":
            services.booking_complete(booking=booking, by=request.user)
            messages.success(request, _("Visit marked as completed."))
        else:
            services.booking_no_show(booking=booking, by=request.user)
            messages.success(request, _("Marked as no-show."))
    except ValidationError as error:
        # Back on the booking's own address (a reload must not re-post the action), with the error shown
        # once, next to the form it belongs to, and what was typed kept.
        request.session[ACTION_DRAFT_KEY] = {
            "booking": booking.pk, "action": action, "reason": reason, "errors": error.messages,
        }  # fmt: skip
    return redirect(booking)


ACTION_DRAFT_KEY = "grooming_action_draft"


def _action_draft(request, booking: Booking) -> dict:
    """The failed action on this booking, if the last post was one: its form (errors and text kept)."""
    draft = request.session.pop(ACTION_DRAFT_KEY, None)
    if not isinstance(draft, dict) or draft.get("booking") != booking.pk:
        return {}
    form = ReasonForm({"reason": draft.get("reason", "")})
    form.is_valid()
    for message in draft.get("errors", []):
        form.add_error(None, message)
    return {"reason_form": form, "action_error": draft.get("action")}


@login_required
def booking_reschedule(request, pk):
    """Move my booking to another free time in one step (the deposit stays with it)."""
    booking = get_booking_for_user(request.user, pk)
    if booking.member_id != request.user.pk:
        raise Http404
    now = timezone.now()
    if booking.status not in (Booking.Status.REQUESTED, Booking.Status.CONFIRMED) or not (
        services.member_can_cancel(booking, now)
    ):
        messages.info(request, _("This booking can no longer be moved online. Please contact the salon."))
        return redirect(booking)
    salon = booking.salon
    today = now.astimezone(salon.tz).date()
    days = [today + dt.timedelta(days=i) for i in range(BOOKING_DAYS_SHOWN)]
    day = _parse_day(request.GET.get("date")) or booking.starts_at.astimezone(salon.tz).date()
    if day not in days:
        day = today

    def free_on(d):
        return [
            s
            for s in services.available_slots(
                salon=salon, service=booking.service, day=d, now=now, exclude=booking.pk
            )
            if s != booking.starts_at
        ]

    free = free_on(day)
    form = RescheduleForm(request.POST or None, slots=free)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.booking_reschedule(
                    booking=booking, by=request.user, starts_at=form.cleaned_data["slot"]
                )
            except ValidationError as error:
                form = RescheduleForm(request.POST, slots=free_on(day))
                form.is_valid()
                form.add_error("slot" if isinstance(error, services.SlotTaken) else None, error)
            else:
                messages.success(request, _("Booking moved. The salon will confirm the new time."))
                return redirect(booking)
        status = 400
    context = {"booking": booking, "salon": salon, "form": form, "day": day, "days": days, "slots": free}
    return render(request, "grooming/reschedule.html", context, status=status)


@login_required
def booking_review(request, pk):
    booking = get_booking_for_user(request.user, pk)
    if booking.member_id != request.user.pk:
        raise Http404
    if booking.status != Booking.Status.COMPLETED or Review.objects.filter(booking=booking).exists():
        # Offered only when a review is possible: after the visit, once.
        if booking.status != Booking.Status.COMPLETED:
            messages.info(request, _("You can review the salon once the visit is completed."))
        else:
            messages.info(request, _("You already reviewed this visit."))
        return redirect(booking)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_create(
                booking=booking,
                author=request.user,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for your review."))
            return redirect(booking.salon)
    status = 400 if request.method == "POST" else 200
    return render(request, "grooming/review_form.html", {"booking": booking, "form": form}, status=status)


@login_required
@require_POST
def review_reply(request, pk):
    review = get_review_for_manager(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        services.review_reply(review=review, by=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Reply posted."))
    else:
        messages.error(request, _("Write a reply."))
    return redirect(f"{review.salon.get_absolute_url()}#review-{review.pk}")


@login_required
def manage(request):
    salons = services.salons_managed_by(request.user)
    if not request.user.is_staff and not request.user.is_salon_manager:
        raise Http404
    salons = list(
        salons.select_related("city__province").prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.filter(status__in=Booking.ACTIVE, ends_at__gte=timezone.now())
                .select_related("service", "member")
                .order_by("starts_at"),
                to_attr="upcoming",
            )
        )[:50]
    )
    return render(request, "grooming/manage.html", {"salons": salons})


@login_required
def manage_salon(request, slug):
    salon = get_managed_salon_for_user(request.user, slug)
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    section = request.POST.get("section", "") if post else ""
    forms = {
        "profile": SalonForm(post if section == "profile" else None, instance=salon, prefix="profile"),
        "services": ServiceFormSet(
            post if section == "services" else None, instance=salon, prefix="services"
        ),
        "hours": HoursFormSet(post if section == "hours" else None, instance=salon, prefix="hours"),
        "closures": ClosureFormSet(
            post if section == "closures" else None, instance=salon, prefix="closures"
        ),
        "photo": PhotoForm(
            post if section == "photo" else None, files if section == "photo" else None, prefix="photo"
        ),
    }
    if post is not None:
        form = forms.get(section)
        if form is None:
            raise Http404
        if form.is_valid():
            with transaction.atomic():
                if section == "photo":
                    photo = form.save(commit=False)
                    photo.salon = salon
                    photo.position = salon.photos.count()
                    photo.save()
                else:
                    form.save()
            messages.success(request, _("Saved."))
            return redirect("grooming:manage_salon", slug=salon.slug)
        return render(request, "grooming/manage_salon.html", {"salon": salon, **forms}, status=400)
    return render(request, "grooming/manage_salon.html", {"salon": salon, **forms})
