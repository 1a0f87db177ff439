"""Demo salons for local use (`manage.py seed_demo`). Fictional businesses; drawn images only."""

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import Regency, User
from payments.models import Payment, Refund
from payments.services import payment_create
from pets.models import Pet

from .models import PURPOSE, Booking, Closure, Review, Salon, SalonPhoto, Service, WeeklyHours
from .payment_hooks import record_earnings
from .pet_record import SPECIES_FOR_RECORD, pet_profile, service_fits

WEEKDAYS = range(0, 6)  # Monday..Saturday
SPLIT = [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(18))]  # lunch break 12-13
LONG = [(dt.time(8), dt.time(20))]
SUNDAY_SHORT = [(dt.time(10), dt.time(15))]

DOG = [
    ("bath", "Mandi anjing kecil", "s", 75_000, 60),
    ("bath", "Mandi anjing sedang", "m", 100_000, 60),
    ("full", "Grooming lengkap anjing besar", "l", 225_000, 120),
    ("haircut", "Potong bulu anjing kecil", "s", 120_000, 90),
    ("nails", "Potong kuku anjing", "any", 30_000, 30),
]
CAT = [
    ("bath", "Mandi kucing", "any", 70_000, 60),
    ("full", "Grooming lengkap kucing", "any", 150_000, 90),
    ("flea", "Mandi anti kutu kucing", "any", 95_000, 60),
    ("ears", "Bersih telinga kucing", "any", 35_000, 30),
]
RABBIT = [("bath", "Perawatan kelinci", "any", 80_000, 60)]

# slug, name, city code, address, phone, lat, lon, species menus, extras
SALONS = [
    (
        "pawfect-grooming-bandung",
        "Pawfect Grooming Bandung",
        "32.73",
        "Jl. Cihampelas No. 120, Coblong",
        "+6281220001111",
        "-6.893700",
        "107.604300",
        [DOG, CAT],
        {"hours": SPLIT, "sunday": SUNDAY_SHORT},
    ),
    (
        "kucing-ceria-bandung",
        "Kucing Ceria Pet Salon",
        "32.73",
        "Jl. Buah Batu No. 45, Lengkong",
        "+6281220002222",
        "-6.935900",
        "107.624700",
        [CAT],
        {"hours": LONG, "price_shift": -10_000},
    ),
    (
        "dago-doggy-wash",
        "Dago Doggy Wash",
        "32.73",
        "Jl. Ir. H. Juanda No. 300, Dago",
        "+6281220003333",
        None,
        None,
        [DOG],
        {"hours": LONG, "capacity": 2, "home": ["32.73", "32.77"]},
    ),
    (
        "guguk-spa-kemang",
        "Guguk Spa Kemang",
        "31.74",
        "Jl. Kemang Raya No. 8, Mampang Prapatan",
        "+6281310004444",
        "-6.260500",
        "106.813700",
        [DOG, CAT],
        {"hours": LONG, "capacity": 2, "deposit": 50_000, "price_shift": 40_000},
    ),
    (
        "meow-house-cipete",
        "Meow House Cipete",
        "31.74",
        "Jl. Cipete Raya No. 17, Cilandak",
        "+6281310005555",
        None,
        None,
        [CAT, RABBIT],
        {"hours": SPLIT, "sunday": SUNDAY_SHORT, "price_shift": 20_000},
    ),
    (
        "surabaya-pet-grooming",
        "Surabaya Pet Grooming Center",
        "35.78",
        "Jl. Raya Darmo No. 88, Wonokromo",
        "+6281330006666",
        "-7.287600",
        "112.737900",
        [DOG, CAT],
        {"hours": SPLIT},
    ),
    (
        "bali-paws-denpasar",
        "Bali Paws Grooming",
        "51.71",
        "Jl. Teuku Umar No. 210, Denpasar Barat",
        "+6281340007777",
        "-8.675800",
        "115.205700",
        [DOG, CAT],
        {"hours": LONG, "sunday": SUNDAY_SHORT, "home": ["51.71", "51.03"], "deposit": 25_000},
    ),
    (
        "papua-pet-care-jayapura",
        "Papua Pet Care Jayapura",
        "91.71",
        "Jl. Ahmad Yani No. 12, Jayapura Utara",
        "+6281350008888",
        "-2.533700",
        "140.718100",
        [DOG, CAT],
        {"hours": SPLIT, "price_shift": 15_000},
    ),
]

