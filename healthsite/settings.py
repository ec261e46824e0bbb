"""Healthsite settings, read from the environment.

Every variable is optional for local use and its default is the safe choice;
README.md lists them. With debug off the site refuses to start without a
secret key rather than run with a guessable one.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default):
    """A boolean environment variable: "1" is on, "0" is off, unset is `default`."""
    value = os.environ.get(name, "").strip()
    return default if value == "" else value == "1"


def env_list(name, default=()):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


def env_int(name, default, minimum=1):
    """A whole-number environment variable, at least `minimum`; unset is `default`."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise SystemExit(f"Healthsite: {name} must be a whole number of at least {minimum}.")
    return number


DEBUG = env_flag("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # One line, no traceback: the operator only needs to know what to set.
        raise SystemExit(
            "Healthsite: set DJANGO_SECRET_KEY (a long random string) to run with debug off, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    "healthsite.apps.HealthsiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "csp",
    "axes",
    "taggit",
    "reversion",
    "reversion_compare",
    "healthsite",
    "articles",
    "faq",
    "reviews",
    "sources",
]

MIDDLEWARE = [
    # First: one JSON log line per request, with the final status.
    "healthsite.middleware.RequestLogMiddleware",
    # PostgreSQL refuses NUL characters; a path, cookie or header holding one is a 400.
    "healthsite.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags and 304s, for cached and fresh pages alike.
    "django.middleware.http.ConditionalGetMiddleware",
    # Anonymous readers' pages (healthsite/page_cache.py). Before CSP: a cached
    # page keeps its header, with a new nonce in it and in its JSON-LD each hit.
    "healthsite.page_cache.PageCacheMiddleware",
    # django-csp, with the admin's narrower relaxation (see CONTENT_SECURITY_POLICY).
    "healthsite.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login that django-axes refused into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses locked-out logins before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "healthsite.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "healthsite.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"].get("ENGINE") == "django.db.backends.postgresql":
    # The server binds the parameters, so psycopg can prepare a statement that a
    # connection runs again and again (the article page's two): PostgreSQL then
    # parses it once per connection and may keep one generic plan for it, rather
    # than plan it on every request, which was half its work for the page
    # (searches prepare nothing: healthsite/db.py, plans_for_their_parameters).
    # Behind a pooler in transaction mode that cannot keep prepared statements
    # (PgBouncer before 1.21), set DJANGO_DB_PREPARED_STATEMENTS=0.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=5 if env_flag("DJANGO_DB_PREPARED_STATEMENTS", True) else None,
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, sharing one client per pool (healthsite/cache.py).
            "BACKEND": "healthsite.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "healthsite",
            # An unreachable Redis must not hang requests (or /healthz).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed (gzip and brotli) files with content hashes in their names,
    # so a CDN and browsers can cache them forever. Needs `collectstatic`.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TAGGIT_CASE_INSENSITIVE = True

# --- HTTPS and cookies -----------------------------------------------------
# With debug off HTTPS is on unless DJANGO_HTTPS=0 (plain HTTP on a private
# address, for tests and benchmarks).
HTTPS = env_flag("DJANGO_HTTPS", not DEBUG)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and appends the
# client's address to X-Forwarded-For). Never when clients reach the app directly.
BEHIND_PROXY = env_flag("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preload is a commitment that is slow to undo, so it is opt-in; while it is
# off, `check --deploy` is told that leaving it off is deliberate.
SECURE_HSTS_PRELOAD = HTTPS and env_flag("DJANGO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only the admin sets cookies (session and CSRF); public pages set none, so a
# CDN can cache them. No script reads either cookie.
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Content-Security-Policy (django-csp) ------------------------------------
# Public pages: nothing inline but the JSON-LD block, which carries the
# per-response nonce ({% jsonld %}); the nonce is only in the header on pages
# that used it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    },
}
# Under ADMIN_URL only, these directives replace the ones above: Django's admin
# widgets and django-reversion-compare write inline styles. Scripts stay strict.
CONTENT_SECURITY_POLICY_ADMIN_REPLACE = {
    "style-src": [SELF, "'unsafe-inline'"],
}

# --- Admin -----------------------------------------------------------------
# The admin's URL prefix: "admin/" unless DJANGO_ADMIN_URL moves it.
ADMIN_URL = (os.environ.get("DJANGO_ADMIN_URL", "").strip().strip("/") or "admin") + "/"

# Brute-force protection (django-axes): after AXES_FAILURE_LIMIT failed logins
# for one user name from one address, that pair is refused for the cool-off
# (each refused try restarts it). Attempts are kept in the database, so every
# app server sees them; `python manage.py axes_reset` lifts all lockouts.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("DJANGO_AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_COOLOFF_MESSAGE = (
    f"Too many failed logins. Try again in {AXES_COOLOFF_MINUTES} "
    f"minute{'' if AXES_COOLOFF_MINUTES == 1 else 's'}."
)
AXES_LOCKOUT_CALLABLE = "healthsite.security.lockout_response"
# Log lines ("AXES: Locking out …", a warning) name the user name and address;
# passwords are always masked.
AXES_SENSITIVE_PARAMETERS = []
# REMOTE_ADDR, or behind the proxy the address it appended to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "healthsite.security.client_ip_address"
# The database handler, made safe for odd User-Agent and Accept headers.
AXES_HANDLER = "healthsite.security.AxesHandler"

# --- Site behaviour --------------------------------------------------------
ARTICLES_PER_PAGE = 20
# A tag page's first page lists at most this many of the tag's causes, and of
# its questions; a search for the tag finds the rest.
TAG_PAGE_LIST_SIZE = 30
HOME_LATEST_ARTICLES = 6
HOME_TOPICS = 12
# Whole pages for anonymous readers, kept until content changes (see
# healthsite/page_cache.py): on when the cache is shared (REDIS_URL). In local
# memory each process would keep its own pages and its own generation, and an
# edit made in one (a gunicorn worker, `manage.py import_article`) leave the
# others' pages stale, so it stays off even if DJANGO_PAGE_CACHE=1.
# DJANGO_PAGE_CACHE=0 turns it off, for benchmarks.
PAGE_CACHE = bool(REDIS_URL) and env_flag("DJANGO_PAGE_CACHE", True)
PAGE_CACHE_SECONDS = 600
# How many related articles an article page shows ("See also"), and how many
# of them also appear as callouts between its causes and questions.
SEE_ALSO_COUNT = 5
SEE_ALSO_CALLOUTS = 3
# Articles sharing tags are found among the newest this many published articles
# of each tag: bounded work at any size (articles/related.py).
SEE_ALSO_CANDIDATES_PER_TAG = 200
# The content checks on an article's change form (and on a page of the checks
# report) compare its texts with other articles' for near-duplicates for at most
# this many seconds; what is left unchecked is said (articles/lints.py).
CONTENT_CHECK_SECONDS = 2
# Articles about a condition or symptom need "when to get help" advice at all
# three levels before they can be published; False relaxes that everywhere.
REQUIRE_URGENCY_ADVICE = True
# A medical review is due again this many days after the last (NHS: 3 years).
REVIEW_INTERVAL_DAYS = 3 * 365
# Plain-text article files larger than this are refused by the importer.
IMPORT_MAX_BYTES = 512 * 1024
# Articles with at least this many sections get an "On this page" contents list.
TABLE_OF_CONTENTS_MIN_SECTIONS = 3
# The link checker (`check_sources`) connects only to public addresses, and to
# these networks ("10.0.0.5/32, fd00::/8"): an outgoing proxy on a private one.
SOURCE_CHECK_ALLOWED_NETWORKS = env_list("DJANGO_SOURCE_CHECK_ALLOWED_NETWORKS")

# Logs go to stdout, one JSON object per line (healthsite/logging.py): a line
# per request from healthsite.middleware.RequestLogMiddleware, and errors,
# 500s with their traceback, from django.request. DJANGO_LOG_LEVEL (INFO)
# sets how much the site's and Django's loggers say.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "").strip().upper() or "INFO"
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise SystemExit(
        "Healthsite: DJANGO_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "healthsite.logging.JSONFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        # django.request: 4xx as warnings, 5xx as errors with the traceback.
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "healthsite": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        **{
            app: {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False}
            for app in ("articles", "faq", "reviews", "sources")
        },
    },
}
