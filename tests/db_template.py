"""The test database, migrated once and copied: each `make test` worker gets its own database as a copy
of a migrated template instead of running every migration itself.

The template is keyed by the content of every migration file (and the Django version and database
engine): the first worker that finds no template for the current key migrates its own database the
normal way (pytest-django, `migrate`), then saves it as the template; every other worker, in this run
or a later one, waits for that (a file lock) and copies it. So a fresh clone migrates once instead of
once per worker, and later runs not at all until a migration changes. The migrations themselves still
run: on every new key, and in CI on every run (a fresh database server, no template).

- SQLite: the template is a file in var/test-db/, copied to the worker's own database file.
- PostgreSQL: the template is a database (`test_<name>_tpl_<key>`), cloned with
  `CREATE DATABASE ... TEMPLATE ...`.

Old templates (another key) are removed when a new one is saved. `--create-db` / `--reuse-db` keep
pytest-django's own behaviour (no template). tests/test_test_isolation.py checks that a database made
from the template holds the same tables, migrations and reference data as a migrated one.
"""

import fcntl
import hashlib
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import django
from django.conf import settings
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "var" / "test-db"
PROJECT_PACKAGES = [path.parent for path in ROOT.glob("*/migrations/__init__.py")]


def template_key(connection) -> str:
    digest = hashlib.sha256()
    digest.update(f"{django.get_version()} {connection.vendor}".encode())
    for folder in sorted(PROJECT_PACKAGES):
        for path in sorted(folder.glob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def locked():
    TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
    with open(TEMPLATE_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class _Template:
    def __init__(self, connection):
        self.connection = connection
        self.key = template_key(connection)
        self.name = connection.settings_dict["NAME"]  # before it points at the test database

    # --- SQLite: a file --------------------------------------------------------------------------------
    def _file(self) -> Path:
        return TEMPLATE_DIR / f"sqlite-{self.key}.sqlite3"

    # --- PostgreSQL: a database ----------------------------------------------------------------------
    def _prefix(self) -> str:
        return f"test_{self.name}_tpl_"[:50]

    def _database(self) -> str:
        return self._prefix() + self.key

    def _nodb(self, sql: str, params=None):
        with self.connection._nodb_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def exists(self) -> bool:
        if self.connection.vendor == "sqlite":
            return self._file().exists()
        return bool(self._nodb("SELECT 1 FROM pg_database WHERE datname = %s", [self._database()]))

    def copy_to(self, test_name: str) -> None:
        if self.connection.vendor == "sqlite":
            if os.path.exists(test_name):
                os.remove(test_name)
            shutil.copyfile(self._file(), test_name)
            return
        quote = self.connection.ops.quote_name
        self._nodb(f"DROP DATABASE IF EXISTS {quote(test_name)}")
        self._nodb(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(self._database())}")

    def save_from(self, test_name: str) -> None:
        self.connection.close()
        if self.connection.vendor == "sqlite":
            for old in TEMPLATE_DIR.glob("sqlite-*.sqlite3"):
                old.unlink()
            partial = self._file().with_suffix(".partial")
            shutil.copyfile(test_name, partial)
            partial.rename(self._file())
            return
        quote = self.connection.ops.quote_name
        pattern = self._prefix().replace("_", r"\_") + "%"
        for (old,) in self._nodb("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern]):
            self._nodb(f"DROP DATABASE IF EXISTS {quote(old)}")
        self._nodb(f"CREATE DATABASE {quote(self._database())} TEMPLATE {quote(test_name)}")


def setup_databases(verbosity: int, aliases, serialized_aliases):
    """django.test.utils.setup_databases for the default database, from the template when there is one.
    Returns what teardown_databases() takes."""
    from django.test.utils import setup_databases as django_setup_databases

    connection = connections["default"]
    if set(aliases) != {"default"} or connection.vendor not in ("sqlite", "postgresql"):
        return django_setup_databases(
            verbosity, False, aliases=aliases, serialized_aliases=serialized_aliases
        )
    template = _Template(connection)
    test_name = connection.creation._get_test_db_name()
    with locked():
        if not template.exists():
            config = django_setup_databases(
                verbosity, False, aliases=aliases, serialized_aliases=serialized_aliases
            )
            template.save_from(test_name)
            connection.ensure_connection()
            return config
        template.copy_to(test_name)
    # What create_test_db() does after its migrate: point the connection at the test database and keep
    # the serialized contents for the transactional tests' restore.
    old_name = connection.settings_dict["NAME"]
    connection.close()
    settings.DATABASES["default"]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    if "default" in set(serialized_aliases):
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    connection.ensure_connection()
    return [(connection, old_name, True)]
