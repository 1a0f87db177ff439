"""Who may see and do what: every page and action against every persona.

anonymous, owner (the consultation's), other_member, vet (the consultation's), other_vet, staff.
"""

import pytest

from consultations.models import Consultation
from tests import factories

pytestmark = pytest.mark.django_db
Status = Consultation.Status
PERSONAS = ["anonymous", "owner", "other_member", "vet", "other_vet", "staff"]


@pytest.fixture
def personas(owner, other_member, vet_profile, other_vet, staff):
    return {
        "anonymous": None,
        "owner": owner,
        "other_member": other_member,
        "vet": vet_profile.user,
        "other_vet": other_vet,
        "staff": staff,
    }


def status_for(client_for, personas, persona, method, url, data=None):
    client = client_for(personas[persona])
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


PAGES = {
    # persona: anonymous, owner, other_member, vet, other_vet, staff
    "directory": ("/vets/", [200, 200, 200, 200, 200, 200]),
    "vet_page": ("/vets/{vet}/", [200, 200, 200, 200, 200, 200]),
    "availability_json": ("/vets/availability/?ids={vet}", [200, 200, 200, 200, 200, 200]),
    "consult_form": ("/vets/{vet}/consult/", ["login", 200, 200, 403, 200, 200]),
    "vet_dashboard": ("/vets/me/", ["login", 404, 404, 200, 200, 404]),
    "my_consultations": ("/consultations/", ["login", 200, 200, 200, 200, 200]),
    "complaint_photo": ("/consultations/{c}/complaint-photos/{photo}/", ["login", 200, 404, 200, 404, 200]),
    "room": ("/consultations/{c}/", ["login", 200, 404, 200, 404, 200]),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_page_role_matrix(client_for, personas, make_consultation, page, persona):
    consultation = make_consultation(Status.WAITING)
    photo = consultation.photos.create(image=factories.image_file())
    url, expected = PAGES[page]
    url = url.format(vet=personas["vet"].pk, c=consultation.pk, photo=photo.pk)
    assert status_for(client_for, personas, persona, "get", url) == expected[PERSONAS.index(persona)]


# action: (status the consultation is in, POST data, what each persona gets)
ACTIONS = {
    "accept": (Status.WAITING, {}, ["login", 403, 404, 302, 404, 403]),
    "end": (Status.ACTIVE, {}, ["login", 302, 404, 302, 404, 403]),
    "summary": (
        Status.ENDED,
        {"assessment": "Sehat.", "advice": "Minum cukup."},
        ["login", 403, 404, 302, 404, 403],
    ),
    "cancel": (Status.AWAITING_PAYMENT, {}, ["login", 302, 404, 409, 404, 302]),
    "rate": (Status.ENDED, {"stars": 5}, ["login", 302, 404, 403, 404, 403]),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_action_role_matrix(client_for, personas, make_consultation, action, persona):
    status, data, expected = ACTIONS[action]
    consultation = make_consultation(status)
    got = status_for(
        client_for, personas, persona, "post", f"/consultations/{consultation.pk}/{action}/", data
    )
    assert got == expected[PERSONAS.index(persona)]


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_refuse_get(client_for, owner, make_consultation, action):
    consultation = make_consultation(Status.ACTIVE)
    assert client_for(owner).get(f"/consultations/{consultation.pk}/{action}/").status_code == 405


def test_unknown_consultation_is_404(client_for, staff):
    assert (
        client_for(staff).post("/consultations/00000000-0000-0000-0000-000000000000/accept/").status_code
        == 404
    )


def test_a_vet_without_approved_licence_sees_the_dashboard_with_a_warning(client_for):
    pending = factories.UserFactory(is_vet=True)
    factories.VetLicenceFactory(user=pending)
    response = client_for(pending).get("/vets/me/")
    assert response.status_code == 200
    assert "/accounts/vet-licence/" in response.content.decode()


def test_the_list_shows_only_my_consultations(client_for, make_consultation, owner, other_member, vet):
    mine = make_consultation(Status.WAITING, pet_name="Mochi")
    make_consultation(Status.ENDED, owner=other_member, pet_name="Kiko")
    for user, expected in ((owner, {"Mochi"}), (vet, {"Mochi", "Kiko"}), (other_member, {"Kiko"})):
        page = client_for(user).get("/consultations/").context["page"]
        assert {c.pet_name for c in page.object_list} == expected, user
    assert mine.pk
