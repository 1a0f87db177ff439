"""Item 7 of issue 15: the member who loses a slot race on a phone is told in words that someone else
just booked that time, sees the nearest free times of that day, and books one with a tap."""

import datetime as dt

import pytest
from django.utils import timezone

from grooming import services
from grooming.models import Booking
from tests import factories
from tests.conftest import login_in_browser
from tests.grooming.factories import SalonFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "language, taken_message, nearest_heading, nearest_times",
    [("id", "Jam itu baru saja dipesan orang lain", "Jam kosong terdekat hari itu",
      ["08.30", "09.00", "11.00"]),
     ("en", "That time was just booked by someone else", "The nearest free times that day",
      ["8:30 am", "9:00 am", "11:00 am"])],
)  # fmt: skip
def test_slot_race_loser_sees_plain_words_and_books_a_nearest_time(
    live_asgi_server, browser, language, taken_message, nearest_heading, nearest_times
):
    base = live_asgi_server
    salon = SalonFactory()
    cat = ServiceFactory(salon=salon, species="cat", duration_minutes=60)
    winner = factories.VerifiedMemberFactory()
    loser = factories.VerifiedMemberFactory(language=language)
    tomorrow = (timezone.now().astimezone(salon.tz) + dt.timedelta(days=1)).date()

    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    login_in_browser(page, base, loser)
    page.goto(f"{base}/grooming/{salon.slug}/book/?service={cat.pk}&date={tomorrow.isoformat()}")
    wanted = page.locator("input[name=slot]").nth(4)  # 10:00 tomorrow
    value = wanted.get_attribute("value")

    # While the loser fills in the form, someone else books that very time.
    services.booking_create(
        member=winner, service=cat, starts_at=dt.datetime.fromisoformat(value), pet_name="Kopi",
        pet_species="cat",
    )  # fmt: skip
    wanted.check()
    page.fill("input[name=pet_name]", "Mochi")
    page.fill("textarea[name=notes]", "Takut air")
    page.click("#booking-form button[type=submit]")
    page.wait_for_load_state()

    body = page.locator("main").inner_text()
    assert taken_message in body
    assert "bukan salah satu" not in body and "is not one of" not in body and value not in body
    nearest = page.locator("[data-nearest-slots] label")
    assert nearest_heading in page.locator("[data-nearest-slots]").inner_text()
    assert nearest.count() == 3
    assert nearest.first.is_visible()
    assert page.input_value("input[name=pet_name]") == "Mochi"  # nothing typed is lost
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # 10:00-11:00 is taken (one seat, 60 min): the nearest free starts are 08:30, 09:00 and 11:00.
    assert [label.inner_text() for label in nearest.all()] == nearest_times
    nearest.first.click()  # one tap picks that time
    picked = page.locator("input[name=slot]:checked").get_attribute("value")
    assert picked != value
    page.click("#booking-form button[type=submit]")
    page.wait_for_load_state()
    booking = Booking.objects.get(member=loser)
    assert booking.starts_at == dt.datetime.fromisoformat(picked)
    assert booking.notes == "Takut air"
    context.close()