DESCRIPTION = (
    "{name} merawat hewan kesayangan Anda dengan sabar dan higienis. Groomer kami terlatih menangani "
    "anjing dan kucing yang penakut. Produk sampo hipoalergenik, handuk bersih untuk setiap hewan."
)


def drawn_photo(label: str, color: tuple[int, int, int]) -> ContentFile:
    """A simple drawn storefront: coloured wall, door, window, a paw print and the salon's name."""
    image = Image.new("RGB", (640, 420), (250, 244, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 90, 600, 400), fill=color)
    draw.rectangle((20, 60, 620, 110), fill=(60, 60, 70))
    draw.text((40, 68), label, fill=(255, 255, 255), font=ImageFont.load_default(size=30))
    draw.rectangle((260, 220, 380, 400), fill=(250, 250, 250))
    draw.rectangle((80, 160, 220, 280), fill=(200, 230, 250))
    draw.rectangle((420, 160, 560, 280), fill=(200, 230, 250))
    for dx, dy, r in [(0, 0, 22), (-30, -34, 10), (-10, -46, 10), (12, -46, 10), (32, -34, 10)]:
        draw.ellipse((320 + dx - r, 170 + dy - r, 320 + dx + r, 170 + dy + r), fill=(255, 122, 69))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name="salon.jpg")


def _salon(row, index) -> Salon:
    slug, name, city, address, phone, lat, lon, menus, extra = row
    salon, created = Salon.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "city": Regency.objects.get(code=city),
            "address": address,
            "phone": phone,
            "latitude": lat,
            "longitude": lon,
            "description": DESCRIPTION.format(name=name),
            "capacity": extra.get("capacity", 1),
            "deposit_amount": extra.get("deposit", 0),
            "home_service": bool(extra.get("home")),
        },
    )
    if not created:
        return salon
    if extra.get("home"):
        salon.home_service_cities.set(Regency.objects.filter(code__in=extra["home"]))
    species = {id(DOG): "dog", id(CAT): "cat", id(RABBIT): "rabbit"}
    for menu in menus:
        for kind, service_name, size, price, minutes in menu:
            Service.objects.create(
                salon=salon,
                kind=kind,
                name=service_name,
                species=species[id(menu)],
                size=size,
                price=price + extra.get("price_shift", 0),
                duration_minutes=minutes,
            )
    for weekday in WEEKDAYS:
        for opens, closes in extra["hours"]:
            WeeklyHours.objects.create(salon=salon, weekday=weekday, opens=opens, closes=closes)
    for opens, closes in extra.get("sunday", []):
        WeeklyHours.objects.create(salon=salon, weekday=6, opens=opens, closes=closes)
    colors = [(255, 196, 160), (180, 220, 190), (190, 200, 240), (240, 210, 150)]
    SalonPhoto.objects.create(salon=salon, image=drawn_photo(name, colors[index % len(colors)]), caption=name)
    return salon


def _past_visit(salon: Salon, member: User, *, days_ago: int, hour: int, rating: int, text: str) -> None:
    if Booking.objects.filter(salon=salon, member=member).exists():
        return
    pet = next(
        (
            p
            for p in Pet.objects.filter(owner=member, handed_over_at__isnull=True).select_related("species")
            if SPECIES_FOR_RECORD.get(p.species.slug) in ("cat", "dog")
        ),
        None,
    )
    wanted = SPECIES_FOR_RECORD.get(pet.species.slug) if pet else "cat"
    profile = pet_profile(pet) if pet else None
    # A service that fits the pet, as the booking page offers (a large dog gets the large dog's service).
    services = salon.services.filter(species=wanted)
    service = (
        next((s for s in services if profile and service_fits(s, profile)), None)
        or services.first()
        or salon.services.first()
    )
    local_day = timezone.now().astimezone(salon.tz).date() - dt.timedelta(days=days_ago)
    start = dt.datetime.combine(local_day, dt.time(hour), tzinfo=salon.tz)
    # A past visit: created directly (the booking service refuses times in the past, as it should).
    booking = Booking.objects.create(
        salon=salon,
        service=service,
        member=member,
        pet=pet if profile and profile["species"] == service.species else None,
        pet_name=pet.name if pet else "Mochi",
        pet_species=service.species,
        pet_size=profile["size"] if profile and profile["species"] == service.species else "",
        pet_allergies=pet.allergies if pet else "",
        starts_at=start,
        ends_at=start + service.duration,
        price=service.price,
        status=Booking.Status.COMPLETED,
    )
    text = text.format(pet=booking.pet_name)
    Review.objects.create(booking=booking, salon=salon, author=member, rating=rating, text=text)


