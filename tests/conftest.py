"""Shared fixtures: personas, service requirements, a live ASGI server for browser tests.

Personas (healthchecks style): `owner` is a verified member, `other_member` a second verified member,
`unverified_member` has no KTP, `vet` a vet with an approved licence, `staff` an admin.

Markers `postgres`, `redis`, `browser`: the test skips when the service is missing, except with
CI=true, where a missing service fails the test (CI must really run them).
"""

import contextlib
import gc
import os
import secrets
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests import factories, fast_restore


def pytest_sessionstart(session):
    """The collector's cost in a test process: what start-up loaded (Django, the apps, the test modules)
    is frozen out of its scans and it runs less often — as the ASGI processes do (hellopet/asgi.py)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)

CI = os.environ.get("CI", "").lower() == "true"
fast_restore.install()  # transactional tests: the reference data back in one INSERT per table
# The headless shell (Debian's chromium-headless-shell, what Playwright itself runs for headless tests) when
# it is installed: the same Blink and V8 as the full browser, at ~30 % less CPU per page in the axe scans.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if Path(path).exists()),
    "/usr/bin/chromium",
)
ROOT = Path(__file__).resolve().parent.parent


def _missing(reason: str):
    if CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping())
    except Exception:
        return False


def pytest_collection_modifyitems(items):
    _serialize_transactional_tests(items)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _browser_tests_first(items)


def _browser_tests_first(items):
    """Parallel run (`make test`): the browser tests, the longest by far, are handed out first among the
    transactional tests, so that no worker is left with a long one at the end while the other idles.

    Only the transactional tests trade places, among their own slots: each restores the reference data
    before it runs and empties the database after, so every other test keeps the neighbours (and the
    database state) pytest-django's order gave it.
    """
    slots = [index for index, item in enumerate(items) if _django_order(item) == 1]
    moved = sorted(
        (items[index] for index in slots), key=lambda item: item.get_closest_marker("browser") is None
    )
    for index, item in zip(slots, moved, strict=True):
        items[index] = item


def _django_order(item) -> int:
    """pytest-django's (and Django's) group: 0 database, 1 transactional database, 2 no database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) or (
        "transactional_db" in fixtures or "live_server" in fixtures
    ):
        return 1
    return 0 if marker or "db" in fixtures else 2


