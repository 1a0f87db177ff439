"""The salon directory: filters, open-now across WIB/WITA/WIT, sorting, pagination, query count."""

import datetime as dt

import pytest
from django.utils import timezone

from grooming import selectors
from grooming.models import Closure, Review, Salon, WeeklyHours
from tests.factories import UserFactory, regency
from tests.grooming.factories import BookingFactory, SalonFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def names(response):
    return [s.name for s in response.context["page"].object_list]


@pytest.fixture
def catalogue():
    bandung, surabaya = regency("32.73"), regency("35.78")
    cat_cheap = SalonFactory(name="A Kucing Murah", city=bandung)
    ServiceFactory(salon=cat_cheap, species="cat", kind="bath", price=60_000)
    ServiceFactory(salon=cat_cheap, species="dog", kind="full", price=300_000)
    dog_only = SalonFactory(name="B Guguk", city=bandung, description="Spesialis anjing besar")
    ServiceFactory(salon=dog_only, species="dog", kind="bath", price=50_000)
    cat_dear = SalonFactory(name="C Kucing Mahal", city=bandung)
    ServiceFactory(salon=cat_dear, species="cat", kind="full", price=250_000)
    far = SalonFactory(name="D Surabaya", city=surabaya)
    ServiceFactory(salon=far, species="cat", kind="bath", price=40_000)
    return {"cat_cheap": cat_cheap, "dog_only": dog_only, "cat_dear": cat_dear, "far": far}


def test_cat_under_a_price_in_a_city_needs_one_service_matching_both(client, catalogue):
    # A Kucing Murah: cat 60k (yes). B Guguk: dog 50k only (no). C: cat 250k (too dear). D: other city.
    response = client.get("/grooming/", {"city": "32.73", "species": "cat", "max_price": 100_000})
    assert response.status_code == 200
    assert names(response) == ["A Kucing Murah"]
    # "from" price follows the filter: the cheapest matching service, not the dog service.
    assert response.context["page"].object_list[0].from_price == 60_000


def test_service_kind_filter_and_text_search(client, catalogue):
    assert names(client.get("/grooming/", {"service": "full", "sort": "name"})) == [
        "A Kucing Murah",
        "C Kucing Mahal",
    ]
    assert names(client.get("/grooming/", {"q": "anjing besar"})) == ["B Guguk"]
    assert names(client.get("/grooming/", {"q": "surabaya"})) == ["D Surabaya"]


def test_home_service_salons_show_in_the_cities_they_cover(client, catalogue):
    catalogue["far"].home_service = True
    catalogue["far"].save()
    catalogue["far"].home_service_cities.add(regency("32.73"))
    assert "D Surabaya" in names(client.get("/grooming/", {"city": "32.73"}))


def test_member_starts_in_their_own_city_and_can_widen(client_for, catalogue):
    member = UserFactory(city=regency("35.78"))
    c = client_for(member)
    assert names(c.get("/grooming/")) == ["D Surabaya"]
    assert len(names(c.get("/grooming/", {"city": ""}))) == 4


def test_sort_by_price_and_by_rating_after_three_reviews(client, catalogue):
    assert names(client.get("/grooming/", {"sort": "price"})) == [
        "D Surabaya",
        "B Guguk",
        "A Kucing Murah",
        "C Kucing Mahal",
    ]
    dear = catalogue["cat_dear"]
    for rating in (5, 5, 4):
        booking = BookingFactory(
            service=dear.services.first(),
            status="completed",
            starts_at=timezone.now() - dt.timedelta(days=rating + 10),
        )
        Review.objects.create(booking=booking, salon=dear, author=booking.member, rating=rating, text="ok")
    cheap = catalogue["cat_cheap"]
    booking = BookingFactory(service=cheap.services.first(), status="completed")
    Review.objects.create(booking=booking, salon=cheap, author=booking.member, rating=5, text="ok")
    ranked = client.get("/grooming/", {"sort": "rating"}).context["page"].object_list
    assert ranked[0].name == "C Kucing Mahal"
    assert round(ranked[0].rating_shown, 2) == 4.67 and ranked[0].review_count == 3
    by_name = {s.name: s for s in ranked}
    assert by_name["A Kucing Murah"].rating_shown is None  # one review: no average yet
    assert by_name["A Kucing Murah"].review_count == 1


