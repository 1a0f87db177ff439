"""Sessions read from the cache (common.sessions): logout still ends them, and Redis being down
neither logs anyone out nor stops logins."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from common.sessions import SessionStore
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cached_sessions(settings):
    settings.SESSION_ENGINE = "common.sessions"


def _cached_copy(session_key: str):
    return cache.get(SessionStore.cache_key_prefix + session_key)


def _is_member_page(response, user) -> bool:
    return response.status_code == 200 and user.first_name in response.content.decode()


def test_a_session_is_recorded_in_the_database_and_read_from_the_cache(owner):
    client = Client()
    assert client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    assert _cached_copy(key) is not None
    assert _is_member_page(client.get("/privacy/"), owner)


def test_logout_ends_the_session_in_the_cache_too(owner):
    client = Client()
    client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    old_key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert _cached_copy(old_key) is None
    assert not Session.objects.filter(session_key=old_key).exists()

    replay = Client()
    replay.cookies["sessionid"] = old_key
    assert not _is_member_page(replay.get("/privacy/"), owner)
    assert replay.get("/consultations/").status_code == 302  # to the login page


def test_sessions_survive_a_cache_flush(owner):
    client = Client()
    client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    cache.clear()
    assert _is_member_page(client.get("/privacy/"), owner)


def test_login_and_pages_work_while_the_cache_is_down(owner, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    for name in ("get", "get_many", "set", "set_many", "delete", "has_key"):
        monkeypatch.setattr(cache, name, broken)
    client = Client()
    assert client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302
    assert _is_member_page(client.get("/privacy/"), owner)
    client.post("/accounts/logout/")
    assert not _is_member_page(client.get("/privacy/"), owner)


def test_a_cached_copy_lives_at_most_the_configured_time(settings):
    settings.SESSION_CACHE_SECONDS = 600
    store = SessionStore()
    assert store._cache_ttl(14 * 24 * 3600) == 600
    assert store._cache_ttl(30) == 30
