"""Role matrix: who may open which adoption page (anonymous, other member, adopter, lister, staff)."""

import datetime

import pytest
from django.utils import timezone

from adoption import services
from tests.adoption.factories import PetFactory

pytestmark = pytest.mark.django_db

PRIVATE_PAGES = [
    "/adoption/cart/",
    "/adoption/checkout/",
    "/adoption/applications/",
    "/adoption/listings/",
    "/adoption/pets/new/",
]


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path", ["/adoption/", "/adoption/cart/", "/adoption/applications/", "/adoption/listings/"]
)
def test_member_pages_open(client_for, unverified_member, path):
    assert client_for(unverified_member).get(path).status_code == 200


def test_unverified_member_checkout_points_to_verification(client_for, unverified_member):
    assert client_for(unverified_member).get("/adoption/checkout/")["Location"] == "/accounts/verification/"


@pytest.mark.parametrize("action", ["pay", "received", "withdraw"])
@pytest.mark.parametrize("who, expected", [("other", 404), ("lister", 404), ("staff", 404)])
def test_adopter_actions_are_the_adopters_only(
    client_for, application, lister, other_member, staff, action, who, expected
):
    user = {"other": other_member, "lister": lister, "staff": staff}[who]
    assert client_for(user).post(f"/adoption/applications/{application.pk}/{action}/").status_code == expected
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.parametrize("action", ["approve", "decline", "handover-failed"])
@pytest.mark.parametrize("who", ["other", "adopter", "staff"])
def test_lister_actions_are_the_listers_only(client_for, application, other_member, staff, action, who):
    user = {"other": other_member, "adopter": application.adopter, "staff": staff}[who]
    url = f"/adoption/listings/applications/{application.pk}/{action}/"
    assert client_for(user).post(url, {"note": "x"}).status_code == 404


def test_get_on_post_only_actions_is_405(client_for, application):
    client = client_for(application.adopter)
    assert client.get(f"/adoption/applications/{application.pk}/received/").status_code == 405
    assert client.get(f"/adoption/cart/add/{application.pet_id}/").status_code == 405


def test_adopter_pays_through_the_payments_page(client_for, lister, owner, other_member, make_application):
    pet = PetFactory(lister=lister, fee=250000)
    application = make_application(pet=pet, adopter=owner)
    services.application_approve(
        application=application,
        by=lister,
        pickup_at=timezone.now() + datetime.timedelta(days=2),
        pickup_address="Jl. Dago 1",
        pickup_phone="+6281234567890",
    )
    application.refresh_from_db()
    response = client_for(owner).post(f"/adoption/applications/{application.pk}/pay/")
    assert response.status_code == 302
    pay_page = client_for(owner).get(response["Location"])
    assert pay_page.status_code == 200 and "250.000" in pay_page.content.decode()
    assert client_for(other_member).get(response["Location"]).status_code == 404
    html = client_for(owner).get("/adoption/applications/").content.decode()
    assert "Rp 250.000" in html


def test_nothing_to_pay_for_a_free_adoption(client_for, application, lister):
    services.application_approve(
        application=application,
        by=lister,
        pickup_at=timezone.now() + datetime.timedelta(days=2),
        pickup_address="Jl. Dago 1",
        pickup_phone="+6281234567890",
    )
    response = client_for(application.adopter).post(
        f"/adoption/applications/{application.pk}/pay/", follow=True
    )
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_payment_handler_return_url_points_to_applications(application):
    from payments.registry import handler_for

    assert handler_for("adoption").return_url(None) == "/adoption/applications/"
