"""Follow-up reports after adoption, due/overdue state, the adoption_reminders command."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from adoption import services
from adoption.models import Application, FollowUpReport
from notifications.models import Notification
from tests import factories as base
from tests.adoption.factories import ApplicationFactory, PetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted(lister, owner):
    pet = PetFactory(lister=lister, status="adopted")
    return ApplicationFactory(
        pet=pet,
        adopter=owner,
        status=Application.Status.ADOPTED,
        adopted_at=timezone.now(),
        next_report_due=timezone.localdate() + datetime.timedelta(days=30),
    )


def report_form(**overrides):
    data = {
        "report_date": timezone.localdate().isoformat(),
        "photo": base.image_file("r.jpg"),
        "caption": "Sudah akrab dengan anak-anak",
        "condition": "healthy",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_adopter_submits_a_report_and_the_lister_sees_it(
    client_for, adopted, lister, django_capture_on_commit_callbacks
):
    client = client_for(adopted.adopter)
    page = client.get(f"/adoption/applications/{adopted.pk}/report/")
    assert page.status_code == 200
    assert f'name="report_date" value="{timezone.localdate().isoformat()}"' in page.content.decode()  # today
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/adoption/applications/{adopted.pk}/report/", report_form())
    assert response.status_code == 302
    report = FollowUpReport.objects.get()
    adopted.refresh_from_db()
    assert adopted.next_report_due == timezone.localdate() + datetime.timedelta(days=30)
    assert adopted.events.filter(kind="report").exists()
    assert Notification.objects.filter(recipient=lister, kind="adoption.report_submitted").exists()
    assert "Sudah akrab dengan anak-anak" in client_for(lister).get("/adoption/listings/").content.decode()
    assert report.photo.url in client.get("/adoption/applications/").content.decode()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"photo": None}, "photo"),
        ({"caption": ""}, "caption"),
        ({"condition": "zombie"}, "condition"),
        ({"report_date": "2999-01-01"}, "report_date"),
    ],
)
def test_invalid_report_is_refused(client_for, adopted, overrides, field):
    response = client_for(adopted.adopter).post(
        f"/adoption/applications/{adopted.pk}/report/", report_form(**overrides)
    )
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not FollowUpReport.objects.exists()


def test_only_the_adopter_of_an_adopted_pet_reports(client_for, adopted, lister, other_member, application):
    assert client_for(other_member).get(f"/adoption/applications/{adopted.pk}/report/").status_code == 404
    assert client_for(lister).get(f"/adoption/applications/{adopted.pk}/report/").status_code == 404
    # An application not adopted yet: no report.
    response = client_for(application.adopter).get(f"/adoption/applications/{application.pk}/report/")
    assert response.status_code == 302


def test_due_and_overdue_states(adopted):
    today = timezone.localdate()
    adopted.next_report_due = today + datetime.timedelta(days=20)
    assert adopted.report_state == "ok"
    adopted.next_report_due = today + datetime.timedelta(days=3)
    assert adopted.report_state == "due"
    adopted.next_report_due = today - datetime.timedelta(days=1)
    assert adopted.report_state == "overdue"


def test_overdue_is_visible_to_adopter_lister_and_staff(client_for, adopted, lister, staff):
    adopted.next_report_due = timezone.localdate() - datetime.timedelta(days=2)
    adopted.save()
    for user in [adopted.adopter, lister]:
        url = "/adoption/applications/" if user == adopted.adopter else "/adoption/listings/"
        assert "status-expired" in client_for(user).get(url).content.decode()
    page = client_for(staff).get("/admin/adoption/application/?report=overdue")
    assert adopted.code in page.content.decode()
    page = client_for(staff).get("/admin/adoption/application/?report=due")
    assert adopted.code not in page.content.decode()


def test_reminder_command_notifies_due_adopters_once(adopted, django_capture_on_commit_callbacks):
    adopted.next_report_due = timezone.localdate() + datetime.timedelta(days=2)
    adopted.save()
    not_due = ApplicationFactory(
        status="adopted", next_report_due=timezone.localdate() + datetime.timedelta(days=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("adoption_reminders")
        call_command("adoption_reminders")
    assert Notification.objects.filter(kind="adoption.report_due", recipient=adopted.adopter).count() == 1
    assert not Notification.objects.filter(recipient=not_due.adopter).exists()
    # A new due date (after the next report), already passed: the overdue notices (adopter + lister).
    adopted.refresh_from_db()
    adopted.next_report_due = timezone.localdate() - datetime.timedelta(days=1)
    adopted.save()
    assert services.send_report_reminders() == 2


def test_report_date_before_adoption_is_refused(adopted):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.report_submit(
            application=adopted,
            by=adopted.adopter,
            report_date=timezone.localdate() - datetime.timedelta(days=90),
            photo=base.image_file(),
            caption="x",
            condition="healthy",
        )
