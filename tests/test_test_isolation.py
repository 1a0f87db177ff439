"""What keeps `make test`'s parallel workers apart, and the check that the lock matches pyproject.toml."""

import importlib.util
import shutil
import time

import pytest
from django.conf import settings

from tests.conftest import ROOT, _worker_ports


def test_each_worker_gets_its_own_slice_of_the_test_ports(monkeypatch):
    monkeypatch.setenv("HELLOPET_TEST_PORTS", "21000-21999")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = _worker_ports()
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = _worker_ports()
    assert first == range(21000, 21500) and second == range(21500, 22000)
    monkeypatch.delenv("HELLOPET_TEST_PORTS")
    assert _worker_ports() is None  # any free port from the OS


@pytest.mark.redis
def test_clearing_the_cache_leaves_other_workers_keys_alone():
    import redis

    assert settings.CACHES["default"]["KEY_PREFIX"].startswith("test-")
    from django.core.cache import cache

    other = redis.Redis.from_url(settings.REDIS_URL)
    other.set("test-other-worker:1:presence", "1")
    try:
        cache.set("mine", 1)
        cache.clear()
        assert cache.get("mine") is None
        assert other.get("test-other-worker:1:presence") == b"1"
    finally:
        other.delete("test-other-worker:1:presence")


def _check_lock_in(tmp_path):
    (tmp_path / "requirements").mkdir()
    for name in (
        "pyproject.toml",
        "requirements/dev.txt",
        "requirements/prod.txt",
        "requirements/check_lock.py",
    ):
        shutil.copy(ROOT / name, tmp_path / name)
    spec = importlib.util.spec_from_file_location("check_lock", tmp_path / "requirements/check_lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lock_matches_pyproject_and_a_changed_pin_is_named(tmp_path):
    check = _check_lock_in(tmp_path)
    assert check.problems() == []
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text()
    text = text.replace('"qrcode==8.2",', '"qrcode==8.2",\n    "emoji==2.14.1",')
    text = text.replace('"ruff==0.17.6"', '"ruff==0.17.7"').replace('    "polib==1.2.0",\n', "")
    pyproject.write_text(text)
    assert check.problems() == [
        "requirements/dev.txt: emoji==2.14.1 is in pyproject.toml but not in the lock",
        "requirements/dev.txt: ruff is 0.17.7 in pyproject.toml but 0.17.6 in the lock",
        "requirements/dev.txt: polib came from pyproject.toml, which no longer names it",
        "requirements/prod.txt: emoji==2.14.1 is in pyproject.toml but not in the lock",
    ]


# --- the browser tests' shared live server (one per worker, reset between tests) ----------------------
def _get(url, cookie=None, **headers):
    import urllib.request

    request = urllib.request.Request(url, headers={**({"Cookie": cookie} if cookie else {}), **headers})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (127.0.0.1)
        return response.read().decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_live_server_forgets_what_it_remembered_once_reset(owner, live_asgi_server, _live_server_process):
    """The live server is shared by a worker's browser tests: what it keeps in memory (here the header's
    cached unread count) is gone after the reset that runs between two tests."""
    from notifications.models import Notification
    from tests.consultations.chat_support import session_cookie

    cookie = session_cookie(owner)
    assert "data-unread-badge hidden" in _get(f"{live_asgi_server}/accounts/profile/", cookie)
    # Written without the services (no signal, nothing forgotten): the server's cached count is stale.
    Notification.objects.bulk_create([Notification(recipient=owner, kind="test", title="Halo")])
    assert "data-unread-badge hidden" in _get(f"{live_asgi_server}/accounts/profile/", cookie)

    _live_server_process.reset()
    page = _get(f"{live_asgi_server}/accounts/profile/", cookie)
    assert "data-unread-badge hidden" not in page and "<title>(1) " in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_live_server_reset_needs_its_token_and_waits_for_open_sockets(
    owner, vet, live_asgi_server, _live_server_process
):
    import threading
    import urllib.error

    from tests.consultations.chat_support import make_consultation, session_cookie

    with pytest.raises(urllib.error.HTTPError) as refused:
        _get(f"{live_asgi_server}/__tests__/reset/", **{"X-Reset-Token": "guess"})
    assert refused.value.code == 404

    # A socket of "the previous test" still open: the reset waits for it to close, it does not cut in.
    import websockets.sync.client as ws_client

    consultation = make_consultation(owner, vet)
    with ws_client.connect(
        f"{live_asgi_server.replace('http', 'ws')}/ws/consultations/{consultation.pk}/",
        additional_headers={"Cookie": session_cookie(owner), "Origin": live_asgi_server},
    ) as socket:
        timer = threading.Timer(1.0, socket.close)
        timer.start()
        started = time.monotonic()
        process = _live_server_process.proc
        _live_server_process.reset()
        assert time.monotonic() - started >= 0.9  # waited for the socket
    assert _live_server_process.proc is process  # and did not need a new process


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_fast_restore_gives_the_database_django_restore_gives():
    """Transactional tests restore the reference data through tests/fast_restore.py: the database after
    it serializes exactly as the one migrations built, and as after Django's own restore."""
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Regency
    from tests import fast_restore

    migrated = connection._test_serialized_contents
    assert Regency.objects.count() > 100  # what a transactional test's flush empties

    def flush():
        # As a transactional test ends (sequences left as they are: ids are never reused).
        call_command(
            "flush", verbosity=0, interactive=False, inhibit_post_migrate=True, reset_sequences=False
        )
        assert not Regency.objects.exists()

    flush()
    fast_restore.django_restore(connection.creation, migrated)
    by_django = connection.creation.serialize_db_to_string()
    flush()
    connection.creation.deserialize_db_from_string(migrated)  # the suite's (installed by conftest)
    assert connection.creation.serialize_db_to_string() == by_django == migrated


@pytest.mark.django_db
def test_the_test_database_copied_from_the_template_has_every_migration_applied():
    """Workers copy a migrated template (tests/db_template.py) instead of migrating: the copy is of
    the current migrations, none left to apply."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_a_changed_migration_makes_a_new_template(tmp_path, monkeypatch):
    from django.db import connection

    from tests import db_template

    migrations = tmp_path / "app" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_initial.py").write_text("operations = []\n")
    monkeypatch.setattr(db_template, "ROOT", tmp_path)
    monkeypatch.setattr(db_template, "PROJECT_PACKAGES", [migrations])
    before = db_template.template_key(connection)
    (migrations / "0001_initial.py").write_text("operations = ['changed']\n")
    assert db_template.template_key(connection) != before
    (migrations / "0002_more.py").write_text("operations = []\n")
    assert len({before, db_template.template_key(connection)}) == 2
