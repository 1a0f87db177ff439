"""/consultations/: mine, with unread counts, in a constant number of queries."""

import re

import pytest

from common import pagecache
from consultations.models import Consultation, ReadState
from tests import factories
from tests.consultations.factories import MessageFactory

pytestmark = pytest.mark.django_db
Status = Consultation.Status


def test_unread_counts_are_others_messages_after_my_last_read(client_for, owner, vet, make_consultation):
    consultation = make_consultation(Status.ACTIVE)
    MessageFactory(consultation=consultation, sender=owner)
    first = MessageFactory(consultation=consultation, sender=vet)
    MessageFactory(consultation=consultation, sender=vet)
    MessageFactory(consultation=consultation, sender=vet)

    def unread(user):
        html = client_for(user).get("/consultations/").content.decode()
        row = re.search(rf'href="/consultations/{consultation.pk}/".*?</li>', html, re.S).group(0)
        badge = re.search(r'<span class="badge" title="[^"]+">(\d+)</span>', row)
        return int(badge.group(1)) if badge else 0

    assert unread(owner) == 3
    assert unread(vet) == 1
    # The owner's list is stored now; the badges are counted for every response all the same.
    ReadState.objects.create(consultation=consultation, user=owner, last_read_id=first.pk)
    assert unread(owner) == 2
    MessageFactory(consultation=consultation, sender=vet)
    assert unread(owner) == 3
    assert unread(vet) == 1


def test_the_list_runs_a_constant_number_of_queries(
    client_for, owner, django_assert_num_queries, django_assert_max_num_queries
):
    from tests.consultations.factories import ConsultationFactory, VetProfileFactory

    def add(n):
        for _ in range(n):
            vet = VetProfileFactory().user
            consultation = ConsultationFactory(owner=owner, vet=vet, status=Status.ENDED)
            MessageFactory(consultation=consultation, sender=vet)

    client = client_for(owner)
    add(2)
    client.get("/consultations/")  # the header's unread count is then remembered
    pagecache.bump("vets")  # a render, not the member's stored page
    # session (unless in Redis), count, page, the unread badges
    with django_assert_max_num_queries(4) as few:
        client.get("/consultations/")
    with django_assert_max_num_queries(2) as few_stored:  # session (unless in Redis), the unread badges
        client.get("/consultations/")
    add(8)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/consultations/")
    assert len(response.context["page"].object_list) == 10
    assert response.content.decode().count('class="badge" title=') == 10
    with django_assert_num_queries(len(few_stored.captured_queries)):
        response = client.get("/consultations/")
    assert response.headers["X-Page-Cache"] == "hit"
    assert response.content.decode().count('class="badge" title=') == 10


def test_the_list_pages(client_for, owner):
    from tests.consultations.factories import ConsultationFactory, VetProfileFactory

    for _ in range(21):
        ConsultationFactory(owner=owner, vet=VetProfileFactory().user, status=Status.ENDED)
    client = client_for(owner)
    assert len(client.get("/consultations/").context["page"].object_list) == 20
    assert len(client.get("/consultations/?page=2").context["page"].object_list) == 1
    assert client.get("/consultations/?page=abc").status_code == 200


def test_an_empty_list_invites_to_find_a_vet(client_for):
    html = client_for(factories.UserFactory()).get("/consultations/").content.decode()
    assert "/vets/" in html


def test_the_vet_does_not_list_unpaid_requests(client_for, vet, make_consultation, other_member):
    make_consultation(Status.AWAITING_PAYMENT, pet_name="Belum")
    make_consultation(Status.EXPIRED, owner=other_member, pet_name="Kedaluwarsa")
    make_consultation(Status.WAITING, owner=factories.UserFactory(), pet_name="Dibayar")
    page = client_for(vet).get("/consultations/").context["page"]
    assert [c.pet_name for c in page.object_list] == ["Dibayar"]
