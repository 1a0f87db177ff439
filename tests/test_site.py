import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_home_is_indonesian_by_default_and_english_on_request(client):
    # Indonesian even when the browser asks for English: only an explicit choice switches.
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in page and "Konsultasi dokter hewan" in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Consult a vet" in page


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    csp = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "http:" not in csp and "https:" not in csp  # no outside origin with the simulator


def test_rupiah_format():
    from common.money import format_rupiah

    assert format_rupiah(150000) == "Rp 150.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(1250000) == "Rp 1.250.000"


@pytest.mark.django_db
def test_a_members_saved_language_applies_when_they_log_in(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(language="en"))
    assert 'lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_shows_each_area_with_a_constant_number_of_queries(
    client, settings, django_assert_max_num_queries
):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    # 8 for vets, pets and articles; 4 for the salon strip (salons, photos, hours, today's closures).
    with django_assert_max_num_queries(12):
        page = client.get("/").content.decode()
    assert "drh. Ayu Pratiwi" in page  # a vet
    assert "/adoption/pets/" in page  # a pet card
    assert page.count('class="card card-link article-card"') == 3  # the newest articles
    assert page.count('class="card card-link pet-card"') == 4
    assert page.count('class="card card-link salon-card"') == 4
