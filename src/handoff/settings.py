"""Handoff settings, read from ``HANDOFF_*`` environment variables and nowhere else.

Two modes:

* the embedded default (``handoff demo``, tests, development): SQLite and a generated
  secret key under ``var/``; nothing needs to be set;
* production (``handoff serve`` sets ``HANDOFF_PRODUCTION=1``): the secret key and allowed hosts
  come only from the environment, and the process refuses to start without them.

Every variable is documented in the README's "Configuration" section.
"""

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

from handoff.core.logs import FORMATS, logging_config
from handoff.core.storage import storage_settings
from handoff.settings_env import PRODUCTION_REQUIRES, env_bool, env_int, env_list, env_str, unset

BASE_DIR = Path(__file__).resolve().parent


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


PRODUCTION = env_bool("PRODUCTION")
TESTING = env_bool("TESTING")

# Data folder of the embedded default: the SQLite database, the generated key, uploads.
VAR_DIR = Path(env_str("VAR_DIR") or Path.cwd() / "var").resolve()


def _generated_secret_key() -> str:
    """A key kept under var/ so that sessions survive restarts of the demo."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


# ``handoff demo --addrport H:P`` passes its address (host:port) here, so that the demo and
# the worker it starts answer and link at that address unless HANDOFF_ALLOWED_HOSTS and
# HANDOFF_SITE_URL say otherwise.
DEMO_ADDRESS = env_str("DEMO_ADDRESS")
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

if PRODUCTION:
    missing = unset(PRODUCTION_REQUIRES)
    if missing:
        raise ImproperlyConfigured(
            "Production needs "
            + _and_list(missing)
            + " set in the environment; see the README's Configuration section."
        )
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    DEBUG = False
elif TESTING:
    SECRET_KEY = "handoff-tests-only-not-secret"  # noqa: S105
    ALLOWED_HOSTS = ["*"]
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY") or _generated_secret_key()
    demo_host = DEMO_ADDRESS.rpartition(":")[0]
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [
        *LOCAL_HOSTS,
        *([demo_host.strip("[]")] if demo_host and demo_host not in LOCAL_HOSTS else []),
    ]
    DEBUG = env_bool("DEBUG")


def _generated_tin_key(name: str) -> str:
    """A key for TINs of the embedded default, kept under var/ beside the secret key. It must
    survive restarts: without it the stored TINs cannot be read."""
    path = VAR_DIR / name
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    path.write_text(key)
    path.chmod(0o600)
    return key


# Taxpayer identification numbers (W-9) are encrypted with these Fernet keys, newest first
# (older ones still decrypt, for rotation); the separate hash key makes the keyed hash that
# finds duplicate TINs without decrypting. Production takes them only from the environment.
TIN_KEYS = env_list("TIN_KEYS")
TIN_HASH_KEY = env_str("TIN_HASH_KEY")
if TESTING:
    TIN_KEYS = TIN_KEYS or ["dGVzdHMtb25seS10aW4ta2V5LW5vdC1zZWNyZXQtMDA="]
    TIN_HASH_KEY = TIN_HASH_KEY or "tests-only-tin-hash-key-not-secret"
elif not PRODUCTION:
    TIN_KEYS = TIN_KEYS or [_generated_tin_key("tin_key")]
    TIN_HASH_KEY = TIN_HASH_KEY or _generated_tin_key("tin_hash_key")
# Tests and the demo use TINs from ranges the IRS and SSA never issue (an SSN or ITIN whose
# fourth and fifth digits are 00, an EIN starting 00), so no real person's number is ever in
# them. Outside production those are accepted; in production they are refused like any other
# impossible number unless this is set.
TIN_ACCEPT_TEST_NUMBERS = env_bool("TIN_ACCEPT_TEST_NUMBERS", default=not PRODUCTION)

# Signed documents are sealed (PAdES, pyHanko) with this installation's own certificate: made
# on first use and kept in the database with its private key encrypted under this passphrase
# (the secret key unless set), or read from a PKCS#12 file of your own. See docs/onboarding.md.
SIGNING_KEY_PASSPHRASE = env_str("SIGNING_KEY_PASSPHRASE") or SECRET_KEY
SIGNING_CERTIFICATE = env_str("SIGNING_CERTIFICATE")
SIGNING_CERTIFICATE_PASSWORD = env_str("SIGNING_CERTIFICATE_PASSWORD")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Where the app is served: every absolute link (e-mails, invitations, one-click links, calendar
# feeds, chat messages) is built from it by handoff.core.links and nowhere else. Production
# requires it; ``handoff demo --addrport H:P`` makes http://H:P the default.
SITE_URL = env_str(
    "SITE_URL", f"http://{DEMO_ADDRESS}" if DEMO_ADDRESS else "http://127.0.0.1:8000"
).rstrip("/")
if not SITE_URL.startswith(("http://", "https://")) or "/" in SITE_URL.split("://", 1)[1]:
    raise ImproperlyConfigured(
        f"HANDOFF_SITE_URL must be an address such as https://handoff.example.com "
        f"(scheme and host, no path), not {SITE_URL!r}."
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_prometheus",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "handoff.core",
    "handoff.accounts",
    "handoff.notifications",
    "handoff.signatures",
    "handoff.providers",
    "handoff.decisions",
    "handoff.engagements",
    "handoff.work",
    "handoff.payables",
    "handoff.compliance",
    "handoff.insights",
]

MIDDLEWARE = [
    "handoff.core.health.HealthMiddleware",  # /healthz, before the host check and redirects
    "handoff.core.metrics.MetricsMiddleware",  # /metrics, likewise
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "handoff.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "handoff.core.middleware.RequestSizeLimitMiddleware",
    "handoff.core.middleware.StorageUnavailableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "handoff.urls"
WSGI_APPLICATION = "handoff.wsgi.application"

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
                "handoff.core.context_processors.navigation",
                "handoff.notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "handoff.sqlite3",
            "CONN_MAX_AGE": 600,
            # WAL lets the web process read while a writer (a job, a command) works.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The same backends through django-prometheus' wrappers, which count the queries (/metrics).
_ENGINE = DATABASES["default"]["ENGINE"]
if _ENGINE in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
    DATABASES["default"]["ENGINE"] = _ENGINE.replace("django.db.", "django_prometheus.db.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for one day
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)

# Login throttling (accounts/throttle.py): one client address failing twenty times, whatever
# the accounts, is locked out for fifteen minutes (django-axes); an account failing five times,
# from anywhere, makes its next try wait 15 seconds, doubling up to 5 minutes — never locked.
# The client address is taken from X-Forwarded-For only behind HANDOFF_TRUSTED_PROXIES.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
AXES_ENABLED = env_bool("LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "handoff.accounts.throttle.client_address"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # each failure with its account, for the account's wait
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, which holds the e-mail
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ACCOUNT_DELAY = 15  # seconds, doubling with each failure over the limit
LOGIN_ACCOUNT_MAX_DELAY = 5 * 60

# Webhooks post to public addresses only; these hosts (names or addresses, comma-separated) may
# be private on purpose, and may use http:// (notifications/egress.py).
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "Handoff <handoff@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background jobs (django-tasks, queue in the database) ----------------------------------
# ``handoff worker`` runs the queue. Tests run each job as it is enqueued (after the commit).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- Time, language, money ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
# Only production collects static files (handoff serve does it); elsewhere WhiteNoise reads
# them from the apps.
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# HANDOFF_STORAGE_URL=s3://BUCKET[/PREFIX] keeps every file in S3-compatible object storage
# (django-storages): private objects, server-side encrypted, served only through Handoff's
# pages after their permission check. Unset: the MEDIA_ROOT folder.
STORAGE_URL = env_str("STORAGE_URL")
STORAGE_S3 = {
    "endpoint_url": env_str("S3_ENDPOINT_URL"),
    "region": env_str("S3_REGION"),
    "access_key": env_str("S3_ACCESS_KEY_ID"),
    "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
}
STORAGES = {
    "default": storage_settings(STORAGE_URL, **STORAGE_S3),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise serves straight from the apps, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security --------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "handoff.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and stylesheets from our own origin only, no
# inline script, handler or style attribute, no eval. The one inline stylesheet is the one
# pygal puts inside each server-drawn chart, let through by the request's nonce (the
# ``{% chart %}`` tag); the nonce is sent only on pages that use it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    },
}
if PRODUCTION:
    # Behind HTTPS (directly or through a proxy that sets X-Forwarded-Proto). Set
    # HANDOFF_HTTPS=false only for a closed network without TLS.
    HTTPS = env_bool("HTTPS", True)
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_SSL_REDIRECT = HTTPS
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    # Joining the browsers' preload list is a separate, hard-to-undo decision for the whole
    # domain: HANDOFF_HSTS_PRELOAD=true sends "preload"; left off, Django's reminder that it
    # is off (security.W021) is not counted against being ready.
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The largest request body read at all (several files of up to 10 MB each may go in one form);
# anything larger is refused before it is read (handoff.core.middleware).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_MB", 25) * 1024 * 1024

# /metrics (Prometheus) answers only a scrape sending this token; unset, it is off.
METRICS_TOKEN = env_str("METRICS_TOKEN")

# /healthz calls the queue late when its oldest due job has waited longer than this.
HEALTH_QUEUE_LATE_MINUTES = env_int("HEALTH_QUEUE_LATE_MINUTES", 15)

# --- API --------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

# --- The ``handoff`` command ------------------------------------------------------------------
# Defaults of ``handoff serve``; its --bind and --workers win.
SERVE_BIND = env_str("BIND", "0.0.0.0:8000")
SERVE_WORKERS = env_int("WORKERS", 2)
# The password ``handoff createuser`` gives the new account when --password is absent (for
# scripts, which have no terminal to prompt at); taken as it is, spaces included.
NEW_USER_PASSWORD = os.environ.get("HANDOFF_NEW_USER_PASSWORD", "")

LOG_FORMAT = env_str("LOG_FORMAT") or "text"
if LOG_FORMAT not in FORMATS:
    raise ImproperlyConfigured(
        f"HANDOFF_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {LOG_FORMAT!r}."
    )
LOGGING = logging_config(env_str("LOG_LEVEL", "INFO"), LOG_FORMAT)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
