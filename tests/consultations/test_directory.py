"""/vets/ and /vets/<id>/: only approved vets, filters, sort, live availability, constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from consultations.models import Consultation, VetProfile
from tests import factories
from tests.consultations.factories import ConsultationFactory, VetProfileFactory

pytestmark = pytest.mark.django_db


def names(response):
    return [profile.user.full_name for profile in response.context["page"].object_list]


def listed_vet(name, **profile):
    user = factories.VetFactory(full_name=name)
    return VetProfileFactory(user=user, **profile)


def test_only_vets_with_an_approved_licence_are_listed(client):
    listed_vet("drh. Approved")
    pending = factories.UserFactory(is_vet=True, full_name="drh. Pending")
    factories.VetLicenceFactory(user=pending)
    VetProfileFactory(user=pending)
    rejected = factories.UserFactory(is_vet=True, full_name="drh. Rejected")
    factories.VetLicenceFactory(user=rejected, status="rejected")
    VetProfileFactory(user=rejected)
    no_longer_vet = listed_vet("drh. Retired").user
    no_longer_vet.is_vet = False
    no_longer_vet.save()
    inactive = listed_vet("drh. Inactive").user
    inactive.is_active = False
    inactive.save()

    response = client.get("/vets/")
    assert response.status_code == 200
    assert names(response) == ["drh. Approved"]
    for profile in (pending, rejected, no_longer_vet, inactive):
        assert client.get(f"/vets/{profile.pk}/").status_code == 404


def test_the_card_shows_what_an_owner_needs(client):
    profile = listed_vet(
        "drh. Ayu Pratiwi",
        fee=75_000,
        years_of_experience=8,
        rating_avg=Decimal("4.50"),
        rating_count=2,
        specialties=["dogs", "exotics"],
    )
    licence = profile.user.vet_licences.get()
    html = client.get("/vets/").content.decode()
    for text in (
        "drh. Ayu Pratiwi",
        "Rp 75.000",
        licence.strv_number,
        licence.sip_number,
        "4,5",
        "data-availability",
    ):
        assert text in html, text


def test_filter_by_species(client):
    listed_vet("drh. Kucing", specialties=["cats"])
    listed_vet("drh. Burung", specialties=["birds", "reptiles"])
    assert names(client.get("/vets/?species=birds")) == ["drh. Burung"]
    assert names(client.get("/vets/?species=cats")) == ["drh. Kucing"]


def test_filter_by_max_fee(client):
    listed_vet("drh. Murah", fee=50_000)
    listed_vet("drh. Mahal", fee=150_000)
    assert names(client.get("/vets/?max_fee=60000")) == ["drh. Murah"]


def test_online_now_leaves_out_offline_stale_and_busy_vets(client, owner):
    listed_vet("drh. Online")
    listed_vet("drh. Offline", availability="offline")
    listed_vet("drh. Stale", last_seen_at=timezone.now() - datetime.timedelta(hours=5))
    busy = listed_vet("drh. Busy")
    ConsultationFactory(owner=owner, vet=busy.user, status=Consultation.Status.ACTIVE)

    assert names(client.get("/vets/?online=on")) == ["drh. Online"]
    states = {p.user.full_name: p.live_availability for p in client.get("/vets/").context["page"].object_list}
    assert states == {
        "drh. Online": "online",
        "drh. Offline": "offline",
        "drh. Stale": "offline",
        "drh. Busy": "busy",
    }


def test_recommended_order_puts_available_vets_first_then_the_best_rated(client, owner):
    listed_vet("drh. Offline Top", availability="offline", rating_avg=Decimal("5.00"), rating_count=10)
    listed_vet("drh. Online Good", rating_avg=Decimal("4.20"), rating_count=3)
    listed_vet("drh. Online Best", rating_avg=Decimal("4.90"), rating_count=3)
    listed_vet("drh. Online New")
    busy = listed_vet("drh. Busy", rating_avg=Decimal("5.00"), rating_count=1)
    ConsultationFactory(owner=owner, vet=busy.user, status=Consultation.Status.ACTIVE)
    assert names(client.get("/vets/")) == [
        "drh. Online Best",
        "drh. Online Good",
        "drh. Online New",
        "drh. Busy",
        "drh. Offline Top",
    ]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("fee", ["drh. B", "drh. A", "drh. C"]),
        ("-fee", ["drh. C", "drh. A", "drh. B"]),
        ("experience", ["drh. C", "drh. B", "drh. A"]),
        ("rating", ["drh. A", "drh. C", "drh. B"]),
    ],
)
def test_sort(client, sort, expected):
    listed_vet("drh. A", fee=70_000, years_of_experience=1, rating_avg=Decimal("4.80"), rating_count=5)
    listed_vet("drh. B", fee=50_000, years_of_experience=5)
    listed_vet("drh. C", fee=90_000, years_of_experience=9, rating_avg=Decimal("4.10"), rating_count=5)
    assert names(client.get(f"/vets/?sort={sort}")) == expected


@pytest.mark.parametrize(
    "query",
    ["species=unicorns", "max_fee=murah", "max_fee=-5", "sort=DROP", "page=999", "page=x", "online=maybe"],
)
def test_bad_filters_never_fail(client, query):
    listed_vet("drh. Ayu")
    response = client.get(f"/vets/?{query}")
    assert response.status_code == 200


def test_a_bad_filter_does_not_drop_the_good_ones(client):
    listed_vet("drh. Kucing", specialties=["cats"])
    listed_vet("drh. Burung", specialties=["birds"])
    assert names(client.get("/vets/?species=birds&max_fee=murah")) == ["drh. Burung"]


def test_filters_are_kept_in_pagination_links(client):
    for i in range(14):
        listed_vet(f"drh. Vet {i:02d}", specialties=["cats"])
    html = client.get("/vets/?species=cats&sort=fee").content.decode()
    assert "species=cats&amp;sort=fee&amp;page=2" in html


def test_the_directory_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    for i in range(2):
        listed_vet(f"drh. Few {i}")
    with django_assert_num_queries(4) as few:  # count, page, specialties, species for the filter
        client.get("/vets/")
    for i in range(10):
        listed_vet(f"drh. Many {i}", specialties=["cats", "dogs", "birds"])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/vets/")


def test_vet_page_shows_licence_numbers_and_ratings(client, owner):
    from tests.consultations.factories import RatingFactory

    profile = listed_vet("drh. Ayu")
    RatingFactory(
        consultation__owner=owner, consultation__vet=profile.user, stars=4, comment="Sangat membantu"
    )
    licence = profile.user.vet_licences.get()
    html = client.get(f"/vets/{profile.user_id}/").content.decode()
    assert licence.strv_number in html and licence.sip_number in html
    assert "Sangat membantu" in html
    assert f"/vets/{profile.user_id}/consult/" in html


def test_vet_page_of_an_offline_vet_has_no_consult_button(client):
    profile = listed_vet("drh. Tidur", availability=VetProfile.Availability.OFFLINE)
    html = client.get(f"/vets/{profile.user_id}/").content.decode()
    assert f"/vets/{profile.user_id}/consult/" not in html


def test_availability_json_answers_for_listed_vets_only(client, owner):
    online = listed_vet("drh. Online")
    busy = listed_vet("drh. Busy")
    ConsultationFactory(owner=owner, vet=busy.user, status=Consultation.Status.ACTIVE)
    unlisted = factories.UserFactory(is_vet=True)
    factories.VetLicenceFactory(user=unlisted)  # pending
    VetProfileFactory(user=unlisted)
    response = client.get(f"/vets/availability/?ids={online.user_id},{busy.user_id},{unlisted.pk},x,,-1")
    assert response.status_code == 200
    assert response.json() == {str(online.user_id): "online", str(busy.user_id): "busy"}
    assert client.get("/vets/availability/").json() == {}
