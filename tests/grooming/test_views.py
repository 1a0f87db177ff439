"""Pages: the role matrix, the booking form, manager actions and the salon editor."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve

from grooming.models import Booking, Review, Salon, Service, WeeklyHours
from tests.factories import image_file, regency
from tests.grooming.factories import BookingFactory, SalonFactory, ServiceFactory, tomorrow_at

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other_member", "salon_manager", "other_manager", "staff"]


@pytest.fixture
def people(owner, other_member, salon_manager, other_manager, staff):
    other_salon = SalonFactory(name="Salon Lain")
    other_salon.managers.add(other_manager)
    return {
        "anonymous": None,
        "owner": owner,
        "other_member": other_member,
        "salon_manager": salon_manager,
        "other_manager": other_manager,
        "staff": staff,
    }


@pytest.fixture
def booking(owner, cat_bath):
    return BookingFactory(service=cat_bath, member=owner)


def status(client_for, people, role, method, url, data=None):
    c = client_for(people[role])
    response = c.post(url, data or {}) if method == "post" else c.get(url)
    return response.status_code


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("owner", 200),
        ("other_member", 404),
        ("salon_manager", 200),
        ("other_manager", 404),
        ("staff", 200),
    ],
)
def test_booking_page_matrix(client_for, people, booking, role, expected):
    assert status(client_for, people, role, "get", f"/grooming/bookings/{booking.pk}/") == expected


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("owner", 403),
        ("other_member", 404),
        ("salon_manager", 302),
        ("other_manager", 404),
        ("staff", 302),
    ],
)
def test_confirm_matrix(client_for, people, booking, role, expected):
    assert status(client_for, people, role, "post", f"/grooming/bookings/{booking.pk}/confirm/") == expected
    booking.refresh_from_db()
    assert (booking.status == Booking.Status.CONFIRMED) == (expected == 302 and role != "anonymous")


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("owner", 404),
        ("other_member", 404),
        ("salon_manager", 200),
        ("other_manager", 404),
        ("staff", 200),
    ],
)
def test_manage_salon_matrix(client_for, people, salon, role, expected):
    assert status(client_for, people, role, "get", f"/grooming/manage/{salon.slug}/") == expected


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("owner", 404),
        ("other_member", 404),
        ("salon_manager", 200),
        ("other_manager", 200),
        ("staff", 200),
    ],
)
def test_manage_dashboard_matrix(client_for, people, salon, role, expected):
    assert status(client_for, people, role, "get", "/grooming/manage/") == expected


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 404),
        ("owner", 404),
        ("other_member", 404),
        ("salon_manager", 200),
        ("other_manager", 404),
        ("staff", 200),
    ],
)
def test_unlisted_salon_is_seen_only_by_its_managers(client_for, people, salon, role, expected):
    Salon.objects.filter(pk=salon.pk).update(is_active=False)
    assert status(client_for, people, role, "get", f"/grooming/{salon.slug}/") == expected


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_for_everyone(client_for, people, salon, cat_bath, role):
    assert status(client_for, people, role, "get", "/grooming/") == 200
    assert status(client_for, people, role, "get", f"/grooming/{salon.slug}/") == 200
    assert status(client_for, people, role, "get", "/grooming/nope/") == 404


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("owner", 404),
        ("other_member", 404),
        ("salon_manager", 302),
        ("other_manager", 404),
    ],
)
def test_review_reply_matrix(client_for, people, booking, role, expected):
    Booking.objects.filter(pk=booking.pk).update(status="completed")
    review = Review.objects.create(
        booking=booking, salon=booking.salon, author=booking.member, rating=4, text="ok"
    )
    assert (
        status(client_for, people, role, "post", f"/grooming/reviews/{review.pk}/reply/", {"text": "Makasih"})
        == expected
    )
    review.refresh_from_db()
    assert bool(review.reply) == (role == "salon_manager")


def test_fixed_paths_win_over_the_slug_and_reserved_words_are_refused(salon):
    assert resolve("/grooming/bookings/").url_name == "bookings"
    assert resolve("/grooming/manage/").url_name == "manage"
    bad = Salon(name="Bookings", slug="bookings", city=salon.city, address="x", phone="+628123456789")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "slug" in error.value.message_dict


def test_salon_page_shows_hours_services_and_open_state(client, salon, cat_bath):
    response = client.get(f"/grooming/{salon.slug}/")
    body = response.content.decode()
    assert "Mandi kucing" in body and "Rp 80.000" in body
    assert 'aria-current="date"' in body  # today's row highlighted
    assert response.context["open_now"] in (True, False)
    assert "WIB" in body


def test_booking_through_the_page(client_for, owner, salon, cat_bath, salon_manager):
    c = client_for(owner)
    start = tomorrow_at(salon, 10)
    url = f"/grooming/{salon.slug}/book/?service={cat_bath.pk}&date={start.date().isoformat()}"
    page = c.get(url)
    assert page.status_code == 200
    assert "10:00" in page.content.decode()
    response = c.post(
        url, {"slot": start.isoformat(), "pet_name": "Mochi", "pet_species": "cat", "notes": ""}
    )
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/grooming/bookings/{booking.pk}/"
    assert booking.starts_at == start and booking.member == owner
    # The taken time is gone from the page now.
    assert start.isoformat() not in c.get(url).content.decode()


def test_invalid_booking_keeps_what_was_typed(client_for, owner, salon, cat_bath):
    c = client_for(owner)
    start = tomorrow_at(salon, 10)
    url = f"/grooming/{salon.slug}/book/?service={cat_bath.pk}&date={start.date().isoformat()}"
    response = c.post(url, {"slot": "", "pet_name": "Si Belang", "pet_species": "cat", "notes": "galak"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Si Belang" in body and "galak" in body
    response = c.post(url, {"slot": start.isoformat(), "pet_name": "Rex", "pet_species": "dog"})
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert c.get(f"/grooming/{salon.slug}/book/?service=999999").status_code == 404
    assert c.get(f"/grooming/{salon.slug}/book/?service={cat_bath.pk}&date=kemarin").status_code == 200
    assert not Booking.objects.exists()


def test_loser_of_a_slot_gets_a_clear_400(client_for, owner, other_member, salon, cat_bath):
    start = tomorrow_at(salon, 10)
    url = f"/grooming/{salon.slug}/book/?service={cat_bath.pk}&date={start.date().isoformat()}"
    data = {"slot": start.isoformat(), "pet_name": "Mochi", "pet_species": "cat"}
    first, second = client_for(owner), client_for(other_member)
    first.get(url), second.get(url)
    assert first.post(url, data).status_code == 302
    response = second.post(url, data)
    assert response.status_code == 400
    assert Booking.objects.count() == 1


def test_manager_decline_without_reason_returns_to_the_booking_with_one_error(
    client_for, salon_manager, booking
):
    client = client_for(salon_manager)
    response = client.post(f"/grooming/bookings/{booking.pk}/decline/", {"reason": "  "}, follow=True)
    assert response.redirect_chain == [(f"/grooming/bookings/{booking.pk}/", 302)]
    html = response.content.decode()
    assert html.count("Berikan alasan kepada pemesan.") == 1
    assert html.index("Berikan alasan kepada pemesan.") > html.index('id="decline-reason"') - 200
    assert (
        "Berikan alasan kepada pemesan."
        not in client.get(f"/grooming/bookings/{booking.pk}/").content.decode()
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    assert client_for(salon_manager).post(f"/grooming/bookings/{booking.pk}/explode/").status_code == 404


def test_member_cancels_from_the_page(client_for, owner, booking):
    response = client_for(owner).post(f"/grooming/bookings/{booking.pk}/cancel/", {"reason": "Sakit"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_review_page_only_after_completion(client_for, owner, booking):
    c = client_for(owner)
    # Before the visit the form is not offered: back to the booking with a word why.
    url = f"/grooming/bookings/{booking.pk}/review/"
    for response in (c.get(url), c.post(url, {"rating": 5, "text": "Mantap"})):
        assert response.status_code == 302 and response["Location"] == f"/grooming/bookings/{booking.pk}/"
    assert not Review.objects.exists()
    Booking.objects.filter(pk=booking.pk).update(status="completed")
    assert c.get(f"/grooming/bookings/{booking.pk}/review/").status_code == 200
    assert c.post(f"/grooming/bookings/{booking.pk}/review/", {"rating": 9, "text": "x"}).status_code == 400
    response = c.post(f"/grooming/bookings/{booking.pk}/review/", {"rating": 5, "text": "Mantap"})
    assert response.status_code == 302
    assert Review.objects.get().rating == 5
    assert "Mantap" in c.get(f"/grooming/{booking.salon.slug}/").content.decode()
    # Once reviewed, the form is not offered again.
    again = c.get(f"/grooming/bookings/{booking.pk}/review/")
    assert again.status_code == 302 and again["Location"] == f"/grooming/bookings/{booking.pk}/"
    assert "write-review" not in c.get(f"/grooming/bookings/{booking.pk}/").content.decode()


def test_my_bookings_lists_mine_and_my_salons(client_for, owner, salon_manager, booking, other_member):
    BookingFactory(service=booking.service, member=other_member, starts_at=tomorrow_at(booking.salon, 14))
    mine = client_for(owner).get("/grooming/bookings/")
    assert [b.pk for b in mine.context["mine"]] == [booking.pk]
    managed = client_for(salon_manager).get("/grooming/bookings/")
    assert len(managed.context["managed"]) == 2 and list(managed.context["mine"]) == []


def test_manager_edits_services_and_hours(client_for, salon_manager, salon, cat_bath):
    c = client_for(salon_manager)
    url = f"/grooming/manage/{salon.slug}/"
    page = c.get(url)
    services_fs = page.context["services"]
    data = {
        "section": "services",
        "services-TOTAL_FORMS": "2",
        "services-INITIAL_FORMS": "1",
        "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
    }
    for i, form in enumerate(services_fs.forms[:1]):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is not None and value is not False:
                data[f"services-{i}-{name}"] = "on" if value is True else value
    data.update(
        {
            "services-0-price": "85000",
            "services-1-kind": "nails",
            "services-1-name": "Potong kuku",
            "services-1-species": "cat",
            "services-1-size": "any",
            "services-1-price": "25000",
            "services-1-duration_minutes": "30",
            "services-1-is_active": "on",
        }
    )
    assert c.post(url, data).status_code == 302
    assert sorted(Service.objects.filter(salon=salon).values_list("price", flat=True)) == [25_000, 85_000]

    hours = {
        "section": "hours",
        "hours-TOTAL_FORMS": "2",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "hours-0-weekday": "0",
        "hours-0-opens": "09:00",
        "hours-0-closes": "13:00",
        "hours-1-weekday": "0",
        "hours-1-opens": "12:00",
        "hours-1-closes": "17:00",
    }
    before = WeeklyHours.objects.count()
    response = c.post(url, hours)
    assert response.status_code == 400 and response.context["hours"].non_form_errors()
    assert WeeklyHours.objects.count() == before


def test_manager_photo_upload_checks_content(client_for, salon_manager, salon):
    c = client_for(salon_manager)
    url = f"/grooming/manage/{salon.slug}/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    assert c.post(url, {"section": "photo", "photo-image": fake}).status_code == 400
    good = image_file("salon.jpg")
    upload = SimpleUploadedFile("salon.jpg", good.read(), content_type="image/jpeg")
    assert (
        c.post(url, {"section": "photo", "photo-image": upload, "photo-caption": "Depan"}).status_code == 302
    )
    assert salon.photos.count() == 1


def test_other_manager_cannot_post_to_a_salon_they_do_not_manage(client_for, other_manager, salon):
    response = client_for(other_manager).post(f"/grooming/manage/{salon.slug}/", {"section": "profile"})
    assert response.status_code == 404


def test_service_for_another_salon_cannot_be_booked_here(client_for, owner, salon):
    foreign = ServiceFactory()
    assert client_for(owner).get(f"/grooming/{salon.slug}/book/?service={foreign.pk}").status_code == 404


def test_booking_lists_run_constant_queries(
    client_for, django_assert_num_queries, owner, salon_manager, salon
):
    """Count the queries with 2 bookings per salon, then assert the same count with 10."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = SalonFactory(city=regency("51.71"))
    other.managers.add(salon_manager)

    def add(hours):
        for hour in hours:
            for s in (salon, other):
                BookingFactory(service=ServiceFactory(salon=s), member=owner, starts_at=tomorrow_at(s, hour))

    pages = [
        (client_for(salon_manager), "/grooming/bookings/"),
        (client_for(salon_manager), "/grooming/manage/"),
        (client_for(owner), "/grooming/bookings/"),
    ]
    add(range(8, 10))
    baseline = []
    for c, url in pages:
        c.get(url)  # warm the session
        with CaptureQueriesContext(connection) as captured:
            c.get(url)
        baseline.append(len(captured))
    add(range(10, 18))
    for (c, url), expected in zip(pages, baseline, strict=True):
        with django_assert_num_queries(expected):
            response = c.get(url)
        assert response.status_code == 200
    assert len(response.context["mine"]) == 20


def test_a_salons_services_of_one_kind_are_listed_small_to_large(client):
    salon = SalonFactory()
    ServiceFactory(salon=salon, species="dog", name="Mandi anjing besar", size="l", price=150_000)
    ServiceFactory(salon=salon, species="dog", name="Mandi anjing sedang", size="m", price=100_000)
    ServiceFactory(salon=salon, species="dog", name="Mandi anjing kecil", size="s", price=75_000)
    html = client.get(f"/grooming/{salon.slug}/").content.decode()
    small, medium, large = (html.index(f"Mandi anjing {size}") for size in ("kecil", "sedang", "besar"))
    assert small < medium < large
