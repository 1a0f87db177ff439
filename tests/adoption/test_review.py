"""The lister's review: approve with a pickup schedule or decline; fee payment; handover; privacy."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from adoption import services
from adoption.models import Application, CartItem, Pet
from notifications.models import Notification
from payments.models import Payment
from payments.services import payment_set_status
from tests import factories as base
from tests.adoption.factories import ApplicationFactory, PetFactory

pytestmark = pytest.mark.django_db


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def approve_form(**overrides):
    data = {
        "pickup_date": tomorrow().isoformat(),
        "pickup_time": "10:00",
        "pickup_address": "Jl. Dago No. 12, Bandung",
        "pickup_phone": "0812-3456-7890",
    }
    data.update(overrides)
    return data


def approve(application, lister, **kwargs):
    when = timezone.now() + datetime.timedelta(days=1)
    return services.application_approve(
        application=application,
        by=lister,
        pickup_at=when,
        pickup_address="Jl. Dago No. 12",
        pickup_phone="+6281234567890",
        **kwargs,
    )


def test_lister_sees_applications_with_all_answers(client_for, lister, application):
    html = client_for(lister).get("/adoption/listings/").content.decode()
    assert application.code in html
    for answer in ["Halaman 4 x 6 m", "Konsultasi ke dokter hewan", "Seumur hidupnya", "Gaji bulanan"]:
        assert answer in html
    # The adopter's name and city, but not their phone before approval.
    assert application.adopter.first_name in html and application.adopter.phone not in html


def test_other_member_cannot_see_or_decide_on_applications(client_for, other_member, application):
    client = client_for(other_member)
    assert application.code not in client.get("/adoption/listings/").content.decode()
    assert client.get(f"/adoption/listings/applications/{application.pk}/approve/").status_code == 404
    assert (
        client.post(f"/adoption/listings/applications/{application.pk}/decline/", {"note": "x"}).status_code
        == 404
    )
    # The adopter cannot approve their own application either.
    assert (
        client_for(application.adopter)
        .get(f"/adoption/listings/applications/{application.pk}/approve/")
        .status_code
        == 404
    )


def test_confirming_the_pickup_schedule_reserves_the_pet_and_closes_the_others(
    client_for, lister, pet, application, other_member, django_capture_on_commit_callbacks
):
    rival = ApplicationFactory(pet=pet, adopter=other_member)
    CartItem.objects.create(user=base.VerifiedMemberFactory(), pet=pet)
    client = client_for(lister)
    assert client.get(f"/adoption/listings/applications/{application.pk}/approve/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/adoption/listings/applications/{application.pk}/approve/", approve_form())
    assert response.status_code == 302
    pet.refresh_from_db()
    application.refresh_from_db()
    rival.refresh_from_db()
    assert pet.status == Pet.Status.RESERVED
    assert application.status == "approved" and application.pickup_phone == "+6281234567890"
    assert timezone.localtime(application.pickup_at).hour == 10
    assert rival.status == "closed" and rival.events.last().kind == "closed"
    assert not CartItem.objects.filter(pet=pet).exists()
    assert Notification.objects.filter(
        recipient=application.adopter, kind="adoption.application_approved"
    ).exists()
    assert Notification.objects.filter(recipient=other_member, kind="adoption.application_closed").exists()
    assert application.payment is None  # free adoption: nothing to pay
    # The adopter now sees the pickup address and phone; the lister sees the adopter's phone.
    adopter_page = client_for(application.adopter).get("/adoption/applications/").content.decode()
    assert "Jl. Dago No. 12, Bandung" in adopter_page and "+6281234567890" in adopter_page
    assert application.adopter.phone in client.get("/adoption/listings/").content.decode()
    # The rival never sees them.
    rival_page = client_for(other_member).get("/adoption/applications/").content.decode()
    assert "Jl. Dago" not in rival_page and "+6281234567890" not in rival_page


def test_adopter_does_not_see_pickup_details_before_approval(client_for, application):
    application.pickup_address = "Jl. Rahasia 1"
    application.save()
    assert (
        "Jl. Rahasia 1" not in client_for(application.adopter).get("/adoption/applications/").content.decode()
    )


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"pickup_date": "2000-01-01"}, "__all__"),
        ({"pickup_date": ""}, "pickup_date"),
        ({"pickup_time": "25:99"}, "pickup_time"),
        ({"pickup_address": ""}, "pickup_address"),
        ({"pickup_phone": "123"}, "pickup_phone"),
    ],
)
def test_invalid_pickup_schedule_is_refused(client_for, lister, application, overrides, error):
    response = client_for(lister).post(
        f"/adoption/listings/applications/{application.pk}/approve/", approve_form(**overrides)
    )
    assert response.status_code == 400 and error in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == "submitted"


def test_second_approval_for_the_same_pet_is_refused(lister, pet, application, other_member):
    rival = ApplicationFactory(pet=pet, adopter=other_member)
    approve(application, lister)
    rival.refresh_from_db()
    with pytest.raises(ValidationError):
        approve(rival, lister)
    assert Application.objects.filter(pet=pet, status="approved").count() == 1


def test_decline_needs_a_note_and_tells_the_adopter(
    client_for, lister, application, django_capture_on_commit_callbacks
):
    client = client_for(lister)
    client.post(f"/adoption/listings/applications/{application.pk}/decline/", {"note": ""})
    application.refresh_from_db()
    assert application.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/adoption/listings/applications/{application.pk}/decline/", {"note": "Rumah terlalu kecil"}
        )
    application.refresh_from_db()
    assert application.status == "declined" and application.pet.status == "available"
    assert "Rumah terlalu kecil" in Notification.objects.get(kind="adoption.application_declined").body


def pickup_time_passes(application):
    """The confirmation opens at the planned pickup time (issue 15 item 15)."""
    Application.objects.filter(pk=application.pk).update(
        pickup_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    application.refresh_from_db()


def test_free_adoption_handover_and_receipt(
    client_for, lister, pet, application, django_capture_on_commit_callbacks
):
    approve(application, lister)
    pickup_time_passes(application)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(application.adopter).post(f"/adoption/applications/{application.pk}/received/")
    assert response.status_code == 302
    application.refresh_from_db()
    pet.refresh_from_db()
    assert application.status == "adopted" and pet.status == "adopted"
    assert application.next_report_due == timezone.localdate() + datetime.timedelta(days=30)
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "approved", "picked_up"]
    assert Notification.objects.filter(recipient=lister, kind="adoption.pet_adopted").exists()


def test_adopted_pet_cannot_enter_anyones_cart(lister, pet, application, other_member, staff):
    approve(application, lister)
    pickup_time_passes(application)
    services.application_confirm_received(application=application, by=application.adopter)
    for user in [other_member, application.adopter, staff]:
        with pytest.raises(ValidationError):
            services.cart_add(user=user, pet=pet)


def test_only_the_adopter_confirms_receipt(client_for, lister, application, other_member):
    approve(application, lister)
    assert (
        client_for(other_member).post(f"/adoption/applications/{application.pk}/received/").status_code == 404
    )
    client_for(lister).post(f"/adoption/applications/{application.pk}/received/")
    application.refresh_from_db()
    assert application.status == "approved"


def test_fee_is_paid_before_pickup(client_for, lister, owner, django_capture_on_commit_callbacks):
    pet = PetFactory(lister=lister, fee=150000)
    application = ApplicationFactory(pet=pet, adopter=owner)
    approve(application, lister)
    application.refresh_from_db()
    payment = application.payment
    assert payment.amount == 150000 and payment.purpose == "adoption" and payment.payer == owner
    assert payment.target == application and payment.expires_at <= application.pickup_at
    client = client_for(owner)
    # Not before paying.
    client.post(f"/adoption/applications/{application.pk}/received/")
    application.refresh_from_db()
    assert application.status == "approved"
    response = client.post(f"/adoption/applications/{application.pk}/pay/")
    assert response.status_code == 302 and str(payment.pk) in response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        payment_set_status(payment=payment, status="paid")
    application.refresh_from_db()
    assert application.paid_at is not None
    assert Notification.objects.filter(recipient=lister, kind="adoption.fee_paid").exists()
    # Idempotent: a second delivery changes nothing.
    services.application_mark_paid(application_id=application.pk)
    assert application.events.filter(kind="paid").count() == 1
    pickup_time_passes(application)
    client.post(f"/adoption/applications/{application.pk}/received/")
    application.refresh_from_db()
    assert application.status == "adopted"


def test_unpaid_fee_at_expiry_releases_the_reservation(lister, owner, django_capture_on_commit_callbacks):
    pet = PetFactory(lister=lister, fee=150000)
    application = ApplicationFactory(pet=pet, adopter=owner)
    approve(application, lister)
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        payment_set_status(payment=application.payment, status="expired")
    application.refresh_from_db()
    pet.refresh_from_db()
    assert application.status == "expired" and pet.status == "available"
    assert Notification.objects.filter(recipient=lister, kind="adoption.reservation_released").exists()
    assert Notification.objects.filter(recipient=owner, kind="adoption.reservation_released").exists()


def test_cron_releases_reservations_whose_payment_expired(lister, owner, django_capture_on_commit_callbacks):
    pet = PetFactory(lister=lister, fee=150000)
    application = ApplicationFactory(pet=pet, adopter=owner)
    approve(application, lister)
    application.refresh_from_db()
    Payment.objects.filter(pk=application.payment_id).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_unpaid_reservations() == 1
    pet.refresh_from_db()
    assert pet.status == "available"
    assert services.expire_unpaid_reservations() == 0


def test_lister_marks_failed_handover(
    client_for, lister, pet, application, django_capture_on_commit_callbacks
):
    approve(application, lister)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lister).post(
            f"/adoption/listings/applications/{application.pk}/handover-failed/",
            {"note": "Adopter tidak datang"},
        )
    application.refresh_from_db()
    pet.refresh_from_db()
    assert application.status == "handover_failed" and pet.status == "available"
    assert Notification.objects.filter(
        recipient=application.adopter, kind="adoption.handover_failed"
    ).exists()


def test_failed_handover_after_payment_refunds_the_fee(lister, owner, django_capture_on_commit_callbacks):
    pet = PetFactory(lister=lister, fee=150000)
    application = ApplicationFactory(pet=pet, adopter=owner)
    approve(application, lister)
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        payment_set_status(payment=application.payment, status="paid")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_handover_failed(application=application, by=lister, note="Batal")
    payment = Payment.objects.get(pk=application.payment_id)
    assert payment.refunds.exists()
    assert pet.applications.get().status == "handover_failed"


def test_unpaid_payment_is_cancelled_when_handover_fails(lister, owner, django_capture_on_commit_callbacks):
    pet = PetFactory(lister=lister, fee=150000)
    application = ApplicationFactory(pet=pet, adopter=owner)
    approve(application, lister)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_handover_failed(application=application, by=lister)
    assert Payment.objects.get(pk=Application.objects.get().payment_id).status == "cancelled"


def test_timeline_shows_every_event_to_both_sides(client_for, lister, application):
    approve(application, lister)
    for client in [
        client_for(lister).get("/adoption/listings/"),
        client_for(application.adopter).get("/adoption/applications/"),
    ]:
        html = client.content.decode()
        assert html.count("<time datetime=") >= 2


@pytest.mark.parametrize("rows", [2, 10])
def test_listings_page_runs_constant_queries(client_for, lister, rows, django_assert_max_num_queries):
    for _ in range(rows):
        ApplicationFactory(pet=PetFactory(lister=lister))
    client = client_for(lister)
    client.get("/adoption/listings/")
    # 6 with sessions in Redis; one of them asks whether the lister was ever paid a fee (earnings link)
    with django_assert_max_num_queries(7):
        client.get("/adoption/listings/")


def test_approve_page_for_a_decided_application_redirects_with_a_message(client_for, lister, application):
    approve(application, lister)
    response = client_for(lister).get(
        f"/adoption/listings/applications/{application.pk}/approve/", follow=True
    )
    assert response.redirect_chain[-1][0] == "/adoption/listings/"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
