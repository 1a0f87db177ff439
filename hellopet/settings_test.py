"""Fast settings for the test suite: the real settings with test-only speed-ups on top."""

import os
import tempfile

os.environ.setdefault("HELLOPET_TESTING", "1")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
_tmp = tempfile.mkdtemp(prefix="hellopet-test-")
# A live server subprocess is handed the parent's folders through the environment.
MEDIA_ROOT = os.environ.get("HELLOPET_TEST_MEDIA_ROOT") or os.path.join(_tmp, "media")
PRIVATE_MEDIA_ROOT = os.environ.get("HELLOPET_TEST_PRIVATE_MEDIA_ROOT") or os.path.join(_tmp, "private")
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT  # noqa: F405
STORAGES["default"]["OPTIONS"] = {"location": MEDIA_ROOT}  # noqa: F405
# Never real Midtrans from the suite, whatever a developer's .env holds: the simulator stands in,
# and the tests that exercise the real client set keys themselves (HTTP intercepted with `responses`).
MIDTRANS_SERVER_KEY = MIDTRANS_CLIENT_KEY = MIDTRANS_API_URL = MIDTRANS_SNAP_URL = ""
MIDTRANS_IS_PRODUCTION = False
PAYMENT_SIMULATOR = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not :memory:, so that a live ASGI server in another process sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_tmp, "test.sqlite3")}  # noqa: F405

# Parallel runs (pytest-xdist, `make test`): each worker process has its own temporary folder (above),
# its own test database (pytest-django adds the worker id to the name) and, below, its own keys in a
# shared Redis. A live server started by a worker inherits PYTEST_XDIST_WORKER and so the same keys.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER") or "main"
if REDIS_URL:  # noqa: F405
    CACHES["default"].update(  # noqa: F405
        # clear() (before every test) deletes this worker's keys only, not the whole Redis database.
        {"BACKEND": "tests.redis_cache.WorkerRedisCache", "KEY_PREFIX": f"test-{TEST_WORKER}"}
    )
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"asgi-test-{TEST_WORKER}"  # noqa: F405
    HUEY["name"] = f"hellopet-test-{TEST_WORKER}"  # noqa: F405
elif not os.environ.get("HUEY_SQLITE_PATH"):
    HUEY["filename"] = os.path.join(_tmp, "huey.sqlite3")  # noqa: F405 (not var/, shared by every run)

# The task queue runs each task inline at enqueue (on commit) so the suite stays fast; tests that need
# a real queue (timeouts, outages, a consumer process) switch it off themselves. A consumer process
# started by a test gets HUEY_IMMEDIATE=0 and the SQLite queue file through the environment.
HUEY["immediate"] = os.environ.get("HUEY_IMMEDIATE", "1") != "0"  # noqa: F405
TASK_RETRY_DELAY_SECONDS = 1
# The suite runs the simulator on purpose (DEBUG=False): the opt-in that a demo deployment gives.
PAYMENT_SIMULATOR_OPT_IN = True
# The suite's staff persona logs in with a password (as on the demo); the second factor has its own tests.
STAFF_OTP_REQUIRED = False
