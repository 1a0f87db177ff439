import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts import services
from accounts.models import IdentityVerification, VerificationStatus, VetLicence
from tests.factories import IdentityVerificationFactory, UserFactory, VetLicenceFactory, image_bytes

pytestmark = pytest.mark.django_db
VALID_NIK = "3273014506900001"


def upload(content: bytes, name="ktp.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def form_data(**overrides):
    data = {"nik": VALID_NIK, "name_on_ktp": "Dewi Anggraini", "consent": "on", "scan": upload(image_bytes())}
    data.update(overrides)
    return data


def test_member_submits_ktp_with_consent_and_sees_pending(client_for, unverified_member):
    c = client_for(unverified_member)
    response = c.post("/accounts/verification/", form_data())
    assert response.status_code == 302
    verification = IdentityVerification.objects.get(user=unverified_member)
    assert verification.status == VerificationStatus.PENDING
    assert (
        verification.consent_at is not None
        and verification.consent_policy_version == services.PRIVACY_POLICY_VERSION
    )
    assert verification.scan.storage is not None and verification.scan.name.startswith(
        f"ktp/{unverified_member.pk}/"
    )
    page = c.get("/accounts/verification/").content.decode()
    assert "327301******0001" in page
    assert not unverified_member.is_identity_verified


def test_scan_is_stored_privately_reencoded_and_stripped_of_exif(client_for, unverified_member, settings):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (6.0, 54.0, 0.0)}  # GPS latitude
    raw = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 200, 30)).save(raw, format="JPEG", exif=exif)
    client_for(unverified_member).post(
        "/accounts/verification/", form_data(scan=upload(raw.getvalue(), name="x.png"))
    )
    verification = IdentityVerification.objects.get()
    path = verification.scan.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with Image.open(path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()


@pytest.mark.parametrize(
    "scan, expected",
    [
        (upload(b"%PDF-1.4 not an image", name="ktp.jpg"), "bukan gambar yang valid"),
        (upload(b"just text pretending", name="ktp.jpg"), "bukan gambar yang valid"),
        (upload(image_bytes()[:200], name="ktp.jpg"), "bukan gambar yang valid"),
        (upload(image_bytes("GIF"), name="ktp.jpg", content_type="image/gif"), "JPEG, PNG, atau WebP"),
    ],
    ids=["pdf-named-jpg", "text", "truncated-jpeg", "gif"],
)
def test_bad_uploads_are_clear_form_errors(client_for, unverified_member, scan, expected, settings):
    settings.LANGUAGE_CODE = "en"
    response = client_for(unverified_member).post(
        "/accounts/verification/", form_data(scan=scan), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400  # a refused upload is a 400 (issue 13.16)
    assert expected in " ".join(response.context["form"].errors["scan"])
    assert not IdentityVerification.objects.exists()
    assert 'value="Dewi Anggraini"' in response.content.decode()  # typed fields kept


def test_upload_errors_are_in_english_for_english_readers(client_for, unverified_member):
    # A member's language is their profile's (the ID/EN switch saves it there; issue 15.6).
    unverified_member.language = "en"
    unverified_member.save(update_fields=["language"])
    c = client_for(unverified_member)
    response = c.post("/accounts/verification/", form_data(scan=upload(b"just text", name="ktp.jpg")))
    assert response.status_code == 400  # a refused upload is a 400 (issue 13.16)
    assert "not a valid image" in " ".join(response.context["form"].errors["scan"])


def test_oversize_upload_is_refused(client_for, unverified_member, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    response = client_for(unverified_member).post(
        "/accounts/verification/", form_data(scan=upload(image_bytes(size=(400, 400))))
    )
    assert response.status_code == 400  # a refused upload is a 400 (issue 13.16)
    assert "terlalu besar" in " ".join(response.context["form"].errors["scan"])  # "too large"


@pytest.mark.parametrize("nik", ["123", "9973014506900001", "3273013206900001", "3273014506900000"])
def test_bad_nik_is_a_form_error(client_for, unverified_member, nik):
    response = client_for(unverified_member).post("/accounts/verification/", form_data(nik=nik))
    assert response.status_code == 400  # a refused upload is a 400 (issue 13.16)
    assert "nik" in response.context["form"].errors
    assert not IdentityVerification.objects.exists()


def test_missing_consent_is_refused(client_for, unverified_member):
    data = form_data()
    del data["consent"]
    response = client_for(unverified_member).post("/accounts/verification/", data)
    assert response.status_code == 400  # a refused upload is a 400 (issue 13.16)
    assert "consent" in response.context["form"].errors


def test_second_submission_while_pending_is_refused_without_losing_the_first(client_for, unverified_member):
    c = client_for(unverified_member)
    c.post("/accounts/verification/", form_data())
    response = c.post("/accounts/verification/", form_data(nik="3273010506900002"), follow=True)
    assert response.status_code == 200
    assert IdentityVerification.objects.get().nik == VALID_NIK


def test_ktp_scan_is_served_to_owner_and_staff_only(
    client, client_for, unverified_member, other_member, staff
):
    verification = IdentityVerificationFactory(user=unverified_member)
    url = f"/accounts/verification/{verification.pk}/scan/"
    assert client.get(url).status_code == 404  # anonymous
    assert client_for(other_member).get(url).status_code == 404
    for who in (unverified_member, staff):
        response = client_for(who).get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    with pytest.raises(ValueError):
        verification.scan.url  # noqa: B018  (private files have no URL at all)


def test_private_storage_has_no_public_url(settings):
    from common.uploads import private_storage

    with pytest.raises(ValueError):
        private_storage().url("ktp/1/x.jpg")
    assert str(private_storage().location).startswith(str(settings.PRIVATE_MEDIA_ROOT))


def test_staff_approval_verifies_the_member_and_emails_them(
    staff, unverified_member, django_capture_on_commit_callbacks
):
    verification = IdentityVerificationFactory(user=unverified_member)
    with django_capture_on_commit_callbacks(execute=True):
        services.verification_approve(verification, by=staff)
    verification.refresh_from_db()
    assert verification.status == VerificationStatus.APPROVED and verification.decided_by == staff
    unverified_member.refresh_from_db()
    assert unverified_member.is_identity_verified
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [unverified_member.email]
    assert unverified_member.notifications.count() == 1


def test_rejection_needs_a_reason_that_reaches_the_member_who_may_resubmit(
    client_for, staff, unverified_member, django_capture_on_commit_callbacks
):
    verification = IdentityVerificationFactory(user=unverified_member)
    with pytest.raises(Exception):
        services.verification_reject(verification, by=staff, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.verification_reject(verification, by=staff, reason="Foto KTP buram")
    assert "Foto KTP buram" in mail.outbox[0].body
    c = client_for(unverified_member)
    assert "Foto KTP buram" in c.get("/accounts/verification/").content.decode()
    assert c.post("/accounts/verification/", form_data()).status_code == 302
    assert IdentityVerification.objects.filter(user=unverified_member).count() == 2


def test_deciding_twice_changes_nothing(staff, unverified_member):
    verification = IdentityVerificationFactory(user=unverified_member)
    services.verification_approve(verification, by=staff)
    services.verification_reject(verification, by=staff, reason="late click")
    verification.refresh_from_db()
    assert verification.status == VerificationStatus.APPROVED


def test_member_deletes_their_verification_and_the_file_goes(
    client_for, unverified_member, django_capture_on_commit_callbacks
):
    verification = IdentityVerificationFactory(user=unverified_member)
    storage, name = verification.scan.storage, verification.scan.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(unverified_member).post(f"/accounts/verification/{verification.pk}/delete/")
    assert response.status_code == 302
    assert not IdentityVerification.objects.exists()
    assert not storage.exists(name)


def test_another_member_cannot_delete_my_verification(client_for, unverified_member, other_member):
    verification = IdentityVerificationFactory(user=unverified_member)
    assert (
        client_for(other_member).post(f"/accounts/verification/{verification.pk}/delete/").status_code == 404
    )
    assert IdentityVerification.objects.filter(pk=verification.pk).exists()


def test_vet_registers_licence_with_a_pdf_and_staff_see_the_document(client_for, staff):
    vet_user = UserFactory(is_vet=True)
    c = client_for(vet_user)
    response = c.post(
        "/accounts/vet-licence/",
        {
            "strv_number": "01.1.07.1234/PDHI/2024",
            "sip_number": "503/77/SIP-DH/2025",
            "document": upload(
                b"%PDF-1.7\n% real enough header\n", name="strv.pdf", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    licence = VetLicence.objects.get(user=vet_user)
    assert licence.document.name.endswith(".pdf")
    assert not vet_user.is_licence_verified
    assert client_for(staff).get(f"/accounts/vet-licence/{licence.pk}/document/").status_code == 200
    assert client_for(UserFactory()).get(f"/accounts/vet-licence/{licence.pk}/document/").status_code == 404


def test_admin_bulk_reject_asks_for_a_reason_then_rejects(
    client_for, staff, django_capture_on_commit_callbacks
):
    pending = [IdentityVerificationFactory() for _ in range(2)]
    c = client_for(staff)
    ids = [str(v.pk) for v in pending]
    url = "/admin/accounts/identityverification/"
    response = c.post(url, {"action": "reject_selected", "_selected_action": ids})
    assert response.status_code == 200 and b"reason" in response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            url, {"action": "reject_selected", "_selected_action": ids, "reason": "Nama tidak cocok"}
        )
    assert response.status_code == 302
    assert set(IdentityVerification.objects.values_list("status", flat=True)) == {"rejected"}
    assert len(mail.outbox) == 2


def test_admin_bulk_approve(client_for, staff):
    pending = [VetLicenceFactory() for _ in range(3)]
    response = client_for(staff).post(
        "/admin/accounts/vetlicence/",
        {"action": "approve_selected", "_selected_action": [v.pk for v in pending]},
    )
    assert response.status_code == 302
    assert VetLicence.objects.filter(status="approved").count() == 3


def test_admin_pages_are_refused_to_members(client_for, owner):
    response = client_for(owner).get("/admin/accounts/identityverification/")
    assert response.status_code == 302 and "/admin/login/" in response.url
