"""Grow a (demo-seeded) bench database to 100x: 100,000 pets, 20,000 salons, 5,000 articles.

    DATABASE_URL=... python bench/seed_scale.py            # on a database whose name holds "bench"
    DATABASE_URL=... python bench/seed_scale.py --force    # any other database (never production!)

Rows go in with bulk_create in batches (no signals, no save()), so derived fields that save() fills
are set here (an article's body_html). Pets spread over 150 cities and every species, salons over
the same cities with three services and a week of opening hours each, so filters and `q` search
hit realistic fractions. Runs once per database (a second run sees its salons and stops).
Measured: about 1-2 minutes on PostgreSQL here (see docs/benchmarks.md).
"""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hellopet.settings")

PETS, SALONS, ARTICLES, LISTERS = 100_000, 20_000, 5_000, 500
BATCH = 2_000
MARK = "skala-"  # slug prefix of the salons this script adds

# Real words (the bench searches for some) among 400 made-up ones, so that a word is in a few per
# cent of the rows, as in real listings, rather than in most of them.
REAL_WORDS = [
    "manja",
    "sehat",
    "aktif",
    "lucu",
    "jinak",
    "pintar",
    "tenang",
    "ceria",
    "penurut",
    "steril",
    "vaksin",
    "ramah",
]
SYLLABLES = [
    "ba",
    "ka",
    "la",
    "ma",
    "na",
    "pa",
    "ra",
    "sa",
    "ta",
    "wa",
    "bi",
    "ki",
    "li",
    "mi",
    "ni",
    "pi",
    "ri",
    "si",
    "ti",
    "wi",
]
WORDS = REAL_WORDS + [a + b + c for a in SYLLABLES for b in SYLLABLES[::3] for c in ("n", "k", "s")][:400]


def sentence(rng, n=12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def main() -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Regency, User
    from adoption.models import Breed, Pet, Species
    from articles.models import Article, Category
    from articles.rendering import render_markdown
    from common import pagecache
    from grooming.models import Salon, Service, WeeklyHours

    name = connection.settings_dict["NAME"]
    if "bench" not in str(name) and "--force" not in sys.argv:
        print(f"refusing to add 125,000 rows to {name!r} (no 'bench' in its name; --force overrides)")
        return 2
    if Salon.objects.filter(slug__startswith=MARK).exists():
        print("already at scale")
        return 0
    rng = random.Random(14)
    started = time.monotonic()
    now = timezone.now()
    cities = list(Regency.objects.order_by("code")[:150])
    species = list(Species.objects.all())
    breeds = {s.pk: list(Breed.objects.filter(species=s)) for s in species}
    categories = list(Category.objects.all()) or [Category.objects.create(name="Umum", slug="umum")]

    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    email=f"{MARK}lister{i}@bench.local",
                    full_name=f"Pemilik {i}",
                    password="!",  # unusable: nobody logs in as these
                    city=rng.choice(cities),
                    is_shelter=i % 10 == 0,
                    organisation_name=f"Shelter {i}" if i % 10 == 0 else "",
                )
                for i in range(LISTERS)
            ],
            batch_size=BATCH,
        )
        listers = list(User.objects.filter(email__startswith=f"{MARK}lister").values_list("pk", flat=True))

        statuses = [Pet.Status.AVAILABLE] * 8 + [Pet.Status.ADOPTED, Pet.Status.PENDING_REVIEW]
        pets = []
        for i in range(PETS):
            kind = rng.choice(species)
            pets.append(
                Pet(
                    lister_id=rng.choice(listers),
                    name=f"{rng.choice(['Mochi', 'Kuro', 'Oyen', 'Belang', 'Snowy', 'Bruno'])} {i}",
                    species=kind,
                    breed=rng.choice(breeds[kind.pk]) if breeds[kind.pk] and rng.random() < 0.7 else None,
                    sex=rng.choice(Pet.Sex.values),
                    birth_date=now.date() - dt.timedelta(days=rng.randint(60, 4000)),
                    size=rng.choice(Pet.Size.values),
                    colour=rng.choice(["oranye", "hitam", "putih", "belang", "abu-abu", "coklat"]),
                    description=sentence(rng, 30),
                    fee=rng.choice([0, 0, 150_000, 250_000, 500_000]),
                    rehoming_reason="Pindah kota.",
                    city=rng.choice(cities),
                    status=rng.choice(statuses),
                    created_at=now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 700)),
                )
            )
        Pet.objects.bulk_create(pets, batch_size=BATCH)
        print(f"pets: {PETS} in {time.monotonic() - started:.0f} s")

        Salon.objects.bulk_create(
            [
                Salon(
                    name=f"Salon {rng.choice(['Meong', 'Guguk', 'Bulu', 'Ceria', 'Wangi'])} {i}",
                    slug=f"{MARK}{i}",
                    city=rng.choice(cities),
                    address=f"Jl. Contoh No. {i}",
                    phone="+6281200000000",
                    description=sentence(rng, 20),
                    home_service=i % 7 == 0,
                )
                for i in range(SALONS)
            ],
            batch_size=BATCH,
        )
        salon_ids = list(Salon.objects.filter(slug__startswith=MARK).values_list("pk", flat=True))
        services, hours = [], []
        for salon_id in salon_ids:
            for kind, species_code, price in (
                ("bath", "cat", 80_000),
                ("bath", "dog", 100_000),
                ("nails", "cat", 30_000),
            ):
                services.append(
                    Service(
                        salon_id=salon_id,
                        kind=kind,
                        name=f"{kind} {species_code}",
                        species=species_code,
                        price=price + rng.randint(0, 20) * 5_000,
                        duration_minutes=60,
                    )
                )
            for weekday in range(7):
                if weekday == 6 and rng.random() < 0.5:
                    continue
                hours.append(
                    WeeklyHours(
                        salon_id=salon_id,
                        weekday=weekday,
                        opens=dt.time(8),
                        closes=dt.time(rng.choice([17, 20])),
                    )
                )
        Service.objects.bulk_create(services, batch_size=BATCH)
        WeeklyHours.objects.bulk_create(hours, batch_size=BATCH)
        took = time.monotonic() - started
        print(f"salons: {SALONS} (+{len(services)} services, {len(hours)} hours) in {took:.0f} s")

        bodies = [f"## {sentence(rng, 4)}\n\n{sentence(rng, 60)}\n\n{sentence(rng, 60)}" for _ in range(20)]
        rendered = [render_markdown(body) for body in bodies]
        articles = []
        for i in range(ARTICLES):
            k = i % len(bodies)
            articles.append(
                Article(
                    title=f"{sentence(rng, 5)[:-1]} {i}",
                    slug=f"{MARK}artikel-{i}",
                    category=rng.choice(categories),
                    summary=sentence(rng, 15),
                    body=bodies[k],
                    body_html=rendered[k],
                    status=Article.Status.PUBLISHED,
                    published_at=now - dt.timedelta(hours=rng.randint(1, 24 * 700)),
                )
            )
        Article.objects.bulk_create(articles, batch_size=BATCH)
        print(f"articles: {ARTICLES} in {time.monotonic() - started:.0f} s")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    pagecache.bump("adoption", "grooming", "articles", "vets")  # bulk_create sends no signals
    print(f"seed_scale done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
