"""Follow-up report reminders from the daily 09:00 WIB task: "due in 3 days" and "overdue" to the
adopter, "overdue" to the lister — each once per due date."""

import datetime

import pytest
from django.core import mail

from adoption import services, tasks
from adoption.models import Application
from background.queue import daily_at
from notifications.models import Notification
from tests.adoption.factories import ApplicationFactory, PetFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2031, 3, 10)


@pytest.fixture
def adopted(lister, owner):
    return ApplicationFactory(
        pet=PetFactory(lister=lister, status="adopted", name="Mochi"),
        adopter=owner,
        status=Application.Status.ADOPTED,
        next_report_due=TODAY + datetime.timedelta(days=3),
    )


def kinds(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_due_in_three_days_then_overdue_each_once(adopted, owner, lister, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_report_reminders(today=TODAY - datetime.timedelta(days=1)) == 0  # 4 days ahead
        assert services.send_report_reminders(today=TODAY) == 1
        assert services.send_report_reminders(today=TODAY + datetime.timedelta(days=1)) == 0
        assert services.send_report_reminders(today=TODAY + datetime.timedelta(days=3)) == 0  # due today
        assert services.send_report_reminders(today=TODAY + datetime.timedelta(days=4)) == 2  # overdue
        assert services.send_report_reminders(today=TODAY + datetime.timedelta(days=5)) == 0
    assert kinds(owner) == ["adoption.report_due", "adoption.report_overdue"]
    assert kinds(lister) == ["adoption.report_overdue_lister"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, owner.email, lister.email])
    overdue = Notification.objects.get(kind="adoption.report_overdue")
    assert overdue.title == "Laporan tentang Mochi terlambat"


def test_a_due_date_first_seen_overdue_gets_only_the_overdue_notices(adopted, owner, lister):
    assert services.send_report_reminders(today=TODAY + datetime.timedelta(days=10)) == 2
    assert kinds(owner) == ["adoption.report_overdue"]
    assert kinds(lister) == ["adoption.report_overdue_lister"]


def test_the_daily_task_runs_at_nine_in_jakarta():
    at_nine = daily_at(9, 0, "Asia/Jakarta")
    assert at_nine(datetime.datetime(2031, 3, 10, 2, 0))  # 02:00 UTC (naive, as Huey passes it) = 09:00 WIB
    assert not at_nine(datetime.datetime(2031, 3, 10, 9, 0))
    assert not at_nine(datetime.datetime(2031, 3, 10, 2, 1))
    assert tasks.report_reminders_daily.task_class().validate_datetime(datetime.datetime(2031, 3, 10, 2, 0))
