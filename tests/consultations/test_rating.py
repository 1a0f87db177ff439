"""After the session the owner rates the vet once; the average shows in the directory."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from consultations import services
from consultations.models import Consultation, Rating, VetProfile

pytestmark = pytest.mark.django_db
Status = Consultation.Status


def test_the_owner_rates_once(make_consultation, owner, vet):
    consultation = make_consultation(Status.ENDED)
    services.rating_submit(consultation=consultation, owner=owner, stars=4, comment="Ramah")
    with pytest.raises(ValidationError) as error:
        services.rating_submit(consultation=consultation, owner=owner, stars=1)
    assert error.value.code == "already_rated"
    assert Rating.objects.get().stars == 4


def test_the_database_keeps_one_rating_per_consultation(make_consultation, owner, vet):
    consultation = make_consultation(Status.ENDED)
    Rating.objects.create(consultation=consultation, owner=owner, vet=vet, stars=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(consultation=consultation, owner=owner, vet=vet, stars=3)


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_are_1_to_5(make_consultation, owner, stars):
    consultation = make_consultation(Status.ENDED)
    with pytest.raises(ValidationError):
        services.rating_submit(consultation=consultation, owner=owner, stars=stars)


def test_the_database_refuses_stars_out_of_range(make_consultation, owner, vet):
    consultation = make_consultation(Status.ENDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(consultation=consultation, owner=owner, vet=vet, stars=6)


@pytest.mark.parametrize(
    "status", [Status.AWAITING_PAYMENT, Status.WAITING, Status.ACTIVE, Status.CANCELLED, Status.EXPIRED]
)
def test_only_an_ended_consultation_can_be_rated(make_consultation, owner, status):
    consultation = make_consultation(status)
    with pytest.raises(ValidationError):
        services.rating_submit(consultation=consultation, owner=owner, stars=5)


def test_only_the_owner_rates(make_consultation, vet, other_member, staff):
    consultation = make_consultation(Status.ENDED)
    for user in (vet, other_member, staff):
        with pytest.raises(PermissionDenied):
            services.rating_submit(consultation=consultation, owner=user, stars=5)


def test_the_average_is_kept_on_the_profile_and_shown_in_the_directory(
    client, make_consultation, owner, other_member, vet, vet_profile
):
    first = make_consultation(Status.ENDED)
    second = make_consultation(Status.ENDED, owner=other_member)
    services.rating_submit(consultation=first, owner=owner, stars=5)
    services.rating_submit(consultation=second, owner=other_member, stars=4)
    vet_profile.refresh_from_db()
    assert (vet_profile.rating_avg, vet_profile.rating_count) == (Decimal("4.50"), 2)
    assert "4,5" in client.get("/vets/").content.decode()


def test_deleting_an_abusive_rating_in_the_admin_recounts(
    client_for, staff, make_consultation, owner, vet_profile
):
    consultation = make_consultation(Status.ENDED)
    rating = services.rating_submit(consultation=consultation, owner=owner, stars=1)
    response = client_for(staff).post(
        "/admin/consultations/rating/", {"action": "delete_and_recount", "_selected_action": [rating.pk]}
    )
    assert response.status_code == 302
    profile = VetProfile.objects.get(pk=vet_profile.pk)
    assert (profile.rating_avg, profile.rating_count) == (None, 0)
