"""Issue 13.20: while PostgreSQL is down the site answers its own 503 page with Retry-After; pooled
connections are checked when they leave the pool (PostgreSQL restarts break them)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
from django.test import Client
for cookie in ("", "en"):
    client = Client(raise_request_exception=False)
    if cookie:
        client.cookies["django_language"] = cookie
    client.cookies["sessionid"] = "x" * 32  # a logged-in visitor: the session lookup fails too
    for path in ("/", "/adoption/", "/accounts/login/"):
        r = client.get(path)
        html = r.content.decode()
        print(path, cookie or "id", r.status_code, r.get("Retry-After"), html.count("HELLOPET!"),
              "Kembali sebentar lagi" in html, "Back in a moment" in html)
"""


def test_pages_answer_the_sites_own_503_with_retry_after_when_postgresql_refuses(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "hellopet.settings",
        "HELLOPET_TESTING": "1",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "testserver",
        # Nothing listens there: the state of the site while PostgreSQL restarts.
        "DATABASE_URL": "postgres://hellopet:hellopet@127.0.0.1:13999/hellopet",
    }
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in run.stdout.strip().splitlines() if line.startswith("/")]
    assert len(lines) == 6, run.stdout + run.stderr
    for line in lines:
        path, language, status, retry, brand, indonesian, english = line.split()
        assert status == "503" and retry == "30", line
        assert int(brand) >= 1
        assert (indonesian, english) == (("True", "False") if language == "id" else ("False", "True")), line


@pytest.mark.django_db
def test_other_errors_still_answer_500_with_the_sites_page(monkeypatch):
    from pages import views

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "render", boom)  # the privacy page's render
    response = Client(raise_request_exception=False).get("/privacy/")
    assert response.status_code == 500 and "HELLOPET!" in response.content.decode()
    assert "Terjadi kesalahan" in response.content.decode()
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_database_error_mid_request_is_a_503(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", refuse)
    response = Client(raise_request_exception=False).get("/adoption/")
    assert response.status_code == 503 and response["Retry-After"] == "30"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pool_check_replaces_a_connection_broken_by_a_restart():
    """What DATABASES' pool "check" buys: a pooled connection killed by the server is replaced before
    it is handed out (without the check, the first query on it fails)."""
    from django.conf import settings as dj_settings
    from django.db import connection
    from psycopg_pool import ConnectionPool

    db = connection.settings_dict
    conninfo = (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )
    results = {}
    for check in (None, ConnectionPool.check_connection):
        with ConnectionPool(conninfo, min_size=1, max_size=1, check=check, open=True) as pool:
            with pool.connection() as conn:
                pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            with connection.cursor() as cursor:  # the "restart": the server drops that connection
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            try:
                with pool.connection() as conn:
                    conn.execute("SELECT 1")
                results[check is not None] = "ok"
            except Exception as exc:  # psycopg.OperationalError
                results[check is not None] = type(exc).__name__
    assert results[True] == "ok"
    assert results[False] != "ok"  # proves the scenario is real
    assert dj_settings.DATABASES  # settings wiring is checked below


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_pooled_settings_open_a_pool_that_checks_connections():
    """DATABASE_POOL=true: Django opens psycopg's pool with check=ConnectionPool.check_connection
    (CONN_HEALTH_CHECKS). Opening the pool for real: passing `check` among the pool options as well
    makes every query fail ("got multiple values for keyword argument 'check'")."""
    from tests.conftest import _database_url

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "hellopet.settings",
        "HELLOPET_TESTING": "1",
        "DATABASE_URL": _database_url(),
        "DATABASE_POOL": "true",
    }
    script = (
        "from django.db import connection; from psycopg_pool import ConnectionPool; "
        "connection.cursor().execute('SELECT 1'); "
        "print(connection.pool._check is ConnectionPool.check_connection)"
    )
    run = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.strip() == "True", run.stderr
