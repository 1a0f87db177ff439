"""Issue 15.3: a vet can switch off the new-request chime in their profile; the chime file is ours."""

from pathlib import Path

from notifications.sounds import chime_wav
from tests.factories import UserFactory, VetFactory

ROOT = Path(__file__).resolve().parents[2]


def test_vet_switches_the_chime_off_and_pages_stop_asking_for_it(client_for, db):
    vet = VetFactory(language="id")
    client = client_for(vet)
    page = client.get("/accounts/profile/").content.decode()
    assert 'name="request_sound"' in page and "suara untuk permintaan konsultasi baru" in page.lower()
    assert 'data-request-sound="/static/sounds/new-request.wav"' in page

    response = client.post(
        "/accounts/profile/", {"full_name": vet.full_name, "phone": "", "city": "", "language": "id"}
    )  # an unticked checkbox is not sent
    assert response.status_code == 302
    vet.refresh_from_db()
    assert vet.request_sound is False
    assert "data-request-sound" not in client.get("/vets/me/").content.decode()


def test_members_who_are_not_vets_have_no_chime_setting(client_for, db):
    member = UserFactory()
    page = client_for(member).get("/accounts/profile/").content.decode()
    assert 'name="request_sound"' not in page
    assert "data-request-sound" not in page


def test_the_chime_file_is_the_one_the_code_makes():
    data = (ROOT / "static" / "sounds" / "new-request.wav").read_bytes()
    assert data == chime_wav()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and len(data) < 8000
