"""Admin pages load for staff; the demo seed is idempotent; the release sweep command runs."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from grooming.models import Booking, Closure, Review, Salon, Service
from tests.grooming.factories import BookingFactory, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["salon", "service", "booking", "review", "closure", "weeklyhours", "salonphoto"]
)
def test_admin_changelists_and_add_pages_load(client_for, staff, cat_bath, model):
    BookingFactory(service=cat_bath)
    c = client_for(staff)
    assert c.get(f"/admin/grooming/{model}/").status_code == 200
    assert c.get(f"/admin/grooming/{model}/?q=kucing").status_code == 200
    assert c.get(f"/admin/grooming/{model}/add/").status_code == 200


def test_admin_salon_change_page_with_inlines(client_for, staff, salon, cat_bath):
    assert client_for(staff).get(f"/admin/grooming/salon/{salon.pk}/change/").status_code == 200


def test_demo_seed_is_idempotent_and_tells_the_story():
    import accounts.demo
    import grooming.demo

    accounts.demo.seed()
    grooming.demo.seed()
    grooming.demo.seed()
    assert Salon.objects.count() == 8
    pawfect = Salon.objects.get(slug="pawfect-grooming-bandung")
    assert pawfect.managers.filter(email="salon@hellopet.local").exists()
    assert Closure.objects.filter(salon=pawfect).count() == 1
    assert Review.objects.filter(salon=pawfect, author__email="budi@hellopet.local").count() == 1
    assert Booking.objects.filter(member__email="budi@hellopet.local", status="completed").count() == 1
    zones = set(Salon.objects.values_list("city__province__timezone", flat=True))
    assert zones == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
    assert Service.objects.filter(species="cat").exists() and Service.objects.filter(species="dog").exists()
    assert all(s.photos.exists() for s in Salon.objects.all())


def test_release_command(owner, salon, cat_bath, capsys):
    BookingFactory(
        service=cat_bath,
        member=owner,
        status="awaiting_payment",
        starts_at=tomorrow_at(salon, 10),
        hold_expires_at=timezone.now() - dt.timedelta(minutes=5),
    )
    call_command("grooming_release_expired")
    assert "released 1" in capsys.readouterr().out
    assert Booking.objects.get().status == Booking.Status.EXPIRED


def test_deposit_booking_sends_the_member_to_the_payment_page(client_for, owner, salon, cat_bath):
    salon.deposit_amount = 50_000
    salon.save()
    start = tomorrow_at(salon, 10)
    url = f"/grooming/{salon.slug}/book/?service={cat_bath.pk}&date={start.date().isoformat()}"
    response = client_for(owner).post(
        url, {"slot": start.isoformat(), "pet_name": "Mochi", "pet_species": "cat"}
    )
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.AWAITING_PAYMENT
    assert response.status_code == 302 and response["Location"] == f"/payments/{booking.payment_id}/"
    page = client_for(owner).get(f"/grooming/bookings/{booking.pk}/")
    assert f"/payments/{booking.payment_id}/" in page.content.decode()


def test_the_demo_visits_fit_their_pets_and_the_reviews_name_the_pet_that_went(settings):
    import io

    from grooming.pet_record import pet_profile, service_fits

    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=io.StringIO())
    reviews = Review.objects.select_related("booking__service", "booking__pet__species")
    assert reviews.filter(booking__pet__isnull=False).exists()
    for review in reviews:
        booking = review.booking
        if booking.pet is not None:
            assert service_fits(booking.service, pet_profile(booking.pet)), (booking.service, booking.pet)
        assert "{" not in review.text
    budi = reviews.get(author__email="budi@hellopet.local")
    assert budi.text.startswith(budi.booking.pet_name)  # not "my cat" on a dog's visit
