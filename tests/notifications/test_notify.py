import pytest
from django.core import mail

from accounts import services as account_services
from accounts.models import VerificationStatus
from notifications.models import Notification
from notifications.services import notify, render_notification
from tests import factories

pytestmark = pytest.mark.django_db


def _rejected_verification(user, reason="The photo is blurred"):
    return factories.IdentityVerificationFactory.build(
        user=user, status=VerificationStatus.REJECTED, rejection_reason=reason
    )


def test_notify_records_in_app_copy_and_emails_after_commit(owner, django_capture_on_commit_callbacks):
    owner.language = "en"
    owner.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(
            owner,
            kind="accounts.identity_rejected",
            context={"verification": _rejected_verification(owner)},
            url="/accounts/verification/",
        )
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert notification.title == "Your identity verification was not approved"
    assert "Reason: The photo is blurred" in notification.body
    assert Notification.objects.filter(recipient=owner, read_at__isnull=True).count() == 1

    [message] = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "Your identity verification was not approved"
    assert "Reason: The photo is blurred" in message.body
    assert "http://" in message.body and "/accounts/verification/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    # The accounts emails use the shared HTML layout.
    assert "<!doctype html>" in html.lower()
    assert "HELLOPET!" in html and "Hello Budi," in html
    assert "Reason: The photo is blurred" in html
    assert 'href="http://' in html and '/accounts/verification/"' in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_email_is_rendered_in_the_recipients_language(owner, other_member):
    owner.language = "en"
    other_member.language = "id"
    subject_en, text_en, html_en = render_notification(
        owner, kind="accounts.identity_rejected", context={"verification": _rejected_verification(owner)}
    )
    subject_id, text_id, html_id = render_notification(
        other_member,
        kind="accounts.identity_rejected",
        context={"verification": _rejected_verification(other_member)},
    )
    assert subject_en == "Your identity verification was not approved"
    assert 'lang="en"' in html_en
    assert 'lang="id"' in html_id  # the language switch happened for the Indonesian recipient
    assert subject_id == "Verifikasi identitas Anda tidak disetujui"
    assert "Alasan:" in text_id and "Alasan:" in html_id


def test_unknown_language_falls_back_to_the_default(owner):
    owner.language = "xx"
    _subject, _text, html = render_notification(
        owner, kind="accounts.identity_rejected", context={"verification": _rejected_verification(owner)}
    )
    assert 'lang="id"' in html


def test_reject_from_accounts_service_reaches_the_member(owner, staff, django_capture_on_commit_callbacks):
    verification = factories.IdentityVerificationFactory(user=factories.UserFactory(language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        account_services.verification_reject(verification, by=staff, reason="NIK does not match")
    [message] = mail.outbox
    assert "NIK does not match" in message.body
    assert Notification.objects.get(recipient=verification.user).kind == "accounts.identity_rejected"


def test_mail_outage_keeps_the_in_app_notification(owner, monkeypatch, django_capture_on_commit_callbacks):
    def boom(self, *args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            owner,
            kind="accounts.identity_approved",
            context={"verification": None},
            url="/accounts/verification/",
        )
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_inactive_or_emailless_recipient_gets_no_email(owner, django_capture_on_commit_callbacks):
    owner.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        notify(owner, kind="accounts.identity_approved", context={"verification": None})
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_kind_without_html_template_falls_back_to_text_in_layout(owner, tmp_path, settings):
    folder = tmp_path / "notifications" / "test.plain"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("Plain subject")
    (folder / "body.txt").write_text("Line one\nLine <two>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    subject, text, html = render_notification(owner, kind="test.plain")
    assert subject == "Plain subject"
    assert "Line one<br>Line &lt;two&gt;" in html


def test_in_app_text_drops_the_trailing_link(owner, settings):
    owner.language = "en"
    notification = notify(
        owner,
        kind="accounts.identity_approved",
        context={"verification": None},
        url="/accounts/verification/",
    )
    assert notification.body.startswith("Your identity verification was approved")
    assert settings.SITE_URL not in notification.body
    assert notification.url == "/accounts/verification/"