def test_open_now_uses_each_salons_own_time_zone():
    """At 01:30 UTC it is 08:30 WIB, 09:30 WITA and 10:30 WIT."""
    now = dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC)  # a Monday
    hours = [(0, "09:00", "10:00")]
    bandung = SalonFactory(name="WIB", city=regency("32.73"), open_hours=hours)  # 08:30 local: closed
    denpasar = SalonFactory(name="WITA", city=regency("51.71"), open_hours=hours)  # 09:30: open
    jayapura = SalonFactory(name="WIT", city=regency("91.71"), open_hours=hours)  # 10:30: closed
    found = set(selectors.directory(open_now=True, now=now).values_list("name", flat=True))
    assert found == {"WITA"}
    Closure.objects.create(salon=denpasar, date=dt.date(2026, 11, 23), reason="Nyepi")
    assert not selectors.directory(open_now=True, now=now).exists()
    assert bandung.tz_label == "WIB" and jayapura.tz_label == "WIT"


def test_open_now_with_a_lunch_break():
    salon = SalonFactory(name="Lunch", open_hours=[(0, "09:00", "12:00"), (0, "13:00", "17:00")])
    at = lambda h, m: dt.datetime(2026, 11, 23, h, m, tzinfo=salon.tz)  # noqa: E731
    assert selectors.directory(open_now=True, now=at(11, 59)).exists()
    assert not selectors.directory(open_now=True, now=at(12, 30)).exists()
    assert selectors.directory(open_now=True, now=at(13, 0)).exists()
    assert not selectors.directory(open_now=True, now=at(17, 0)).exists()


def test_bad_filters_answer_400_with_the_form_kept(client, catalogue):
    response = client.get("/grooming/", {"max_price": "murah", "species": "dragon", "q": "kucing"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "max_price" in form.errors and "species" in form.errors
    assert b'value="kucing"' in response.content


def test_unlisted_salons_are_hidden(client, catalogue):
    Salon.objects.filter(pk=catalogue["far"].pk).update(is_active=False)
    assert "D Surabaya" not in names(client.get("/grooming/"))


def test_pagination_keeps_filters(client):
    for i in range(15):
        ServiceFactory(salon=SalonFactory(name=f"Salon {i:02d}"), species="cat")
    first = client.get("/grooming/", {"species": "cat", "sort": "name"})
    assert len(names(first)) == 12
    assert b"species=cat&amp;sort=name&amp;page=2" in first.content
    second = client.get("/grooming/", {"species": "cat", "sort": "name", "page": 2})
    assert names(second) == ["Salon 12", "Salon 13", "Salon 14"]


def _salons(n):
    for i in range(n):
        salon = SalonFactory(open_hours=[(d, "08:00", "12:00") for d in range(7)] + [(0, "13:00", "17:00")])
        ServiceFactory(salon=salon)
        ServiceFactory(salon=salon, species="dog", price=150_000)
        Closure.objects.create(salon=salon, date=timezone.localdate(), reason="x")
        booking = BookingFactory(service=salon.services.first(), status="completed")
        Review.objects.create(booking=booking, salon=salon, author=booking.member, rating=4, text="ok")
        salon.photos.create(image="salons/x.jpg")


@pytest.mark.parametrize("n", [2, 10])
def test_directory_query_count_is_constant(client, django_assert_num_queries, n):
    _salons(n)
    assert WeeklyHours.objects.count() == n * 8
    # A visitor on a cold cache: the ids of cities with salons and those cities; count; which salons
    # page 1 holds (those three then remembered until a salon changes); the salons (with ratings and
    # prices annotated); photos, hours, closures.
    with django_assert_num_queries(8):
        response = client.get("/grooming/", {"sort": "rating"})
    assert len(names(response)) == n