# The past visits' deposits, paid online (the salon asked for one then), for the earnings demo.
DEMO_DEPOSIT = 50_000
DEMO_REFUND = 20_000  # Sari's add-on was cancelled at the salon: part of the deposit went back


def _past_deposit(booking: Booking, *, refund: int) -> None:
    """A deposit paid the day before a past visit (and part of it refunded), in the salon's earnings."""
    if booking.payment_id is None:
        paid_at = booking.starts_at - dt.timedelta(days=1)
        payment = payment_create(
            payer=booking.member,
            purpose=PURPOSE,
            target=booking,
            amount=DEMO_DEPOSIT,
            description=f"Deposit {booking.service.name} di {booking.salon.name}",
        )
        # Settled in the past without running the hooks (the booking is already completed).
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.PAID, paid_at=paid_at, delivered_status=Payment.Status.PAID
        )
        Booking.objects.filter(pk=booking.pk).update(payment=payment, deposit_amount=DEMO_DEPOSIT)
        if refund:
            made = Refund.objects.create(
                payment=payment,
                amount=refund,
                reason="Layanan tambahan dibatalkan di salon",
                manual=True,
                completed_at=booking.starts_at + dt.timedelta(hours=2),
            )
            Refund.objects.filter(pk=made.pk).update(created_at=booking.starts_at + dt.timedelta(hours=2))
            Payment.objects.filter(pk=payment.pk).update(
                refunded_amount=refund,
                status=Payment.Status.PARTIALLY_REFUNDED,
                delivered_status=Payment.Status.PARTIALLY_REFUNDED,
                delivered_refunded_amount=refund,
            )
        booking.refresh_from_db()
    record_earnings(booking.payment, booking)  # idempotent: also fills the ledger of an older demo database


def seed(stdout=None) -> dict:
    salons = [_salon(row, i) for i, row in enumerate(SALONS)]
    pawfect = salons[0]
    manager = User.objects.filter(email="salon@hellopet.local").first()
    if manager is not None:
        pawfect.managers.add(manager)
    # A holiday closure next week at the demo manager's salon.
    closure_day = timezone.now().astimezone(pawfect.tz).date() + dt.timedelta(days=6)
    Closure.objects.get_or_create(salon=pawfect, date=closure_day, defaults={"reason": "Libur bersama staf"})
    reviewers = [
        (
            "budi@hellopet.local",
            10,
            10,
            5,
            "{pet} wangi dan rapi, groomernya sabar sekali. Recommended!",  # whichever pet went
        ),
        ("rina@hellopet.local", 8, 14, 4, "Pelayanan ramah, hanya antre sedikit lama di jam makan siang."),
        ("sari@hellopet.local", 5, 15, 5, "Bersih, harga jelas, dan ada foto sebelum-sesudah."),
    ]
    for email, days_ago, hour, rating, text in reviewers:
        member = User.objects.filter(email=email).first()
        if member is not None:
            _past_visit(pawfect, member, days_ago=days_ago, hour=hour, rating=rating, text=text)
            booking = Booking.objects.filter(salon=pawfect, member=member).order_by("starts_at").first()
            _past_deposit(booking, refund=DEMO_REFUND if email == "sari@hellopet.local" else 0)
    if stdout:
        stdout.write(f"grooming: {len(salons)} salons (salon@hellopet.local manages {pawfect.name})")
    return {"salons": salons}
