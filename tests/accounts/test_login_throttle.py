"""Issue 13.8-10: login throttling with django-axes (database handler), behind a proxy, on the admin
login too, lifted by a password reset."""

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROXY = "127.0.0.1"


def attempt(client, email, password, ip=None, path=LOGIN, **extra):
    if ip is not None:
        extra["HTTP_X_FORWARDED_FOR"] = ip
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=PROXY, **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]


def test_five_failures_lock_that_client_out_of_that_account_with_a_clear_429(client):
    UserFactory(email="budi@example.test")
    for _ in range(4):
        assert attempt(client, "budi@example.test", "nope").status_code == 200
    response = attempt(client, "BUDI@example.test", "nope")  # case does not dodge the count
    assert response.status_code == 429
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["throttled"]
    response = attempt(client, "budi@example.test", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.usefixtures("behind_proxy")
def test_behind_the_proxy_one_attacker_does_not_lock_out_everyone(client):
    """Before: 30 failures from anyone (all 127.0.0.1 behind nginx) locked every user out."""
    UserFactory(email="budi@example.test")
    UserFactory(email="sari@example.test")
    for n in range(40):
        attempt(client, f"victim{n}@example.test", "nope", ip="203.0.113.9")
    for _ in range(5):
        attempt(client, "budi@example.test", "nope", ip="203.0.113.9")
    assert attempt(client, "budi@example.test", PASSWORD, ip="203.0.113.9").status_code == 429
    # Budi from his own phone, and Sari, get in with the right password.
    assert attempt(client, "budi@example.test", PASSWORD, ip="198.51.100.7").status_code == 302
    client.logout()
    assert attempt(client, "sari@example.test", PASSWORD, ip="198.51.100.8").status_code == 302


def test_forwarded_header_from_an_untrusted_peer_is_ignored(rf, settings):
    from common.client_ip import client_ip

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    spoofed = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(spoofed) == "203.0.113.9"
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.5")
    assert client_ip(proxied) == "198.51.100.7"  # the nearest address that is not ours
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")
    assert client_ip(garbage) == "10.0.0.2"
    settings.TRUSTED_PROXIES = []
    assert client_ip(proxied) == "10.0.0.2"


def test_admin_login_is_throttled(client, staff):
    for _ in range(12):
        attempt(client, staff.email, "wrong", path="/admin/login/")
    response = attempt(client, staff.email, PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_lifts_the_lock(client, django_capture_on_commit_callbacks):
    UserFactory(email="budi@example.test")
    for _ in range(5):
        attempt(client, "budi@example.test", "nope")
    assert attempt(client, "budi@example.test", PASSWORD).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves from the task queue
        client.post("/accounts/password-reset/", {"email": "budi@example.test"}, REMOTE_ADDR=PROXY)
    link = re.search(r"/accounts/reset/\S+/", mail.outbox[-1].body).group(0)
    form_url = client.get(link, REMOTE_ADDR=PROXY)["Location"]
    done = client.post(
        form_url,
        {"new_password1": "Kucing-Baru-2026", "new_password2": "Kucing-Baru-2026"},
        REMOTE_ADDR=PROXY,
    )
    assert done.status_code == 302
    assert attempt(client, "budi@example.test", "Kucing-Baru-2026").status_code == 302


def test_login_keeps_working_while_the_cache_is_down(client, settings):
    """Issue 13.18: throttling lives in the database; a dead cache does not stop logins."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    UserFactory(email="budi@example.test")
    assert attempt(client, "budi@example.test", "nope").status_code == 200
    assert attempt(client, "budi@example.test", PASSWORD).status_code == 302
