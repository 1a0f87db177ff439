"""Read-side queries: the salon directory with its filters, in a constant number of queries."""

import datetime as dt
import operator
from functools import reduce
from zoneinfo import ZoneInfo

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    When,
)
from django.utils import timezone

from accounts.models import TIMEZONES
from common.pagecache import cached_value

from .models import MIN_REVIEWS_FOR_AVERAGE, Closure, Review, Salon, SalonPhoto, Service, WeeklyHours
from .services import today_opening

SORTS = ("rating", "price", "name")


def open_now_q(now: dt.datetime | None = None) -> Q:
    """Salons open at this instant in their own zone (WIB/WITA/WIT): a weekly range covers the local
    time and the local date is not a closure."""
    now = now or timezone.now()
    parts = []
    for tz_name, _label in TIMEZONES:
        local = now.astimezone(ZoneInfo(tz_name))
        hours = WeeklyHours.objects.filter(
            salon=OuterRef("pk"), weekday=local.weekday(), opens__lte=local.time(), closes__gt=local.time()
        )
        closed = Closure.objects.filter(salon=OuterRef("pk"), date=local.date())
        parts.append(Q(city__province__timezone=tz_name) & Exists(hours) & ~Exists(closed))
    return reduce(operator.or_, parts)


# Words people type for a species (Indonesian and English, singular and plural, common pet words).
SPECIES_WORDS = {
    "kucing": "cat", "cat": "cat", "cats": "cat", "kitten": "cat", "anak kucing": "cat", "meong": "cat",
    "anjing": "dog", "dog": "dog", "dogs": "dog", "puppy": "dog", "anak anjing": "dog", "guguk": "dog",
    "kelinci": "rabbit", "rabbit": "rabbit", "rabbits": "rabbit",
}  # fmt: skip


def split_species(q: str) -> tuple[str, str]:
    """("kucing Bandung") -> ("cat", "Bandung"): a species named in the search filters by the species of
    the salon's services instead of matching words in its description ("for dogs, not cats")."""
    words = q.split()
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            species = SPECIES_WORDS.get(" ".join(words[i : i + size]).lower())
            if species:
                return species, " ".join(words[:i] + words[i + size :])
    return "", q


def directory(
    *,
    city=None,
    kind: str = "",
    species: str = "",
    max_price: int | None = None,
    q: str = "",
    open_now: bool = False,
    sort: str = "rating",
    now: dt.datetime | None = None,
):
    """Listed salons matching the filters, annotated with `from_price` (cheapest matching service),
    `rating_avg`, `review_count` and `rating_shown` (the average once there are enough reviews)."""
    now = now or timezone.now()
    if q:
        named, q = split_species(q)
        species = species or named
    matching = Service.objects.filter(salon=OuterRef("pk"), is_active=True)
    if kind:
        matching = matching.filter(kind=kind)
    if species:
        matching = matching.filter(species=species)
    if max_price:
        matching = matching.filter(price__lte=max_price)
    reviews = Review.objects.filter(salon=OuterRef("pk"), is_hidden=False).order_by().values("salon")

    queryset = Salon.objects.filter(is_active=True).select_related("city__province")
    if kind or species or max_price:
        queryset = queryset.filter(Exists(matching))
    if city is not None:
        covered = Salon.home_service_cities.through.objects.filter(regency=city).values("salon")
        queryset = queryset.filter(Q(city=city) | Q(home_service=True, pk__in=covered))
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(address__icontains=q)
            | Q(city__name__icontains=q)
        )
    if open_now:
        queryset = queryset.filter(open_now_q(now))

    local_dates = {now.astimezone(ZoneInfo(tz)).date() for tz, _label in TIMEZONES}
    queryset = (
        queryset.annotate(
            from_price=Subquery(matching.order_by().values("salon").annotate(m=Min("price")).values("m")[:1]),
            rating_avg=Subquery(reviews.annotate(a=Avg("rating")).values("a")[:1]),
            review_count=Subquery(
                reviews.annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()
            ),
        )
        .annotate(
            rating_shown=Case(
                When(review_count__gte=MIN_REVIEWS_FOR_AVERAGE, then=F("rating_avg")), default=None
            ),
        )
        .prefetch_related(
            Prefetch("photos", queryset=SalonPhoto.objects.order_by("position", "pk")),
            "hours",
            # Only the closures that can matter for "open now" on the card.
            Prefetch("closures", queryset=Closure.objects.filter(date__in=local_dates)),
        )
    )
    if sort == "price":
        ordering = [F("from_price").asc(nulls_last=True), "name"]
    elif sort == "name":
        ordering = ["name"]
    else:
        ordering = [F("rating_shown").desc(nulls_last=True), F("review_count").desc(nulls_last=True), "name"]
    return queryset.order_by(*ordering, "pk")


def salon_rating(salon: Salon) -> dict:
    stats = Review.objects.filter(salon=salon, is_hidden=False).aggregate(
        avg=Avg("rating"), count=Count("pk")
    )
    shown = stats["avg"] if stats["count"] >= MIN_REVIEWS_FOR_AVERAGE else None
    return {"average": shown, "count": stats["count"], "min_reviews": MIN_REVIEWS_FOR_AVERAGE}


def with_card_facts(salons, *, now: dt.datetime | None = None) -> list[Salon]:
    """Salons from `directory()` with what a card shows: `open_now` and the `cover` photo, computed
    from the prefetched hours, closures and photos (no query per salon)."""
    now = now or timezone.now()
    salons = list(salons)
    for salon in salons:
        opening = today_opening(
            salon, now=now, hours=salon.hours.all(), closures=[c.date for c in salon.closures.all()]
        )
        salon.open_now = any(i.start <= now < i.end for i in opening)
        salon.cover = next(iter(salon.photos.all()), None)
    return salons


def _home_salon_rows(city, limit: int, now: dt.datetime) -> list[Salon]:
    salons = list(directory(city=city, now=now)[:limit]) if city is not None else []
    return salons or list(directory(now=now)[:limit])


def home_salons(*, city=None, limit: int = 4, now: dt.datetime | None = None) -> list[Salon]:
    """The home page's salon strip: the best rated in the member's city, or anywhere for visitors (and
    when their city has none yet). The rows (with their photos, hours and today's closures) are
    remembered until a salon, a price, a review or a closure changes, and per day: the ranking sorts
    every listed salon by rating (80 ms at 20,000, measured) and building its query was a third of
    the home page's render. "Open now" is worked out from them on every render."""
    now = now or timezone.now()
    days = ",".join(sorted({now.astimezone(ZoneInfo(tz)).date().isoformat() for tz, _label in TIMEZONES}))
    salons = cached_value(
        "grooming",
        key=f"home-salons:{getattr(city, 'pk', city)}:{limit}:{days}",
        compute=lambda: _home_salon_rows(city, limit, now),
    )
    return with_card_facts(salons, now=now)
