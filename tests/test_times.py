"""Item 5 of issue 15: every time is shown in the viewer's zone (their city's WIB/WITA/WIT; visitors WIB)
with the zone's name, in one format per language: Indonesian "13.20", English "1:20 pm"."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from common import timefmt
from notifications.models import Notification
from notifications.services import notify
from tests import factories

UTC_0620 = dt.datetime(2026, 12, 3, 6, 20, tzinfo=dt.UTC)  # 13.20 WIB, 14.20 WITA, 15.20 WIT


@pytest.mark.parametrize(
    "language, zone, expected",
    [("id", "Asia/Jakarta", "13.20 WIB"), ("id", "Asia/Makassar", "14.20 WITA"),
     ("id", "Asia/Jayapura", "15.20 WIT"), ("en", "Asia/Jakarta", "1:20 pm WIB"),
     ("en", "Asia/Jayapura", "3:20 pm WIT")],
)  # fmt: skip
def test_one_time_format_per_language_with_the_zone(language, zone, expected):
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        assert timefmt.format_time(UTC_0620) == expected
        assert Template("{{ t|local_time }}").render(Context({"t": UTC_0620})) == expected


def test_midnight_and_noon_in_english_and_indonesian():
    midnight = dt.datetime(2026, 12, 3, 17, 5, tzinfo=dt.UTC)  # 00.05 WIB next day
    with timezone.override(ZoneInfo("Asia/Jakarta")):
        with translation.override("en"):
            assert timefmt.format_time(midnight) == "12:05 am WIB"
            assert timefmt.format_time(midnight - dt.timedelta(hours=12)) == "12:05 pm WIB"
            assert timefmt.format_datetime(midnight) == "4 Dec 2026, 12:05 am WIB"
        with translation.override("id"):
            assert timefmt.format_time(midnight) == "00.05 WIB"
            assert timefmt.format_datetime(midnight) == "4 Des 2026 00.05 WIB"


@pytest.mark.parametrize("language, expected", [("en", "3 May 2027"), ("id", "3 Mei 2027")])
def test_a_date_reads_as_the_date_of_a_time_in_each_language(language, expected):
    template = Template("{{ day|local_date }}|{{ moment|local_datetime }}")
    moment = dt.datetime(2027, 5, 3, 3, 0, tzinfo=dt.UTC)  # 10:00 in Jakarta
    with translation.override(language), timezone.override(ZoneInfo("Asia/Jakarta")):
        day, when = template.render(Context({"day": dt.date(2027, 5, 3), "moment": moment})).split("|")
    assert day == expected and when.startswith(expected)


def test_a_place_zone_wins_for_appointments_there():
    with translation.override("id"), timezone.override(ZoneInfo("Asia/Jakarta")):
        rendered = Template("{{ t|local_datetime:zone }}").render(
            Context({"t": UTC_0620, "zone": "Asia/Makassar"})
        )
    assert rendered == "3 Des 2026 14.20 WITA"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "city, language, expected",
    [("51.71", "id", "14.20 WITA"), ("91.71", "id", "15.20 WIT"), ("32.73", "id", "13.20 WIB"),
     ("51.71", "en", "2:20 pm WITA"), (None, "id", "13.20 WIB")],
)  # fmt: skip
def test_members_see_times_in_the_zone_of_their_city(client_for, city, language, expected):
    member = factories.UserFactory(city=factories.regency(city) if city else None, language=language)
    notify(member, kind="accounts.identity_approved", context={"verification": None}, email=False)
    Notification.objects.update(created_at=UTC_0620)
    html = client_for(member).get("/notifications/").content.decode()
    assert expected in html
    # Not the other language's clock (the ISO timestamps in datetime="..." aside).
    assert ("13:20 " if language == "id" else ".20 W") not in html


@pytest.mark.django_db
def test_a_member_who_moves_city_sees_the_new_zone(client_for):
    member = factories.UserFactory(city=factories.regency("32.73"))
    notify(member, kind="accounts.identity_approved", context={"verification": None}, email=False)
    Notification.objects.update(created_at=UTC_0620)
    client = client_for(member)
    assert "13.20 WIB" in client.get("/notifications/").content.decode()
    member.city = factories.regency("51.71")
    member.save(update_fields=["city"])
    assert "14.20 WITA" in client.get("/notifications/").content.decode()


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("+6281220001111", "+62 812-2000-1111"),  # a mobile
        ("+62227654321", "+62 22 7654321"),  # a Bandung landline
        ("+1 555 123", "+1 555 123"),  # not a valid number: as typed
        ("", ""),
    ],
)
def test_phone_numbers_are_grouped_for_reading(stored, shown):
    assert Template("{{ number|phone }}").render(Context({"number": stored})) == shown
