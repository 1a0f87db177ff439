import re

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "full_name": "Eka Putri",
        "email": "Eka@Example.test",
        "phone": "0812-1111-2222",
        "city": "",
        "password1": "kucing-Oren-2026",
        "password2": "kucing-Oren-2026",
    }
    data.update(overrides)
    return data


def confirm_link() -> str:
    return re.search(r"http://\S+(/accounts/signup/confirm/\S+/)", mail.outbox[-1].body).group(1)


def test_signup_emails_a_link_that_opens_the_account_and_normalises_email_and_phone(
    client, django_capture_on_commit_callbacks
):
    from accounts.models import Regency

    bandung = Regency.objects.get(code="32.73")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves from the task queue
        response = client.post("/accounts/signup/", signup_data(city=bandung.pk))
    assert response.status_code == 302 and response.url == "/accounts/signup/sent/"
    user = User.objects.get()
    assert user.email == "eka@example.test" and not user.is_active
    assert user.phone == "+6281211112222"
    assert user.city == bandung
    assert not user.is_vet and not user.is_staff
    assert mail.outbox[-1].to == ["eka@example.test"]
    assert client.get("/accounts/profile/").status_code == 302  # not logged in yet
    response = client.get(confirm_link())
    assert response.status_code == 302 and response.url == "/accounts/profile/"
    assert client.get("/accounts/profile/").status_code == 200
    assert client.get(confirm_link()).status_code in (302, 400)  # used once; logged in now anyway
    client.logout()
    assert client.get(confirm_link()).status_code == 400


def test_the_confirm_link_opened_on_another_device_greets_in_the_signup_language(
    client, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", signup_data())
    client.cookies.clear()  # the link is opened on the phone: no language cookie there
    response = client.get(confirm_link(), follow=True)
    assert "Welcome to HELLOPET!, Eka." in response.content.decode()
    assert response.wsgi_request.LANGUAGE_CODE == "en" and client.cookies["django_language"].value == "en"


def test_signup_does_not_reveal_that_an_email_has_an_account(client, django_capture_on_commit_callbacks):
    """Issue 13.13: the same answer for a taken address; its owner is e-mailed instead."""
    owner = UserFactory(email="eka@example.test", full_name="Eka Lama")
    fresh = client.post("/accounts/signup/", signup_data(email="baru@example.test"))
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post("/accounts/signup/", signup_data(email="EKA@example.test"))
    assert (taken.status_code, taken.url) == (fresh.status_code, fresh.url) == (302, "/accounts/signup/sent/")

    def page(url):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(url).content.decode())

    assert page(taken.url) == page(fresh.url)
    assert User.objects.filter(email="eka@example.test").get().full_name == "Eka Lama"
    assert owner.notifications.filter(kind="accounts.signup_attempt").exists()
    assert mail.outbox[-1].to == ["eka@example.test"] and "/accounts/password-reset/" in mail.outbox[-1].body


def test_signup_with_mismatched_passwords_keeps_the_form(client):
    response = client.post("/accounts/signup/", signup_data(password2="other-Password-1"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Eka Putri"' in body  # what was typed stays
    assert set(response.context["form"].errors) == {"password2"}
    assert User.objects.count() == 0


def test_signup_with_a_blank_name_and_a_bad_email_is_a_form_error_not_a_server_error(client):
    # The password checks compare the password with the name and e-mail of an account that has neither.
    response = client.post("/accounts/signup/", signup_data(full_name="   ", email="not-an-email"))
    assert response.status_code == 400
    assert {"full_name", "email"} <= set(response.context["form"].errors)
    assert User.objects.count() == 0


def test_an_unconfirmed_signup_is_replaced_by_a_new_one(client, django_capture_on_commit_callbacks):
    client.post("/accounts/signup/", signup_data(full_name="Salah Ketik"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", signup_data(full_name="Eka Putri"))
    assert User.objects.get().full_name == "Eka Putri"
    assert client.get(confirm_link()).status_code == 302


def test_shelter_signup_needs_the_organisation_name(client):
    response = client.post("/accounts/signup/", signup_data(is_shelter="on"))
    assert response.status_code == 400
    assert "organisation_name" in response.context["form"].errors
    response = client.post(
        "/accounts/signup/", signup_data(is_shelter="on", organisation_name="Rumah Kucing Bogor")
    )
    assert response.status_code == 302
    assert User.objects.get().display_name == "Rumah Kucing Bogor"


def test_vet_signup_is_sent_to_register_the_licence(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", signup_data(is_vet="on"))
    response = client.get(confirm_link())
    assert response.url == "/accounts/vet-licence/"


def test_login_is_by_email_case_insensitive_and_logout_needs_post(client):
    user = UserFactory(email="budi@example.test")
    response = client.post("/accounts/login/", {"username": "BUDI@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_a_form_error_not_a_crash(client):
    UserFactory(email="budi@example.test")
    response = client.post("/accounts/login/", {"username": "budi@example.test", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_password_reset_sends_an_email_with_a_working_link(client, django_capture_on_commit_callbacks):
    UserFactory(email="budi@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": "budi@example.test"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/") :]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"]


def test_profile_edit_validates_phone_and_saves(client_for):
    user = UserFactory()
    c = client_for(user)
    response = c.post(
        "/accounts/profile/", {"full_name": "Budi S.", "phone": "12", "city": "", "language": "en"}
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    response = c.post(
        "/accounts/profile/",
        {"full_name": "Budi S.", "phone": "0813 9999 8888", "city": "", "language": "en"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.language) == ("Budi S.", "+6281399998888", "en")


@pytest.mark.parametrize(
    "path", ["/accounts/profile/", "/accounts/verification/", "/accounts/vet-licence/", "/accounts/delete/"]
)
def test_member_pages_send_anonymous_visitors_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_vet_licence_page_is_only_for_vets(client_for, owner, vet):
    assert client_for(owner).get("/accounts/vet-licence/").status_code == 404
    assert client_for(vet).get("/accounts/vet-licence/").status_code == 200


def test_account_deletion_needs_the_password_and_removes_the_ktp_file(
    client_for, owner, django_capture_on_commit_callbacks
):
    verification = owner.identity_verifications.get()
    storage, name = verification.scan.storage, verification.scan.name
    assert storage.exists(name)
    c = client_for(owner)
    assert c.post("/accounts/delete/", {"password": "wrong"}).status_code == 200
    assert User.objects.filter(pk=owner.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post("/accounts/delete/", {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=owner.pk).exists()
    assert not storage.exists(name)


def test_deleting_an_account_with_payment_records_anonymises_it(
    client_for, owner, django_capture_on_commit_callbacks
):
    from payments.services import payment_create

    payment_create(payer=owner, purpose="consultation", target=owner, amount=50000, description="Konsultasi")
    scan = owner.identity_verifications.get().scan
    storage, name = scan.storage, scan.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert not owner.is_active and not owner.has_usable_password()
    assert owner.email.endswith("@deleted.invalid") and owner.phone == "" and owner.city is None
    assert "Budi" not in owner.full_name
    assert not owner.identity_verifications.exists() and not storage.exists(name)
    assert owner.payments.count() == 1  # the bookkeeping record stays, nameless


def test_greeting_name_skips_titles():
    assert User(full_name="drh. I Made Wirawan").first_name == "Made"  # "I" marks a Balinese man's name
    assert User(full_name="drh. Ayu Pratiwi").first_name == "Ayu"
    assert User(full_name="Dr. Hj. Siti Aminah").first_name == "Siti"
    assert User(full_name="Budi Santoso").first_name == "Budi"
