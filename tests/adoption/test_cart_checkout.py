"""Cart and checkout with the adoption form (the original system's black-box scenarios)."""

import pytest

from adoption import services
from adoption.models import Application, CartItem, Pet
from notifications.models import Notification
from tests.adoption.factories import ANSWERS, PetFactory, form_answers

pytestmark = pytest.mark.django_db


def test_logged_in_adopter_adds_an_available_pet(client_for, owner, pet):
    response = client_for(owner).post(f"/adoption/cart/add/{pet.pk}/")
    assert response.status_code == 302 and response["Location"] == "/adoption/cart/"
    assert CartItem.objects.filter(user=owner, pet=pet).exists()
    page = client_for(owner).get("/adoption/cart/")
    assert "Mochi" in page.content.decode()


def test_anonymous_cannot_add_to_cart(client, pet):
    response = client.post(f"/adoption/cart/add/{pet.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not CartItem.objects.exists()


def test_unverified_member_is_sent_to_verification(client_for, unverified_member, pet):
    response = client_for(unverified_member).post(f"/adoption/cart/add/{pet.pk}/")
    assert response["Location"] == "/accounts/verification/"
    assert not CartItem.objects.exists()


def test_adopter_cannot_add_adopted_pet_to_cart(client_for, owner, lister):
    adopted = PetFactory(lister=lister, status=Pet.Status.ADOPTED)
    response = client_for(owner).post(f"/adoption/cart/add/{adopted.pk}/", follow=True)
    assert response.redirect_chain[-1][0] == "/adoption/"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("status", ["pending_review", "rejected", "withdrawn"])
def test_unlisted_pet_cannot_be_added_and_is_404(client_for, owner, lister, status):
    hidden = PetFactory(lister=lister, status=status)
    assert client_for(owner).post(f"/adoption/cart/add/{hidden.pk}/").status_code == 404
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("status", ["adopted", "reserved", "pending_review"])
def test_service_refuses_unavailable_pets_for_anyone(owner, lister, status):
    from django.core.exceptions import ValidationError

    pet = PetFactory(lister=lister, status=status)
    with pytest.raises(ValidationError):
        services.cart_add(user=owner, pet=pet)


def test_adopter_who_applied_sees_reserved_pet_but_cannot_add_it(client_for, application, pet):
    pet.status = Pet.Status.RESERVED
    pet.save()
    client = client_for(application.adopter)
    response = client.post(f"/adoption/cart/add/{pet.pk}/", follow=True)
    assert not CartItem.objects.exists()
    assert any(
        "sudah tidak tersedia" in str(m) for m in response.context["messages"]
    )  # "no longer available"


def test_own_pet_and_duplicates_are_refused(client_for, lister, owner, pet):
    client_for(lister).post(f"/adoption/cart/add/{pet.pk}/")
    assert not CartItem.objects.filter(user=lister).exists()
    client = client_for(owner)
    client.post(f"/adoption/cart/add/{pet.pk}/")
    response = client.post(f"/adoption/cart/add/{pet.pk}/", follow=True)
    assert CartItem.objects.filter(user=owner).count() == 1
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_cart_shows_pet_that_stopped_being_available(client_for, owner, pet):
    services.cart_add(user=owner, pet=pet)
    Pet.objects.filter(pk=pet.pk).update(status=Pet.Status.RESERVED)
    html = client_for(owner).get("/adoption/cart/").content.decode()
    assert "unavailable" in html
    assert client_for(owner).get("/adoption/checkout/").status_code == 302


def test_remove_from_cart(client_for, owner, pet):
    services.cart_add(user=owner, pet=pet)
    client_for(owner).post(f"/adoption/cart/remove/{pet.pk}/")
    assert not CartItem.objects.exists()


def test_complete_adoption_form_creates_one_application_per_pet(
    client_for, owner, lister, pet, django_capture_on_commit_callbacks
):
    second = PetFactory(lister=lister, name="Tofu", fee=100000)
    services.cart_add(user=owner, pet=pet)
    services.cart_add(user=owner, pet=second)
    client = client_for(owner)
    assert client.get("/adoption/checkout/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/adoption/checkout/", form_answers())
    assert response.status_code == 302 and response["Location"] == "/adoption/applications/"
    apps = list(Application.objects.order_by("pk"))
    assert len(apps) == 2 and {a.pet for a in apps} == {pet, second}
    for app in apps:
        assert app.code.startswith("ADP-") and app.code.endswith(f"{app.pk:06d}") and len(app.code) == 15
        assert app.status == "submitted" and app.why_adopt == ANSWERS["why_adopt"] and app.terms_accepted_at
        assert app.events.get().kind == "submitted"
    assert apps[1].fee == 100000
    assert not CartItem.objects.exists()
    assert Notification.objects.filter(recipient=lister, kind="adoption.application_received").count() == 2
    page = client.get("/adoption/applications/").content.decode()
    assert apps[0].code in page and "Tofu" in page


@pytest.mark.parametrize(
    "missing",
    [
        "household",
        "home_type",
        "home_ownership",
        "pet_space",
        "family_permission",
        "ready_responsibility",
        "why_adopt",
        "experience",
        "sleeping_place",
        "food_plan",
        "aggression_plan",
        "illness_plan",
        "long_term_commitment",
        "moving_plan",
        "cost_plan",
        "adaptation_agreed",
        "term_age",
        "term_sterilisation",
        "term_reports",
        "term_no_transfer",
    ],
)
def test_incomplete_adoption_form_is_refused_and_keeps_answers(client_for, owner, pet, missing):
    services.cart_add(user=owner, pet=pet)
    response = client_for(owner).post("/adoption/checkout/", form_answers(**{missing: None}))
    assert response.status_code == 400
    assert missing in response.context["form"].errors
    assert ANSWERS["why_adopt"] in response.content.decode() or missing == "why_adopt"
    assert not Application.objects.exists()
    assert CartItem.objects.filter(user=owner).exists()


def test_blank_or_invalid_answers_are_refused(client_for, owner, pet):
    services.cart_add(user=owner, pet=pet)
    response = client_for(owner).post("/adoption/checkout/", form_answers(why_adopt="  ", home_type="castle"))
    assert response.status_code == 400
    assert {"why_adopt", "home_type"} <= set(response.context["form"].errors)


def test_checkout_prefills_answers_from_the_last_application(client_for, owner, lister, application):
    other = PetFactory(lister=lister, name="Tofu")
    services.cart_add(user=owner, pet=other)
    form = client_for(owner).get("/adoption/checkout/").context["form"]
    assert form.initial["why_adopt"] == ANSWERS["why_adopt"]
    assert form.initial["home_type"] == "house"


def test_checkout_skips_pets_that_became_unavailable(client_for, owner, lister, pet):
    other = PetFactory(lister=lister, name="Tofu")
    services.cart_add(user=owner, pet=pet)
    services.cart_add(user=owner, pet=other)
    Pet.objects.filter(pk=other.pk).update(status=Pet.Status.ADOPTED)
    client_for(owner).post("/adoption/checkout/", form_answers())
    assert list(Application.objects.values_list("pet__name", flat=True)) == ["Mochi"]
    assert CartItem.objects.filter(pet=other).exists()  # still shown as unavailable


def test_cannot_apply_twice_for_the_same_pet(client_for, owner, pet, application):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.cart_add(user=owner, pet=pet)


def test_adopter_withdraws(client_for, application):
    client_for(application.adopter).post(f"/adoption/applications/{application.pk}/withdraw/")
    application.refresh_from_db()
    assert application.status == "withdrawn"


@pytest.mark.parametrize("rows", [2, 10])
def test_applications_page_runs_constant_queries(
    client_for, owner, lister, rows, django_assert_max_num_queries, make_application
):
    for _ in range(rows):
        make_application(pet=PetFactory(lister=lister), adopter=owner)
    client = client_for(owner)
    client.get("/adoption/applications/")
    with django_assert_max_num_queries(5):  # session (unless in Redis), applications, photos, events, reports
        client.get("/adoption/applications/")


@pytest.mark.parametrize("rows", [2, 10])
def test_cart_page_runs_constant_queries(client_for, owner, lister, rows, django_assert_max_num_queries):
    for _ in range(rows):
        services.cart_add(user=owner, pet=PetFactory(lister=lister))
    client = client_for(owner)
    client.get("/adoption/cart/")
    with django_assert_max_num_queries(3):  # session (unless in Redis), items with pets, photos
        client.get("/adoption/cart/")
