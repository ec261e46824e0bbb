"""Settings come from the environment; each case imports them in a fresh process."""

import json
import os
import subprocess
import sys

from django.conf import settings

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "NAME": str(settings.DATABASES["default"]["NAME"]),
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "PAGE_CACHE": settings.PAGE_CACHE,
    "SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "HSTS": settings.SECURE_HSTS_SECONDS,
    "SECURE_COOKIES": settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE,
    "PROXY": settings.SECURE_PROXY_SSL_HEADER,
}))
"""


def run_with(env, code=PRINT_SETTINGS, args=("-c",)):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.pop("REDIS_URL", None)
    clean["DJANGO_SETTINGS_MODULE"] = "healthsite.settings"
    return subprocess.run(
        [sys.executable, *args, code],
        env=clean | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(env):
    result = run_with(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_secret_key_and_debug_off_start_up_stops_with_one_line():
    result = run_with({}, code="check", args=("manage.py",))
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message
    assert "DJANGO_SECRET_KEY" in message
    assert "Traceback" not in result.stderr


def test_debug_is_off_unless_asked_for():
    assert settings_with({"DJANGO_SECRET_KEY": "s"})["DEBUG"] is False
    assert settings_with({"DJANGO_SECRET_KEY": "s", "DJANGO_DEBUG": "true"})["DEBUG"] is False
    assert settings_with({"DJANGO_DEBUG": "1"})["DEBUG"] is True


def test_debug_runs_without_a_secret_key_on_local_hosts():
    values = settings_with({"DJANGO_DEBUG": "1"})
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]
    assert values["SSL_REDIRECT"] is False


def test_production_defaults_are_safe():
    values = settings_with({"DJANGO_SECRET_KEY": "s"})
    assert values["ALLOWED_HOSTS"] == []
    assert values["SSL_REDIRECT"] is True
    assert values["HSTS"] >= 31_536_000
    assert values["SECURE_COOKIES"] is True
    assert values["PROXY"] is None


def test_https_off_and_proxy_and_hosts_from_the_environment():
    values = settings_with(
        {
            "DJANGO_SECRET_KEY": "s",
            "DJANGO_HTTPS": "0",
            "DJANGO_BEHIND_PROXY": "1",
            "DJANGO_ALLOWED_HOSTS": "health.example, www.health.example",
        }
    )
    assert values["ALLOWED_HOSTS"] == ["health.example", "www.health.example"]
    assert values["SSL_REDIRECT"] is False
    assert values["HSTS"] == 0
    assert values["PROXY"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_database_defaults_to_sqlite_and_follows_database_url():
    values = settings_with({"DJANGO_DEBUG": "1"})
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"].endswith("db.sqlite3")
    values = settings_with(
        {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/healthsite"}
    )
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["NAME"] == "healthsite"


def test_cache_is_redis_when_redis_url_is_set():
    assert settings_with({"DJANGO_DEBUG": "1"})["CACHE"].endswith("LocMemCache")
    values = settings_with({"DJANGO_DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/1"})
    assert values["CACHE"] == "healthsite.cache.RedisCache"


def test_pages_are_cached_only_in_a_cache_every_process_shares():
    """In local memory each process kept its own pages and its own generation:
    an edit made in one (a gunicorn worker, `manage.py import_article`) left
    the others serving the old page for up to PAGE_CACHE_SECONDS."""
    redis = {"DJANGO_DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/1"}
    assert settings_with({"DJANGO_DEBUG": "1"})["PAGE_CACHE"] is False
    assert settings_with({"DJANGO_DEBUG": "1", "DJANGO_PAGE_CACHE": "1"})["PAGE_CACHE"] is False
    assert settings_with(redis)["PAGE_CACHE"] is True
    assert settings_with(redis | {"DJANGO_PAGE_CACHE": "0"})["PAGE_CACHE"] is False


PRINT_HSTS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps([settings.SECURE_HSTS_PRELOAD, settings.SILENCED_SYSTEM_CHECKS]))
"""


def test_hsts_preload_is_opt_in_and_only_then_checked():
    def hsts(env):
        result = run_with({"DJANGO_SECRET_KEY": "s"} | env, code=PRINT_HSTS)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    # Off by default, and the deploy check is told that is deliberate.
    assert hsts({}) == [False, ["security.W021"]]
    assert hsts({"DJANGO_HSTS_PRELOAD": "1"}) == [True, []]
    # Never over plain HTTP.
    assert hsts({"DJANGO_HSTS_PRELOAD": "1", "DJANGO_HTTPS": "0"}) == [False, ["security.W021"]]


def test_admin_url_defaults_to_admin_and_is_normalised():
    code = (
        "import django; from django.conf import settings; django.setup(); print(settings.ADMIN_URL)"
    )
    for env, expected in [
        ({}, "admin/"),
        ({"DJANGO_ADMIN_URL": "editorial"}, "editorial/"),
        ({"DJANGO_ADMIN_URL": "/staff/desk/"}, "staff/desk/"),
        ({"DJANGO_ADMIN_URL": "/"}, "admin/"),
    ]:
        result = run_with({"DJANGO_SECRET_KEY": "s"} | env, code=code)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == expected, env


PRINT_DATABASE_OPTIONS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps(settings.DATABASES["default"].get("OPTIONS", {})))
"""


def test_postgresql_binds_on_the_server_and_prepares_repeated_statements():
    def options(env):
        result = run_with({"DJANGO_DEBUG": "1", **env}, code=PRINT_DATABASE_OPTIONS)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    postgres = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/healthsite"}
    assert options(postgres) == {"server_side_binding": True, "prepare_threshold": 5}
    # Behind a pooler that cannot keep prepared statements.
    assert options(postgres | {"DJANGO_DB_PREPARED_STATEMENTS": "0"}) == {
        "server_side_binding": True,
        "prepare_threshold": None,
    }
    assert options({}) == {}  # SQLite
    assert options({"DATABASE_URL": ""}) == {}  # set but empty: no engine, no crash
