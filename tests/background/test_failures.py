"""A task whose retries are exhausted is recorded for staff, with its error, and can be retried from
the admin."""

import pytest
from django.core import mail

from background.models import TaskFailure
from notifications.models import OutgoingEmail
from notifications.services import queue_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    return monkeypatch


def test_an_email_that_never_gets_through_is_recorded_and_retried_from_admin(
    smtp_down, task_queue, client_for, staff, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(to="budi@example.test", subject="Halo", text="Tes")
    assert task_queue.run_scheduled() == settings.TASK_RETRIES  # every retry, with back-off, failed too

    email.refresh_from_db()
    assert email.state == OutgoingEmail.State.FAILED and email.attempts == settings.TASK_RETRIES + 1
    assert "Connection refused" in email.last_error
    failure = TaskFailure.objects.get()
    assert failure.task_name == "send_email" and "Connection refused" in failure.error
    assert "ConnectionRefusedError" in failure.traceback

    admin = client_for(staff)
    page = admin.get("/admin/background/taskfailure/")
    assert "send_email" in page.content.decode() and "Connection refused" in page.content.decode()

    smtp_down.undo()  # the mail server is back
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/background/taskfailure/",
            {"action": "retry_selected", "_selected_action": [failure.pk]},
            follow=True,
        )
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.state == OutgoingEmail.State.SENT
    assert [m.subject for m in mail.outbox] == ["Halo"]
    failure.refresh_from_db()
    assert failure.retried_at and failure.retried_by == staff
    # A second retry of the same record does nothing (it was enqueued once already).
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            "/admin/background/taskfailure/", {"action": "retry_selected", "_selected_action": [failure.pk]}
        )
    assert len(mail.outbox) == 1


def test_failed_tasks_are_for_staff_only(client_for, owner):
    assert client_for(owner).get("/admin/background/taskfailure/").status_code == 302
