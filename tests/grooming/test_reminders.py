"""Visit reminders 24 h and 2 h before a confirmed booking: once each, in the member's language and
time zone."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Regency
from grooming import services, tasks
from grooming.models import Booking
from notifications.models import Notification
from tests.grooming.factories import BookingFactory

pytestmark = pytest.mark.django_db


def confirmed(cat_bath, member, starts_at):
    return BookingFactory(
        service=cat_bath, member=member, status=Booking.Status.CONFIRMED, starts_at=starts_at
    )


def reminders(member):
    return list(
        Notification.objects.filter(recipient=member, kind="grooming.booking_reminder").order_by("pk")
    )


def test_reminders_go_24_h_and_2_h_before_and_only_once(cat_bath, owner, django_capture_on_commit_callbacks):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    booking = confirmed(cat_bath, owner, start)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_visit_reminders(now=start - dt.timedelta(hours=30)) == 0  # too early
        assert services.send_visit_reminders(now=start - dt.timedelta(hours=24)) == 1
        assert services.send_visit_reminders(now=start - dt.timedelta(hours=23)) == 0  # sent already
        assert services.send_visit_reminders(now=start - dt.timedelta(hours=2)) == 1
        assert services.send_visit_reminders(now=start - dt.timedelta(hours=1)) == 0
        assert services.send_visit_reminders(now=start + dt.timedelta(minutes=1)) == 0
    assert len(reminders(owner)) == 2
    assert len([m for m in mail.outbox if m.to == [owner.email]]) == 2
    booking.refresh_from_db()
    assert booking.reminded_24h_at and booking.reminded_2h_at


def test_a_visit_confirmed_late_gets_only_the_2_hour_reminder(cat_bath, owner):
    start = timezone.now() + dt.timedelta(minutes=90)
    confirmed(cat_bath, owner, start)
    assert services.send_visit_reminders() == 1
    assert services.send_visit_reminders() == 0
    assert len(reminders(owner)) == 1


def test_cancelled_or_requested_visits_get_no_reminder(cat_bath, owner):
    start = timezone.now() + dt.timedelta(hours=1)
    BookingFactory(service=cat_bath, member=owner, status=Booking.Status.CANCELLED, starts_at=start)
    BookingFactory(
        service=cat_bath,
        member=owner,
        status=Booking.Status.REQUESTED,
        starts_at=start + dt.timedelta(hours=2),
    )
    assert services.send_visit_reminders() == 0


def test_reminder_is_in_the_members_language_and_time_zone(cat_bath, owner):
    # The salon is in WIB; the member lives in Makassar (WITA, one hour ahead) and reads English.
    owner.city = Regency.objects.filter(province__timezone="Asia/Makassar").first()
    owner.language = "en"
    owner.save()
    start = dt.datetime(2031, 5, 6, 3, 0, tzinfo=dt.UTC)  # 10:00 WIB = 11:00 WITA
    confirmed(cat_bath, owner, start)
    services.send_visit_reminders(now=start - dt.timedelta(hours=20))
    [reminder] = reminders(owner)
    assert "Reminder: Mandi kucing for Mochi" in reminder.body
    assert "11:00 am WITA" in reminder.body  # the zone inside the sentence, English clock
    assert "10:00" not in reminder.body


def test_reminder_in_indonesian_by_default(cat_bath, owner):
    start = dt.datetime(2031, 5, 6, 3, 0, tzinfo=dt.UTC)
    confirmed(cat_bath, owner, start)
    services.send_visit_reminders(now=start - dt.timedelta(hours=1))
    [reminder] = reminders(owner)
    assert reminder.title.startswith("Hari ini pukul 10.00 WIB")


def test_the_minute_task_releases_holds_and_reminds(cat_bath, owner):
    confirmed(cat_bath, owner, timezone.now() + dt.timedelta(hours=1))
    ran = tasks.grooming_every_minute.call_local()
    assert ran == {"released": 0, "reminded": 1, "home_addresses_erased": 0}
