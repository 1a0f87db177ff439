"""The user row read from the cache on each request (accounts.backends.CachedUserBackend): no query
for who is asking, yet a rename, a deactivation or a password change counts on the next request."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _logged_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def _user_queries(client, path="/privacy/") -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return sum('FROM "accounts_user"' in q["sql"] for q in queries.captured_queries)


def test_a_password_login_reads_the_user_from_the_cache_after_the_first_request(owner):
    client = _logged_in(owner)
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.CachedUserBackend"
    client.get("/privacy/")
    assert _user_queries(client) == 0


def test_a_rename_shows_on_the_next_request(owner):
    client = _logged_in(owner)
    client.get("/privacy/")
    owner.full_name = "Bambang Santoso"
    owner.save()
    assert "Bambang" in client.get("/privacy/").content.decode()


def test_a_deactivated_member_is_logged_out_on_the_next_request(owner):
    client = _logged_in(owner)
    client.get("/privacy/")
    owner.is_active = False
    owner.save()
    assert client.get("/consultations/").status_code == 302


def test_a_password_change_ends_the_other_sessions(owner):
    phone, laptop = _logged_in(owner), _logged_in(owner)
    phone.get("/privacy/")
    laptop.get("/privacy/")
    owner.set_password("a-new-Password-99")
    owner.save()
    assert phone.get("/consultations/").status_code == 302
    assert laptop.get("/consultations/").status_code == 302


def test_a_wrong_password_is_checked_once(owner, monkeypatch):
    """The legacy ModelBackend entry (for sessions opened before the cached one) must not hash it again."""
    from accounts.models import User

    checks = []
    original = User.check_password

    def counting(self, raw_password):
        checks.append(raw_password)
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting)
    response = Client().post("/accounts/login/", {"username": owner.email, "password": "wrong"})
    assert response.status_code == 200
    assert checks == ["wrong"]