def _serialize_transactional_tests(items):
    """Every transactional test restores the database as migrations left it (serialized rollback).

    A transactional test ends with a flush, which empties the reference data that migrations load
    (regions, species, specialties). Mixing serialized and plain flushes also breaks: a plain flush
    re-creates content types, which the next serialized restore then inserts again. So all of them
    serialize, whichever way they were marked.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                append=False,
            )


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's test database set-up, except that each worker copies a migrated template
    instead of migrating (tests/db_template.py). With --reuse-db, --create-db or --no-migrations,
    pytest-django's own behaviour."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests import db_template

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    plain = not django_db_use_migrations or django_db_keepdb or django_db_createdb
    if not django_db_use_migrations:
        _disable_migrations()
    with django_db_blocker.unblock():
        if plain:
            config = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=django_db_keepdb and not django_db_createdb,
            )
        else:
            config = db_template.setup_databases(verbosity, aliases, serialized_aliases)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Close the connection a browser test's own ORM calls opened while Playwright's sync API ran.

    Django keys connections by async context, and Playwright's event loop gives those calls a
    connection of their own that nothing else closes; left open, it blocks dropping the test database.
    """
    try:
        return (yield)
    finally:
        if item.get_closest_marker("browser"):
            from django.db import connections

            connections.close_all()


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("this test needs PostgreSQL (set DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and not redis_available():
        _missing("this test needs Redis (set REDIS_URL=redis://...)")
    if item.get_closest_marker("browser"):
        if not Path(CHROMIUM).exists():
            _missing(f"this test needs Chromium at {CHROMIUM}")
        try:
            import playwright  # noqa: F401
        except ImportError:
            _missing("this test needs the playwright package")


# --- the task queue ------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _empty_task_queue():
    """The suite runs Huey in immediate mode (in-memory storage): every test starts with it empty."""
    from huey.contrib.djhuey import HUEY

    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


class TaskQueue:
    """Drives the in-memory queue of immediate mode: retries and delayed tasks wait in its schedule
    until a test runs them (as a consumer would once their time comes)."""

    def __init__(self, huey):
        self.huey = huey

    def scheduled(self):
        return self.huey.scheduled()

    def run_scheduled(self, rounds: int = 20) -> int:
        """Run every scheduled task (retries included) as if its time had come; returns how many ran."""
        import datetime

        later = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(days=30)
        ran = 0
        for _ in range(rounds):
            due = self.huey.read_schedule(later)
            if not due:
                break
            for task in due:
                self.huey.execute(task, timestamp=later)
                ran += 1
        return ran


@pytest.fixture
def task_queue():
    from huey.contrib.djhuey import HUEY

    return TaskQueue(HUEY)


@pytest.fixture
def real_queue():
    """Huey out of immediate mode for one test: tasks wait in an in-memory queue of this process until
    a consumer (`in_process_consumer`) or the test runs them. Combine with transactional_db."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    from huey.storage import MemoryStorage

    HUEY.storage = MemoryStorage(HUEY.name)
    try:
        yield HUEY
    finally:
        HUEY.immediate = True  # back to a fresh in-memory storage, executing inline


@pytest.fixture
def in_process_consumer(real_queue):
    """start() -> a real Huey consumer (worker threads + scheduler) on real_queue; stopped at the end."""
    started = []

    def start(workers: int = 2):
        consumer = real_queue.create_consumer(
            workers=workers,
            worker_type="thread",
            periodic=False,
            check_worker_health=False,
            scheduler_interval=0.2,
            max_delay=0.2,
        )
        consumer._set_signal_handlers = lambda: None  # pytest keeps its own SIGINT handling
        consumer.start()
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        consumer.stop(graceful=True)


# --- personas ----------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a page stored by an earlier test (whose rows were rolled
    back without any signal) must not be served to the next one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def owner(db):
    return factories.VerifiedMemberFactory(full_name="Budi Santoso", email="budi@example.test")


@pytest.fixture
def other_member(db):
    return factories.VerifiedMemberFactory(full_name="Citra Lestari", email="citra@example.test")


@pytest.fixture
def unverified_member(db):
    return factories.UserFactory(full_name="Dewi Anggraini", email="dewi@example.test")


@pytest.fixture
def vet(db):
    return factories.VetFactory(full_name="drh. Ayu Pratiwi", email="ayu@example.test")


@pytest.fixture
def staff(db):
    return factories.UserFactory(
        full_name="Admin HELLOPET", email="admin@example.test", is_staff=True, is_superuser=True
    )


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user (None: anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


# --- live ASGI server (HTTP + WebSocket) for browser tests ------------------------------------------
def _worker_ports() -> range | None:
    """This worker's share of HELLOPET_TEST_PORTS ("21000-21999"), or None: any free port will do.

    Parallel workers (pytest-xdist) each take their own slice, so two workers never pick the same port
    between one closing its probe socket and its server binding it.
    """
    spec = os.environ.get("HELLOPET_TEST_PORTS", "")
    if not spec:
        return None
    first, last = (int(part) for part in spec.split("-"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw")) if worker.startswith("gw") else 0
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    size = (last - first + 1) // count
    if size < 1:
        raise RuntimeError(f"HELLOPET_TEST_PORTS={spec} is too small for {count} workers")
    return range(first + index * size, first + (index + 1) * size)


_next_port = {"index": 0}


def _free_port() -> int:
    ports = _worker_ports()
    if ports is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    for _ in range(len(ports)):
        port = ports[_next_port["index"] % len(ports)]
        _next_port["index"] += 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    from urllib.parse import quote

    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


LIVE_ASGI_APP = "tests.live_asgi:application"


class LiveServer:
    """One daphne process of this worker on the test database, serving tests/live_asgi.py (the real
    ASGI app plus a reset endpoint). Started at the first browser test, kept for the worker's session;
    `reset()` between tests gives each test a process as fresh as a new one (see tests/live_asgi.py)."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.token = secrets.token_hex(16)
        self.proc = self.log = self.url = None

    def start(self) -> None:
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hellopet.settings_test",
            "DATABASE_URL": _database_url(),
            "HELLOPET_TESTING": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HELLOPET_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "HELLOPET_TEST_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "HELLOPET_TEST_RESET_TOKEN": self.token,
            "SITE_URL": f"http://127.0.0.1:{port}",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
        self.proc = subprocess.Popen(
            # A WebSocket whose close never got through (a browser context taken offline, then closed)
            # ends at daphne's ping, as in production (20 s + 30 s there): here within ~8 s, inside the
            # reset's 15 s wait, instead of costing a new server.
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "--ping-interval", "2", "--ping-timeout", "4", LIVE_ASGI_APP],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"the live ASGI server exited at start-up; see {self.log_path}")
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the live ASGI server did not start within 30 s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
            self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def reset(self) -> None:
        """Wait until the previous test's requests, sockets and leftover tasks are done, then empty the
        process's memory (caches, channel layer, task queue). A process that died or stays busy is
        replaced by a new one, so no test ever sees another's state."""
        import urllib.error
        import urllib.request

        if self.proc is None or self.proc.poll() is not None:
            self.stop()
            self.start()
            return
        request = urllib.request.Request(
            f"{self.url}/__tests__/reset/", method="POST", headers={"X-Reset-Token": self.token}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (127.0.0.1)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as error:
            detail = getattr(error, "read", lambda: b"")().decode(errors="replace") or repr(error)
            self.log.write(f"\n[tests] reset failed ({detail}); starting a new server\n".encode())
            warnings.warn(f"live server: reset failed ({detail}); started a new one", stacklevel=2)
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def _live_server_process(django_db_setup, django_db_blocker, tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live-server") / "live-server.log")
    yield server
    server.stop()


@pytest.fixture
def live_asgi_server(transactional_db, _live_server_process):
    """The real ASGI app under daphne (a subprocess) on the test database. Yields its base URL.

    One process per worker, reset before and after each test (after: quiet before pytest-django empties
    the database)."""
    _live_server_process.reset()
    yield _live_server_process.url
    _live_server_process.reset()


class _Chromium:
    """This worker's one headless system Chromium, driven by Playwright's sync API (no browser download).

    Playwright's sync API keeps its event loop marked as the thread's running loop between calls; left
    so, every later test of the worker would see a running loop (async tests could not start one, and
    Django's ORM would refuse to run). So the loop state is Playwright's only while a browser test runs:
    `enter()` before, `leave()` after."""

    def __init__(self):
        self.playwright = self.instance = None
        self.loop = None
        self.hooks = None  # Playwright's async-generator hooks while it is parked
        self.outside = None

    def enter(self):
        import asyncio

        self.outside = sys.get_asyncgen_hooks()
        if self.playwright is None:
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            self.loop = self.playwright._loop
            self.instance = self.playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
        else:
            asyncio._set_running_loop(self.loop)
            sys.set_asyncgen_hooks(*self.hooks)
        return self.instance

    def leave(self):
        import asyncio

        self.hooks = sys.get_asyncgen_hooks()
        asyncio._set_running_loop(None)
        sys.set_asyncgen_hooks(*self.outside)

    def close(self):
        if self.playwright is None:
            return
        self.enter()
        try:
            self.instance.close()
        finally:
            self.playwright.stop()
            sys.set_asyncgen_hooks(*self.outside)


class _BrowserForOneTest:
    """The worker's Chromium as one test sees it: every context it opens is closed when it ends."""

    def __init__(self, instance):
        self._instance = instance
        self.contexts = []

    def new_context(self, **options):
        context = self._instance.new_context(**options)
        self.contexts.append(context)
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def close_contexts(self):
        for context in self.contexts:
            with contextlib.suppress(Exception):  # already closed by the test
                context.close()


@pytest.fixture(scope="session")
def _chromium():
    chromium = _Chromium()
    yield chromium
    chromium.close()


@pytest.fixture
def browser(live_asgi_server, _chromium):
    """Chromium for one test: the worker's one browser, a fresh context (cookies, storage, cache) for
    each `new_context()`, all closed at the end of the test, before the live server is reset."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop in this thread
    view = _BrowserForOneTest(_chromium.enter())
    try:
        yield view
    finally:
        try:
            view.close_contexts()
        finally:
            _chromium.leave()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def phone_context(browser):
    """A phone-sized browser context (360 x 740), Indonesian."""
    return browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")


def login_in_browser(page, base_url: str, user, password: str = factories.PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
