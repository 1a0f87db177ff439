"""Demo data and the admin pages."""

import pytest

from accounts import demo as accounts_demo
from consultations import demo
from consultations.models import Consultation, Rating, VetProfile
from tests.consultations.factories import RatingFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_shows_in_the_directory(client):
    accounts_demo.seed()
    demo.seed()
    demo.seed()
    assert VetProfile.objects.count() == 2
    assert VetProfile.objects.get(user__email="drh.ayu@hellopet.local").fee == 75_000
    consultation = Consultation.objects.get()
    assert consultation.status == Consultation.Status.ENDED and consultation.summary
    assert consultation.owner.email == "budi@hellopet.local"
    assert Rating.objects.get().consultation == consultation
    assert consultation.messages.count() == 5
    html = client.get("/vets/").content.decode()
    assert "drh. Ayu Pratiwi" in html and "drh. I Made Wirawan" in html


@pytest.mark.parametrize(
    "model", ["specialty", "vetprofile", "consultation", "message", "readstate", "rating"]
)
def test_admin_pages_open(client_for, staff, make_consultation, owner, vet, model):
    consultation = make_consultation(Consultation.Status.ENDED)
    RatingFactory(consultation=consultation, owner=owner, vet=vet)
    client = client_for(staff)
    assert client.get(f"/admin/consultations/{model}/").status_code == 200
    assert client.get(f"/admin/consultations/{model}/?q=Mochi").status_code == 200


def test_admin_cancel_and_refund_action(client_for, staff, make_consultation, no_refund_calls):
    consultation = make_consultation(Consultation.Status.WAITING)
    client_for(staff).post(
        "/admin/consultations/consultation/",
        {"action": "cancel_and_refund", "_selected_action": [consultation.pk]},
    )
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CANCELLED
