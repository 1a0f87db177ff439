"""Home visits: a salon with home service comes to the member's address in one of its cities; the
address is shown to the member and the salon only, and erased once the visit is over."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grooming import services
from grooming.models import Booking
from notifications.models import Notification
from tests.factories import regency
from tests.grooming.factories import tomorrow_at

pytestmark = pytest.mark.django_db

ADDRESS = "Jl. Dago Asri No. 12, RT 03/RW 05, pagar hijau"


@pytest.fixture
def home_salon(salon):
    salon.home_service = True
    salon.save()
    salon.home_service_cities.add(regency("32.73"), regency("32.77"))  # Kota Bandung, Kota Cimahi
    return salon


def _book_url(salon, service, start):
    return f"/grooming/{salon.slug}/book/?service={service.pk}&date={start.date().isoformat()}"


def _form(start, **extra):
    return {"slot": start.isoformat(), "pet_name": "Mochi", "pet_species": "cat", "where": "salon", **extra}


def test_member_books_a_home_visit_and_the_salon_sees_where_to_go(
    client_for, owner, salon_manager, home_salon, cat_bath
):
    start = tomorrow_at(home_salon, 10)
    url = _book_url(home_salon, cat_bath, start)
    page = client_for(owner).get(url).content.decode()
    assert "Di rumah saya" in page and "Cimahi" in page
    response = client_for(owner).post(
        url, _form(start, where="home", home_city=regency("32.77").pk, home_address=ADDRESS)
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert booking.at_home and booking.home_city == regency("32.77") and booking.home_address == ADDRESS
    told = Notification.objects.get(recipient=salon_manager, kind="grooming.booking_requested")
    assert "Kunjungan ke rumah di Cimahi" in client_for(salon_manager).get("/notifications/").content.decode()
    assert told.url == booking.get_absolute_url()
    mine = client_for(owner).get(booking.get_absolute_url()).content.decode()
    assert "Kunjungan ke rumah" in mine and "Jl. Dago Asri No. 12" in mine
    # The privacy policy: the salon gets the street address once it confirmed the booking.
    before = client_for(salon_manager).get(booking.get_absolute_url()).content.decode()
    assert "Kunjungan ke rumah" in before and "Cimahi" in before and "Dago Asri" not in before
    services.booking_confirm(booking=booking, by=salon_manager)
    after = client_for(salon_manager).get(booking.get_absolute_url()).content.decode()
    assert "Jl. Dago Asri No. 12" in after
    assert "kunjungan ke rumah" in client_for(salon_manager).get("/grooming/manage/").content.decode()


def test_a_home_visit_needs_a_covered_city_and_an_address(client_for, owner, home_salon, cat_bath):
    start = tomorrow_at(home_salon, 10)
    url = _book_url(home_salon, cat_bath, start)
    no_address = client_for(owner).post(url, _form(start, where="home", home_city=regency("32.73").pk))
    assert no_address.status_code == 400
    assert "Beri tahu salon alamat Anda untuk kunjungan ke rumah." in no_address.content.decode()
    far_city = client_for(owner).post(
        url, _form(start, where="home", home_city=regency("31.74").pk, home_address=ADDRESS)
    )
    assert far_city.status_code == 400 and far_city.context["form"].has_error("home_city")
    assert not Booking.objects.exists()
    at_salon = client_for(owner).post(url, _form(start, home_address="typed, then switched to the salon"))
    assert at_salon.status_code == 302
    assert Booking.objects.get().at_home is False and Booking.objects.get().home_address == ""


def test_a_salon_without_home_service_offers_no_choice_and_refuses_one(client_for, owner, salon, cat_bath):
    start = tomorrow_at(salon, 10)
    with pytest.raises(ValidationError, match="does not come to homes"):
        services.booking_create(
            member=owner,
            service=cat_bath,
            starts_at=start,
            pet_name="Mochi",
            pet_species="cat",
            home_city=regency("32.73"),
            home_address=ADDRESS,
        )
    assert "Di rumah saya" not in client_for(owner).get(_book_url(salon, cat_bath, start)).content.decode()


def test_the_address_is_erased_once_the_salon_no_longer_needs_it(
    client_for, owner, salon_manager, home_salon, cat_bath
):
    def home_visit(hour, days_ahead=1):
        return services.booking_create(
            member=owner,
            service=cat_bath,
            starts_at=tomorrow_at(home_salon, hour) + dt.timedelta(days=days_ahead - 1),
            pet_name="Mochi",
            pet_species="cat",
            home_city=regency("32.73"),
            home_address=ADDRESS,
        )

    upcoming, cancelled, visited = home_visit(9), home_visit(11), home_visit(13, days_ahead=2)
    services.booking_cancel(booking=cancelled, by=owner)
    services.booking_confirm(booking=visited, by=salon_manager)
    assert services.erase_home_addresses() == 1  # the cancelled one, at once
    day_after = dt.timedelta(days=1)
    assert services.erase_home_addresses(now=upcoming.ends_at + day_after - dt.timedelta(minutes=1)) == 0
    assert services.erase_home_addresses(now=upcoming.ends_at + day_after + dt.timedelta(minutes=1)) == 1
    a_day_after_the_visit = visited.ends_at + day_after + dt.timedelta(minutes=1)
    assert services.erase_home_addresses(now=a_day_after_the_visit) == 1
    for booking in (upcoming, cancelled, visited):
        booking.refresh_from_db()
        assert booking.at_home and booking.home_city_id and booking.home_address == ""
    detail = client_for(owner).get(visited.get_absolute_url()).content.decode()
    assert "Alamat sudah dihapus setelah kunjungan." in detail and "Dago Asri" not in detail
    assert timezone.now() < a_day_after_the_visit
