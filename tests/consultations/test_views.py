"""Pages and forms: opening a consultation, the vet dashboard, the actions and their errors."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultations.models import Consultation, VetProfile
from payments.models import Payment
from payments.services import payment_pay_url
from tests import factories

pytestmark = pytest.mark.django_db
Status = Consultation.Status


def photo_upload(name="luka.jpg", **kwargs):
    return SimpleUploadedFile(name, factories.image_bytes(**kwargs), content_type="image/jpeg")


def form_data(**extra):
    """A booking for a pet added inline ("another pet"): it becomes one of the owner's pets."""
    from pets.models import Species

    data = {
        "pet": "new",
        "new_name": "Mochi",
        "new_species": Species.objects.get(slug="cat").pk,
        "age_estimate_months": 24,
        "complaint": "Tidak mau makan sejak kemarin.",
    }
    data.update(extra)
    return data


# --- opening --------------------------------------------------------------------------------------------
def test_opening_sends_the_owner_to_pay(client_for, owner, vet_profile):
    response = client_for(owner).post(
        f"/vets/{vet_profile.user_id}/consult/", form_data(photos=[photo_upload(), photo_upload("b.jpg")])
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == payment_pay_url(consultation.payment)
    assert consultation.photos.count() == 2
    assert consultation.payment.status == Payment.Status.PENDING


def test_an_invalid_form_keeps_what_was_typed(client_for, owner, vet_profile):
    response = client_for(owner).post(
        f"/vets/{vet_profile.user_id}/consult/", form_data(new_name="", age_estimate_months="")
    )
    assert response.status_code == 400
    assert "Tidak mau makan sejak kemarin." in response.content.decode()
    assert not Consultation.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(client_for, owner, vet_profile):
    fake = SimpleUploadedFile("luka.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client_for(owner).post(f"/vets/{vet_profile.user_id}/consult/", form_data(photos=[fake]))
    assert response.status_code == 400
    assert response.context["form"].errors["photos"]
    assert not Consultation.objects.exists()


def test_more_than_three_photos_are_refused(client_for, owner, vet_profile):
    photos = [photo_upload(f"{i}.jpg") for i in range(4)]
    response = client_for(owner).post(f"/vets/{vet_profile.user_id}/consult/", form_data(photos=photos))
    assert response.status_code == 400
    assert not Consultation.objects.exists()


def test_opening_a_second_one_with_the_same_vet_is_a_clear_error(client_for, owner, make_consultation):
    existing = make_consultation(Status.WAITING)
    response = client_for(owner).post(f"/vets/{existing.vet_id}/consult/", form_data())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert Consultation.objects.count() == 1


def test_the_form_of_a_vet_with_one_under_way_links_to_it_instead(client_for, owner, make_consultation):
    existing = make_consultation(Status.AWAITING_PAYMENT)
    client = client_for(owner)
    html = client.get(f"/vets/{existing.vet_id}/consult/").content.decode()
    assert f'href="/consultations/{existing.pk}/"' in html and "menunggu pembayaran Anda" in html
    assert 'name="complaint"' not in html  # no form to fill for nothing
    response = client.post(f"/vets/{existing.vet_id}/consult/", form_data())  # a page opened before
    assert response.status_code == 400
    assert f'href="/consultations/{existing.pk}/"' in response.content.decode()
    assert Consultation.objects.count() == 1


def test_opening_with_an_offline_vet_is_a_clear_error(client_for, owner, vet_profile):
    VetProfile.objects.filter(pk=vet_profile.pk).update(availability="offline")
    response = client_for(owner).post(f"/vets/{vet_profile.user_id}/consult/", form_data())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_unknown_species_is_a_form_error(client_for, owner, vet_profile):
    response = client_for(owner).post(f"/vets/{vet_profile.user_id}/consult/", form_data(new_species=999999))
    assert response.status_code == 400
    assert "new_species" in response.context["form"].errors


def test_the_vet_page_links_to_the_open_consultation_instead(client_for, owner, make_consultation):
    consultation = make_consultation(Status.WAITING)
    html = client_for(owner).get(f"/vets/{consultation.vet_id}/").content.decode()
    assert f"/consultations/{consultation.pk}/" in html
    assert f"/vets/{consultation.vet_id}/consult/" not in html


# --- the vet's dashboard -------------------------------------------------------------------------------
def test_the_vet_edits_the_profile(client_for, vet_profile):
    from tests.consultations.factories import specialty

    response = client_for(vet_profile.user).post(
        "/vets/me/",
        {
            "bio": "Ahli reptil.",
            "specialties": [specialty("reptiles").pk],
            "years_of_experience": 7,
            "fee": 90_000,
            "photo": photo_upload("me.png"),
        },
    )
    assert response.status_code == 302
    vet_profile.refresh_from_db()
    assert (vet_profile.bio, vet_profile.years_of_experience, vet_profile.fee) == ("Ahli reptil.", 7, 90_000)
    assert [s.slug for s in vet_profile.specialties.all()] == ["reptiles"]
    assert vet_profile.photo.name.startswith("vets/")


@pytest.mark.parametrize("fee", ["", "-1", "gratis", "5000", "99999999"])
def test_a_bad_fee_is_a_form_error_and_nothing_is_saved(client_for, vet_profile, fee):
    response = client_for(vet_profile.user).post(
        "/vets/me/", {"bio": "Baru", "years_of_experience": 3, "fee": fee}
    )
    assert response.status_code == 400
    assert "fee" in response.context["form"].errors
    assert 'value="Baru"' in response.content.decode() or "Baru</textarea>" in response.content.decode()
    vet_profile.refresh_from_db()
    assert vet_profile.fee == 75_000 and vet_profile.bio != "Baru"


def test_a_first_visit_creates_the_profile(client_for):
    newcomer = factories.VetFactory()
    assert client_for(newcomer).get("/vets/me/").status_code == 200
    assert VetProfile.objects.filter(user=newcomer).exists()


def test_the_vet_goes_online_and_offline(client_for, vet_profile):
    client = client_for(vet_profile.user)
    assert client.post("/vets/me/availability/", {"availability": "offline"}).status_code == 302
    vet_profile.refresh_from_db()
    assert vet_profile.availability == "offline"
    client.post("/vets/me/availability/", {"availability": "online"})
    vet_profile.refresh_from_db()
    assert vet_profile.availability == "online"


@pytest.mark.parametrize("value", ["busy", "", "away"])
def test_busy_cannot_be_chosen(client_for, vet_profile, value):
    response = client_for(vet_profile.user).post("/vets/me/availability/", {"availability": value})
    assert response.status_code == 400
    vet_profile.refresh_from_db()
    assert vet_profile.availability == "online"


def test_the_heartbeat_keeps_an_online_vet_online(client_for, vet_profile):
    stale = timezone.now() - datetime.timedelta(hours=2)
    VetProfile.objects.filter(pk=vet_profile.pk).update(last_seen_at=stale)
    assert client_for(vet_profile.user).post("/vets/me/heartbeat/").status_code == 204
    vet_profile.refresh_from_db()
    assert vet_profile.last_seen_at > stale


def test_the_dashboard_shows_the_waiting_queue(client_for, vet_profile, make_consultation, other_member):
    make_consultation(Status.WAITING, pet_name="Mochi")
    make_consultation(Status.ACTIVE, owner=other_member, pet_name="Kiko")
    make_consultation(Status.AWAITING_PAYMENT, owner=factories.UserFactory(), pet_name="Belum Bayar")
    html = client_for(vet_profile.user).get("/vets/me/").content.decode()
    assert "Mochi" in html and "Kiko" in html
    assert "Belum Bayar" not in html


# --- actions ------------------------------------------------------------------------------------------
def test_accept_then_end_with_summary_then_rate(client_for, owner, vet, make_consultation):
    consultation = make_consultation(Status.WAITING)
    url = f"/consultations/{consultation.pk}"
    assert client_for(vet).post(f"{url}/accept/")["Location"] == f"{url}/"
    assert client_for(vet).post(f"{url}/end/", {"assessment": "Hairball.", "advice": ""}).status_code == 302
    assert client_for(owner).post(f"{url}/rate/", {"stars": 4, "comment": "Jelas"}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.ENDED
    assert consultation.assessment == "Hairball." and "Hairball." in consultation.summary
    assert consultation.rating.stars == 4


def test_an_illegal_action_is_a_409_that_keeps_the_typed_summary(client_for, vet, make_consultation):
    consultation = make_consultation(Status.ACTIVE)
    response = client_for(vet).post(
        f"/consultations/{consultation.pk}/summary/", {"assessment": "Catatan panjang", "advice": "Istirahat"}
    )
    assert response.status_code == 409
    assert response.context["errors"]
    consultation.refresh_from_db()
    assert consultation.summary == ""


def test_an_empty_summary_is_a_400(client_for, vet, make_consultation):
    consultation = make_consultation(Status.ENDED)
    response = client_for(vet).post(
        f"/consultations/{consultation.pk}/summary/", {"assessment": "  ", "advice": ""}
    )
    assert response.status_code == 400


def test_a_bad_rating_keeps_the_comment(client_for, owner, make_consultation):
    consultation = make_consultation(Status.ENDED)
    response = client_for(owner).post(
        f"/consultations/{consultation.pk}/rate/", {"stars": 9, "comment": "Komentar saya"}
    )
    assert response.status_code == 400
    assert "Komentar saya" in response.content.decode()


def test_the_owner_cancels_after_the_timeout_and_sees_the_refund_message(
    client_for, owner, make_consultation, no_refund_calls, settings
):
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = 15
    consultation = make_consultation(Status.WAITING, paid_at=timezone.now() - datetime.timedelta(minutes=20))
    response = client_for(owner).post(f"/consultations/{consultation.pk}/cancel/", follow=True)
    assert response.status_code == 200
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED


def test_cancelling_too_early_is_a_409(client_for, owner, make_consultation, no_refund_calls):
    consultation = make_consultation(Status.WAITING, paid_at=timezone.now())
    response = client_for(owner).post(f"/consultations/{consultation.pk}/cancel/")
    assert response.status_code == 409
    assert no_refund_calls == []


# --- the panel on the room page ---------------------------------------------------------------------------
def panel(client, consultation):
    html = client.get(f"/consultations/{consultation.pk}/").content.decode()
    start = html.index('id="consultation-panel"')
    return html[start : html.index("</section>", start)]


def test_panel_shows_the_vet_the_accept_and_decline_buttons(client_for, vet, make_consultation):
    consultation = make_consultation(Status.WAITING)
    html = panel(client_for(vet), consultation)
    assert f"/consultations/{consultation.pk}/accept/" in html
    assert f"/consultations/{consultation.pk}/cancel/" in html


def test_panel_shows_the_owner_when_cancelling_becomes_possible(
    client_for, owner, make_consultation, settings
):
    settings.CONSULTATION_ACCEPT_TIMEOUT_MINUTES = 15
    consultation = make_consultation(Status.WAITING, paid_at=timezone.now())
    html = panel(client_for(owner), consultation)
    assert "/accept/" not in html and "/cancel/" not in html
    Consultation.objects.filter(pk=consultation.pk).update(
        paid_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert f"/consultations/{consultation.pk}/cancel/" in panel(client_for(owner), consultation)


def test_panel_offers_the_owner_to_pay(client_for, owner, make_consultation):
    consultation = make_consultation(Status.AWAITING_PAYMENT)
    assert payment_pay_url(consultation.payment) in panel(client_for(owner), consultation)


def test_panel_after_the_end(client_for, owner, vet, make_consultation):
    consultation = make_consultation(Status.ENDED, summary="Sisir setiap hari.")
    owner_html = panel(client_for(owner), consultation)
    assert "Sisir setiap hari." in owner_html
    assert f"/consultations/{consultation.pk}/rate/" in owner_html
    vet_html = panel(client_for(vet), consultation)
    assert f"/consultations/{consultation.pk}/summary/" in vet_html
    assert "/rate/" not in vet_html


def test_panel_shows_the_complaint_photos_through_the_checking_view(client_for, vet, make_consultation):
    consultation = make_consultation(Status.WAITING)
    photo = consultation.photos.create(image=factories.image_file())
    assert f"/consultations/{consultation.pk}/complaint-photos/{photo.pk}/" in panel(
        client_for(vet), consultation
    )


def test_staff_see_the_panel_without_buttons(client_for, staff, make_consultation):
    consultation = make_consultation(Status.WAITING)
    html = panel(client_for(staff), consultation)
    assert "<form" not in html
