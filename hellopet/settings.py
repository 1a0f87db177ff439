"""HELLOPET! settings: one file, every value from the environment with a safe embedded default.

With nothing configured the app runs on SQLite, the in-memory channel layer, console email and the
built-in payment simulator. `.env.example` documents every variable.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("HELLOPET_TESTING", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

if not DEBUG and not TESTING:
    # Fail loudly at start-up rather than run production on a known key or an open host list.
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of 32+ characters when DEBUG=False."
        )
    if not env.list("ALLOWED_HOSTS", default=[]):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set explicitly when DEBUG=False.")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "notifications",
    "payments",
    "earnings",
    "pets",
    "consultations",
    "grooming",
    "adoption",
    "articles",
    "adminsite",
    "pages",
    "huey.contrib.djhuey",
    "background",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pages.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "common.middleware.LanguageMiddleware",
    "accounts.middleware.TimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns an axes lock-out into its answer (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hellopet.urls"
WSGI_APPLICATION = "hellopet.wsgi.application"
ASGI_APPLICATION = "hellopet.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pages.context_processors.site",
            ],
            "builtins": ["common.templatetags.site_filters"],
            # common/ is a package, not an app: its tag libraries are named here.
            "libraries": {"pagecache": "common.templatetags.pagecache"},
        },
    }
]

# Django's renderer: checkbox labels without the colon, "Choose…" for an empty choice (common/forms.py).
FORM_RENDERER = "common.forms.SiteFormRenderer"

# --- Database -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions + WAL: concurrent writers wait for the lock instead of failing with
    # "database is locked" in the middle of a transaction (dev server serves HTTP and WebSocket at once).
    # synchronous=NORMAL is SQLite's advice for WAL: no corruption, one fsync less per commit (measured:
    # chat acknowledgement p50 10.5 -> 7.4 ms); the last commits may be lost on a power cut.
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif _db["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_POOL", default=False):
    # Measured: CONN_MAX_AGE=0 in a WebSocket consumer opens a connection per message (~55 msg/s).
    # The ASGI process sets DATABASE_POOL=true to reuse connections from psycopg's pool.
    _db["CONN_MAX_AGE"] = 0
    # Check each connection as it leaves the pool: after a PostgreSQL restart the pooled ones are dead,
    # and without the check their first query failed (11 chat server_error frames measured). With a pool,
    # Django passes check=ConnectionPool.check_connection itself when CONN_HEALTH_CHECKS is on (a `check`
    # among the pool options too would make opening the pool fail).
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=20),
        "timeout": 10,
    }
else:
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    _db["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels, cache ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # CHANNEL_LAYER=pubsub (default) or core: channels_redis' two layers, measured side by side in
    # docs/benchmarks.md ("Channel layers"): with every chat event through the layer, the core layer
    # delivered 1.3 of 500 msg/s live (p50 1.7 s already at 200), Redis pub/sub all 500. Pub/sub keeps
    # nothing for a subscriber that is not listening; the chat's `sync` covers that (the database is
    # the record), and rooms live in one process, so the layer carries little.
    if env.str("CHANNEL_LAYER", default="pubsub") == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL]},
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                # Default capacity=100 silently drops messages above a few hundred msg/s (measured).
                "CONFIG": {"hosts": [REDIS_URL], "capacity": 1500, "expiry": 30},
            }
        }
    # common.redis_cache: Django's backend reusing its redis-py client (one per pool, not one per call).
    CACHES = {"default": {"BACKEND": "common.redis_cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Task queue (Huey) ------------------------------------------------------------------------------
# Embedded default: SQLite storage in var/ (no broker to install); with REDIS_URL: Redis, so workers
# (`manage.py run_huey`) can run on as many machines as needed. Results are not kept: every task
# records its outcome on the object it works on.
HUEY_IMMEDIATE = env.bool("HUEY_IMMEDIATE", default=False)
HUEY_WORKERS = env.int("HUEY_WORKERS", default=4)
_huey_sqlite_forced = env.str("HUEY_SQLITE_PATH", default="")
HUEY_SQLITE_PATH = _huey_sqlite_forced or str(BASE_DIR / "var" / "huey.sqlite3")
if REDIS_URL and not _huey_sqlite_forced:
    HUEY = {"huey_class": "background.huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY = {"huey_class": "background.huey.SqliteHuey", "filename": HUEY_SQLITE_PATH}
HUEY.update(
    {
        "name": env.str("HUEY_NAME", default="hellopet"),
        "immediate": HUEY_IMMEDIATE,
        "results": False,
        "utc": True,
        # Threads: the tasks wait on SMTP and HTTP, not on the CPU. Measured in docs/deployment.md.
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread", "periodic": True},
    }
)
# Tasks that talk to the outside world retry with exponential back-off: delay, 2x, 4x, ... (8 tries
# after the first: 30 s ... 64 min, about 2 h in all) before they count as failed (admin shows them).
TASK_RETRIES = env.int("TASK_RETRIES", default=8)
TASK_RETRY_DELAY_SECONDS = env.int("TASK_RETRY_DELAY_SECONDS", default=30)
# /healthz?full=1 answers 503 when the oldest pending task has waited longer than this.
HEALTHZ_QUEUE_MAX_AGE_SECONDS = env.int("HEALTHZ_QUEUE_MAX_AGE_SECONDS", default=300)
# Whole-page cache for anonymous visitors (common/pagecache.py): a stored page is served at most this
# many seconds after it was rendered; row changes make it stale at once. 0 turns the cache off.
PAGE_CACHE_SECONDS = env.float("PAGE_CACHE_SECONDS", default=1.0)
# The chat's per-process writer (consultations/chat/live.py): sends waiting beyond this many are refused
# with the `busy` error frame and this retry hint, instead of queueing for minutes.
CHAT_WRITE_QUEUE_LIMIT = env.int("CHAT_WRITE_QUEUE_LIMIT", default=1000)
CHAT_BUSY_RETRY_MS = env.int("CHAT_BUSY_RETRY_MS", default=500)
# ... and while the process's event loop runs this late (it is then past its CPU capacity).
CHAT_BUSY_LAG_MS = env.int("CHAT_BUSY_LAG_MS", default=300)
# On PostgreSQL the chat writer stores its batches on the event loop through a psycopg AsyncConnection
# of its own (no thread hop per batch, a prepared statement); false = the ORM in one worker thread.
CHAT_WRITER_ON_LOOP = env.bool("CHAT_WRITER_ON_LOOP", default=True)
# Connect/disconnect-time reads (session, user, consultation, read markers, presence) run in this many
# threads per process, each with its own database connection — not queued on Channels' single one.
CHAT_CONNECT_THREADS = env.int("CHAT_CONNECT_THREADS", default=4)
# false = every chat event goes through the channel layer, even between two sockets of one process
# (what a room spanning processes costs; bench/chat.py uses it to measure the layers). Keep true.
CHAT_LOCAL_DELIVERY = env.bool("CHAT_LOCAL_DELIVERY", default=True)

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out client before the password is checked; counts failures (member and admin).
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the user row read from the cache on every request (accounts/backends.py).
    "accounts.backends.CachedUserBackend",
    # Only for sessions opened before the line above existed (their backend is stored in them).
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes). Counted per account *and* client address: 5 failures lock that
# address out of that account for 15 minutes, so nobody can lock another person out from elsewhere
# (the slow-down, not a hard account lock-out), and the right password from the owner's own device
# keeps working. A password reset lifts the lock. Kept in the database, not the cache, so logging in
# keeps working while Redis is down.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login forms post the email as "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.normalised_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed login, for staff to review in admin
# Addresses (or networks) of our own reverse proxies: only from them is X-Forwarded-For believed
# (docs/deployment.md). Empty: the client is REMOTE_ADDR.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# Staff (who open KTP scans) enter a TOTP code before /admin/ whenever DEBUG=False; the demo on
# DEBUG=True logs in with the password alone. Recovery: manage.py accounts_otp_reset <email>.
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "HELLOPET!"
# Sessions: staff are logged out after 30 idle minutes; every session ends 14 days after its login.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=14 * 24)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
# Sessions are read from the shared cache (one Redis round trip instead of a database query on every
# member request) and written through to the database, which stays the record: a cache flush or an
# outage loses no session. Only with a cache all processes share: a per-process cache would keep a
# logged-out session alive in the other processes.
# common.sessions: Django's cached_db that falls back to the database while the cache is down.
SESSION_ENGINE = "common.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
# How long a cached copy of a session may live (a logout deletes it at once; this bounds a copy that a
# cache outage kept from being deleted).
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=600)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n, time -----------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# --- Static, media, private files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Private files (KTP scans, licences, vaccination books, chat photos) are never under MEDIA_URL:
# they are served only by views that check who asks.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "common.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)

# --- Email ----------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds before an SMTP connection or reply is given up (the task then retries with back-off).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="HELLOPET! <no-reply@hellopet.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Midtrans -------------------------------------------------------------------------------------
MIDTRANS_SERVER_KEY = env.str("MIDTRANS_SERVER_KEY", default="")
MIDTRANS_CLIENT_KEY = env.str("MIDTRANS_CLIENT_KEY", default="")
MIDTRANS_IS_PRODUCTION = env.bool("MIDTRANS_IS_PRODUCTION", default=False)
# No keys -> the built-in simulator stands in for Midtrans (same code path, local URLs). With
# DEBUG=False that is an error of `check --deploy` unless PAYMENT_SIMULATOR=true asks for it by name
# (a demo deployment): anyone holding a payment link can mark it paid in the simulator.
PAYMENT_SIMULATOR = not MIDTRANS_SERVER_KEY
PAYMENT_SIMULATOR_OPT_IN = env.bool("PAYMENT_SIMULATOR", default=False)
MIDTRANS_API_URL = env.str("MIDTRANS_API_URL", default="")
MIDTRANS_SNAP_URL = env.str("MIDTRANS_SNAP_URL", default="")
MIDTRANS_TIMEOUT_SECONDS = env.float("MIDTRANS_TIMEOUT_SECONDS", default=10.0)
# Midtrans waits 15 s for the webhook's answer and advises answering within 5 s: the webhook's own
# status check and its wait for the payment's row lock are bounded well below that (503 -> retried).
MIDTRANS_NOTIFICATION_TIMEOUT_SECONDS = env.float("MIDTRANS_NOTIFICATION_TIMEOUT_SECONDS", default=2.0)
PAYMENT_WEBHOOK_LOCK_TIMEOUT_MS = env.int("PAYMENT_WEBHOOK_LOCK_TIMEOUT_MS", default=1500)

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # One handler for Django's records (its default config would print them a second time).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"level": "WARNING" if TESTING else "INFO"},
        # `run_huey` gives the "huey" logger a handler of its own: not propagated, or lines print twice.
        "huey": {"level": "WARNING" if TESTING else "INFO", "propagate": False},
    },
}

# Product rules that operators may tune.
# A paid consultation the vet has not accepted within this time is passed to another vet (if the owner
# allowed it at booking) or cancelled and refunded; the same time again after a reassignment.
# A float, so tests can use seconds.
CONSULTATION_ACCEPT_TIMEOUT_MINUTES = env.float("CONSULTATION_ACCEPT_TIMEOUT_MINUTES", default=15)
# A vet marked online but not seen (page, heartbeat, chat) for this long shows as offline.
VET_PRESENCE_TIMEOUT_MINUTES = env.int("VET_PRESENCE_TIMEOUT_MINUTES", default=60)
PAYMENT_EXPIRY_MINUTES = env.int("PAYMENT_EXPIRY_MINUTES", default=60)
# UU PDP: an approved KTP scan is deleted this many days after approval (`accounts_purge_ktp`, daily);
# the verified status and the masked NIK stay.
KTP_SCAN_RETENTION_DAYS = env.int("KTP_SCAN_RETENTION_DAYS", default=30)

# Serve static files straight from the app folders in dev and tests (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
