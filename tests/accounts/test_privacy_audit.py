"""Issue 13.17 (UU PDP): who of the staff opened which KTP scan / licence document, and the KTP scan's
retention: deleted N days after approval, the verified status and a masked NIK kept, the member told."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts import services
from accounts.models import IdentityVerification, PrivateDocumentAccess
from tests.factories import IdentityVerificationFactory, UserFactory, VetLicenceFactory

pytestmark = pytest.mark.django_db


def test_staff_opening_a_ktp_scan_or_licence_is_recorded(client_for, staff, unverified_member):
    verification = IdentityVerificationFactory(user=unverified_member)
    licence = VetLicenceFactory()
    client = client_for(staff)
    assert client.get(f"/accounts/verification/{verification.pk}/scan/").status_code == 200
    assert client.get(f"/accounts/vet-licence/{licence.pk}/document/").status_code == 200
    kinds = list(
        PrivateDocumentAccess.objects.order_by("pk").values_list("staff", "subject", "kind", "object_id")
    )
    assert kinds == [
        (staff.pk, unverified_member.pk, "ktp_scan", verification.pk),
        (staff.pk, licence.user_id, "licence", licence.pk),
    ]
    # The member looking at their own scan is not "processing by staff".
    assert (
        client_for(unverified_member).get(f"/accounts/verification/{verification.pk}/scan/").status_code
        == 200
    )
    assert PrivateDocumentAccess.objects.count() == 2


def test_the_audit_trail_is_for_superusers_and_read_only(client_for, staff, unverified_member):
    verification = IdentityVerificationFactory(user=unverified_member)
    client_for(staff).get(f"/accounts/verification/{verification.pk}/scan/")
    entry = PrivateDocumentAccess.objects.get()
    superuser = client_for(staff)  # the staff persona is a superuser
    assert superuser.get("/admin/accounts/privatedocumentaccess/").status_code == 200
    page = superuser.get(f"/admin/accounts/privatedocumentaccess/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert superuser.post(f"/admin/accounts/privatedocumentaccess/{entry.pk}/delete/").status_code == 403
    plain_staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    plain_staff.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    assert client_for(plain_staff).get("/admin/accounts/privatedocumentaccess/").status_code == 403


def test_ktp_scan_is_deleted_after_the_retention_keeping_status_and_masked_nik(
    unverified_member, staff, settings, django_capture_on_commit_callbacks
):
    settings.KTP_SCAN_RETENTION_DAYS = 30
    verification = IdentityVerificationFactory(user=unverified_member, nik="3273014506900001")
    services.verification_approve(verification, by=staff)
    verification.refresh_from_db()
    storage, name = verification.scan.storage, verification.scan.name
    assert storage.exists(name)
    approved = verification.decided_at

    assert services.ktp_scans_purge(now=approved + datetime.timedelta(days=29)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        IdentityVerification.objects.filter(pk=verification.pk).update(
            decided_at=timezone.now() - datetime.timedelta(days=31)
        )
        call_command("accounts_purge_ktp", stdout=out)
    assert "KTP scans deleted: 1" in out.getvalue()
    verification.refresh_from_db()
    assert not verification.scan and verification.scan_deleted_at is not None
    assert verification.nik == "327301******0001" and verification.masked_nik == "327301******0001"
    assert not storage.exists(name)
    unverified_member.refresh_from_db()
    assert type(unverified_member).objects.get(pk=unverified_member.pk).is_identity_verified
    assert unverified_member.notifications.filter(kind="accounts.ktp_scan_deleted").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [unverified_member.email]
    # Idempotent, and the scan's URL is now a 404 for everyone.
    assert services.ktp_scans_purge() == 0


def test_member_page_says_the_scan_was_deleted(client_for, unverified_member, staff):
    verification = IdentityVerificationFactory(user=unverified_member)
    services.verification_approve(verification, by=staff)
    IdentityVerification.objects.filter(pk=verification.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=31)
    )
    services.ktp_scans_purge()
    client = client_for(unverified_member)
    page = client.get("/accounts/verification/").content.decode()
    assert f"/accounts/verification/{verification.pk}/scan/" not in page
    assert client.get(f"/accounts/verification/{verification.pk}/scan/").status_code == 404
