"""Security settings and headers, asserted on real responses.

The production values come from importing the settings in a fresh process
with production's environment (debug off, DJANGO_HTTPS at its default), so
these tests follow settings.py rather than restating it.
"""

import json
import logging
import re
import secrets
from datetime import timedelta

import pytest
import reversion
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from tests.factories import add_cause, add_faq, make_article, make_cause, make_user
from tests.site.test_settings import run_with

HOST = "health.example"
SECURITY_SETTINGS = [
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "BEHIND_PROXY",
]
PRINT_SECURITY_SETTINGS = f"""
import json, django
from django.conf import settings
django.setup()
print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))
"""
PRODUCTION_ENV = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": HOST}


def production_settings(**env):
    result = run_with(PRODUCTION_ENV | env, code=PRINT_SECURITY_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def manage(env, *argv):
    """`python manage.py ARGV…` in a fresh process with only `env` configured."""
    *first, last = argv
    return run_with(env, code=last, args=("manage.py", *first))


@pytest.fixture(scope="module")
def production():
    return production_settings()


@pytest.fixture
def as_production(settings, production):
    """This process's settings as production has them (debug off, HTTPS on)."""
    settings.DEBUG = False
    for name, value in production.items():
        setattr(settings, name, value)
    return settings


def csp(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
}
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'", "*")


@pytest.fixture
def content(db):
    article = make_article(
        title="Dry skin", slug="dry-skin", tags=["skin"], meta_description="Why skin dries."
    )
    cause = make_cause(name="Dehydration")
    add_cause(article, cause)
    add_faq(article, question="Is it serious?")
    add_faq(question="How do I find a GP?")
    return article, cause


@pytest.fixture
def public_urls(content):
    article, cause = content
    return [
        "/",
        reverse("articles:list"),
        article.get_absolute_url(),
        reverse("articles:tags"),
        reverse("articles:tag", args=["skin"]),
        cause.get_absolute_url(),
        reverse("articles:search") + "?q=skin",
        reverse("faq:list"),
        reverse("sitemap-index"),
        reverse("django.contrib.sitemaps.views.sitemap", args=["articles"]),
        reverse("feed"),
        reverse("robots"),
    ]


# --- Production settings ----------------------------------------------------


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output
    assert "security." not in output


def test_production_settings_are_the_hardened_ones(production):
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is False
    assert production["SESSION_COOKIE_SECURE"] is production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert production["SECURE_PROXY_SSL_HEADER"] is None


def test_every_security_header_is_on_a_production_response(client, db, as_production):
    response = client.get("/", secure=True, headers={"host": HOST})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert csp(response) == PUBLIC_POLICY


def test_hsts_preload_is_opt_in(client, db, settings):
    for name, value in production_settings(DJANGO_HSTS_PRELOAD="1").items():
        setattr(settings, name, value)

    response = client.get("/", secure=True, headers={"host": HOST})

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_plain_http_is_redirected_to_https(client, db, as_production):
    response = client.get("/articles/?page=2", headers={"host": HOST})

    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/articles/?page=2"
    assert "Strict-Transport-Security" not in response  # only sent over HTTPS


def test_https_off_serves_plain_http_without_hsts(client, db, settings):
    for name, value in production_settings(DJANGO_HTTPS="0").items():
        setattr(settings, name, value)

    response = client.get("/", headers={"host": HOST})

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    assert response["X-Frame-Options"] == "DENY"


def test_unknown_host_is_refused_with_400(client, db, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [HOST]

    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": HOST}).status_code == 200


# --- Behind a TLS-terminating proxy ----------------------------------------


def test_behind_the_proxy_x_forwarded_proto_https_is_secure(client, db, settings):
    for name, value in production_settings(DJANGO_BEHIND_PROXY="1").items():
        setattr(settings, name, value)
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get("/", headers={"host": HOST, "x-forwarded-proto": "https"})

    assert response.status_code == 200
    assert response.wsgi_request.is_secure()
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")

    plain = client.get("/", headers={"host": HOST, "x-forwarded-proto": "http"})
    assert plain.status_code == 301
    assert plain["Location"] == f"https://{HOST}/"


def test_not_behind_a_proxy_x_forwarded_proto_is_ignored(client, db, as_production):
    response = client.get("/", headers={"host": HOST, "x-forwarded-proto": "https"})

    assert not response.wsgi_request.is_secure()
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/"


# --- Cookies ----------------------------------------------------------------


def test_public_pages_set_no_cookies_and_do_not_vary_on_them(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        assert "Set-Cookie" not in response, url
        assert "cookie" not in response.get("Vary", "").lower(), url


def test_admin_cookies_are_secure_httponly_and_samesite(client, db, as_production, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user(username="editor", password="correct horse", is_staff=True)
    login = reverse("admin:login")

    page = client.get(login, secure=True, headers={"host": HOST})
    response = client.post(
        login,
        {"username": "editor", "password": "correct horse"},
        secure=True,
        headers={"host": HOST},
    )

    assert response.status_code == 302
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


# --- Content-Security-Policy -----------------------------------------------

INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def test_public_pages_have_the_strict_policy(client, public_urls):
    for url in [*public_urls, "/no/such/page/"]:
        response = client.get(url)
        policy = csp(response)
        assert policy.pop("script-src")[0] == "'self'", url
        assert policy == {k: v for k, v in PUBLIC_POLICY.items() if k != "script-src"}, url
        sources = response["Content-Security-Policy"].split()
        assert not set(sources) & set(UNSAFE), url


def test_public_pages_have_nothing_inline_but_the_nonced_json_ld(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        assert not INLINE_STYLE.search(html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        for tag in SCRIPT_TAG.findall(html):
            assert 'type="application/ld+json"' in tag, (url, tag)
            assert nonce and f'nonce="{nonce.group(1)}"' in tag, (url, tag)


def test_json_ld_carries_the_nonce_in_the_header(client, content, settings):
    # Rendered every time: a cached page keeps its nonce with its header.
    settings.PAGE_CACHE = False
    article, _ = content

    response = client.get(article.get_absolute_url())

    script_src = csp(response)["script-src"]
    assert len(script_src) == 2
    assert script_src[0] == "'self'"
    header_nonce = re.fullmatch(r"'nonce-([A-Za-z0-9+/=]{16,})'", script_src[1]).group(1)
    html = response.content.decode()
    page_nonces = re.findall(r'<script type="application/ld\+json" nonce="([^"]+)">', html)
    assert len(page_nonces) >= 2
    assert set(page_nonces) == {header_nonce}
    # A new nonce for every response.
    again = csp(client.get(article.get_absolute_url()))["script-src"][1]
    assert again != script_src[1]


def test_pages_without_json_ld_allow_no_inline_script(client, db):
    assert csp(client.get("/"))["script-src"] == ["'self'"]


def test_preview_pages_have_the_strict_policy(staff_client):
    article = make_article()

    response = staff_client.get(reverse("articles:preview", args=[article.pk]))

    assert response.status_code == 200
    policy = csp(response)
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not set(response["Content-Security-Policy"].split()) & set(UNSAFE)


ADMIN_STYLE_SRC = ["'self'", "'unsafe-inline'"]


def assert_admin_policy(response, url):
    policy = csp(response)
    assert policy["style-src"] == ADMIN_STYLE_SRC, url
    assert policy["script-src"] == ["'self'"], url
    assert policy["frame-ancestors"] == ["'none'"], url
    assert policy["object-src"] == ["'none'"], url
    assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
    assert response["X-Frame-Options"] == "DENY", url


def test_the_admin_works_under_its_relaxed_policy(staff_client):
    article = make_article(summary="Drink water.")
    for summary in ("Drink plenty of water.", "Drink plenty of water daily."):
        with reversion.create_revision():
            article.summary = summary
            article.save()
    old, new = reversion.models.Version.objects.get_for_object(article).order_by("pk")
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    pages = {
        reverse("admin:index"): "Healthsite editorial",
        reverse("admin:articles_article_changelist"): "Select article to change",
        reverse("admin:articles_article_add"): "Add article",
        reverse("admin:articles_article_change", args=[article.pk]): "Change article",
        reverse("admin:articles_article_history", args=[article.pk]): "Change history",
        f"{compare}?version_id1={old.pk}&version_id2={new.pk}": "<ins>",
        reverse("admin:articles_article_import"): "Import articles",
    }

    for url, text in pages.items():
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
        assert_admin_policy(response, url)


def test_the_admin_login_page_has_the_admin_policy(client, db):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert_admin_policy(response, "login")


def test_admin_pages_have_no_inline_script(staff_client):
    article = make_article()

    for url in (
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_import"),
    ):
        html = staff_client.get(url).content.decode()
        for tag in SCRIPT_TAG.findall(html):
            assert " src=" in tag, (url, tag)
        assert not re.search(r"\son[a-z]+\s*=\s*\"", html), url


# --- Admin URL prefix -------------------------------------------------------


def test_the_admin_is_at_the_admin_url_setting(settings):
    assert settings.ADMIN_URL == "admin/"
    assert reverse("admin:index") == "/admin/"
    assert reverse("admin:login").startswith("/" + settings.ADMIN_URL)


def test_the_admin_url_follows_the_environment():
    code = """
import json, django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from healthsite.security import is_admin_path
try:
    resolve("/admin/")
    old = True
except Resolver404:
    old = False
print(json.dumps({
    "setting": settings.ADMIN_URL,
    "index": reverse("admin:index"),
    "login": reverse("admin:login"),
    "old_prefix_resolves": old,
    "relaxed_csp": [is_admin_path("/editorial-desk/"), is_admin_path("/admin/")],
}))
"""
    result = run_with({"DJANGO_SECRET_KEY": "s", "DJANGO_ADMIN_URL": "/editorial-desk"}, code=code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "setting": "editorial-desk/",
        "index": "/editorial-desk/",
        "login": "/editorial-desk/login/",
        "old_prefix_resolves": False,
        "relaxed_csp": [True, False],
    }


# --- Admin brute-force protection (django-axes) -----------------------------

PASSWORD = "correct horse battery"
LOCKED = "Too many failed logins. Try again in 15 minutes."


@pytest.fixture
def editor(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_user(username="editor", password=PASSWORD, is_staff=True)


def log_in(client, password, username="editor", ip="203.0.113.7", **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        **extra,
    )


def logged_in(response):
    return response.status_code == 302 and SESSION_KEY in response.wsgi_request.session


def test_lockout_settings_default_from_the_issue(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_login_is_locked_after_the_failure_limit_and_released_after_the_cool_off(
    client, editor, settings, caplog
):
    limit = settings.AXES_FAILURE_LIMIT
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(limit - 1):
            response = log_in(client, "wrong")
            assert response.status_code == 200  # the form again, with its error
        with caplog.at_level(logging.WARNING, logger="axes"):
            response = log_in(client, "wrong")
        assert response.status_code == 429
        assert response.content.decode() == LOCKED
        assert response["Retry-After"] == "900"
        lockout_logs = [
            r for r in caplog.records if r.name.startswith("axes") and "Locking out" in r.message
        ]
        assert len(lockout_logs) == 1
        assert lockout_logs[0].levelno == logging.WARNING
        assert "editor" in lockout_logs[0].getMessage()

        # Now even the right password is refused, with the same message.
        clock.shift(timedelta(minutes=5))
        response = log_in(client, PASSWORD)
        assert response.status_code == 429
        assert response.content.decode() == LOCKED
        assert not logged_in(response)
        # The refused try restarted the cool-off ("try again in 15 minutes").
        clock.shift(timedelta(minutes=14))
        assert log_in(client, PASSWORD).status_code == 429

        clock.shift(timedelta(minutes=15, seconds=1))
        response = log_in(client, PASSWORD)
        assert logged_in(response)
        assert response["Location"] == reverse("admin:index")


def test_the_lock_is_per_user_and_address(client, editor):
    other = make_user(username="reviewer", password=PASSWORD, is_staff=True)
    for _ in range(5):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429

    assert logged_in(log_in(client, PASSWORD, ip="198.51.100.20"))
    client.logout()
    assert logged_in(log_in(client, PASSWORD, username=other.username))


def test_a_successful_login_clears_earlier_failures(client, editor):
    for _ in range(4):
        log_in(client, "wrong")
    assert logged_in(log_in(client, PASSWORD))
    client.logout()

    for _ in range(4):
        assert log_in(client, "wrong").status_code == 200
    assert logged_in(log_in(client, PASSWORD))


def test_failure_limit_and_cool_off_come_from_the_environment():
    code = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps([
    settings.AXES_FAILURE_LIMIT,
    settings.AXES_COOLOFF_TIME.total_seconds(),
    settings.AXES_COOLOFF_MESSAGE,
]))
"""
    result = run_with(
        {
            "DJANGO_SECRET_KEY": "s",
            "DJANGO_AXES_FAILURE_LIMIT": "3",
            "DJANGO_AXES_COOLOFF_MINUTES": "1",
        },
        code=code,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [3, 60, "Too many failed logins. Try again in 1 minute."]

    bad = run_with({"DJANGO_SECRET_KEY": "s", "DJANGO_AXES_FAILURE_LIMIT": "0"}, code=code)
    assert bad.returncode == 1
    assert "DJANGO_AXES_FAILURE_LIMIT" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_behind_the_proxy_failures_count_against_the_address_the_proxy_saw(
    client, editor, settings
):
    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = "10.0.0.2"

    for n in range(5):
        # Whatever the client puts in front, the proxy appends what it saw.
        forwarded = f"192.0.2.{n}, 203.0.113.7"
        log_in(client, "wrong", ip=proxy, HTTP_X_FORWARDED_FOR=forwarded)
    response = log_in(client, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")
    assert response.status_code == 429

    # Another reader behind the same proxy is not locked out.
    assert logged_in(log_in(client, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20"))


def test_not_behind_a_proxy_x_forwarded_for_is_ignored(client, editor):
    for n in range(5):
        log_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 429


def test_odd_client_headers_are_refused_not_a_server_error(client, editor):
    # PostgreSQL cannot store NUL characters: such a request is refused (400) before
    # it reaches axes, which would record the headers.
    odd = {"HTTP_USER_AGENT": "agent\x00" + "x" * 300, "HTTP_ACCEPT": "text/html\x00"}

    assert log_in(client, "wrong", **odd).status_code == 400
    assert not AccessAttempt.objects.exists()
    assert logged_in(log_in(client, PASSWORD, HTTP_USER_AGENT="agent" + "x" * 300))
    client.logout()
