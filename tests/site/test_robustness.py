"""Hostile input never gives a 500, and no redirect leaves the site.

Hand-picked inputs for every public page, on SQLite and on PostgreSQL (which
refuses NUL characters that SQLite stores): odd slugs, query strings,
methods, bodies and headers; open redirects through the admin's `next=`
and through paths. tests/site/test_hypothesis.py throws generated input at
the same pages. Also here: a 500 is logged with its traceback and never
shown to the reader, and every request is logged as one JSON line.
"""

import io
import json
import logging
import sys
from contextlib import contextmanager
from unittest import mock
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from healthsite.logging import JSONFormatter
from tests.factories import add_cause, add_faq, make_article, make_cause, make_user

pytestmark = pytest.mark.django_db

# The site's own middleware, first in MIDDLEWARE (settings.py): the request log,
# then the refusal of NUL characters. Tests add them if settings do not have them yet.
SITE_MIDDLEWARE = [
    "healthsite.middleware.RequestLogMiddleware",
    "healthsite.middleware.RefuseNulCharactersMiddleware",
]


def site_middleware():
    return [*SITE_MIDDLEWARE, *(m for m in settings.MIDDLEWARE if m not in SITE_MIDDLEWARE)]


@pytest.fixture(autouse=True)
def _site_middleware(settings):
    settings.MIDDLEWARE = site_middleware()


LONG = "x" * 10_000
# Path segments, as they would appear percent-encoded in a URL.
HOSTILE_SEGMENTS = [
    "%00",
    "a%00b",
    "..%2F..%2Fetc%2Fpasswd",
    "..",
    "%2E%2E",
    "a%2Fb",
    LONG,
    quote("ünïcödé"),
    quote("😀"),
    quote("Fuß"),
    "%ff%fe",  # not UTF-8
    "%ED%A0%80",  # an encoded surrogate
    "%",
    "%zz",
    quote("<script>alert(1)</script>", safe=""),
    quote("' OR 1=1 --", safe=""),
    "%20",
    "a%0d%0aSet-Cookie:%20x=1",
]
HOSTILE_VALUES = [
    "-1",
    "0",
    "abc",
    "99999999",
    "9" * 5000,  # past Python's int() digit limit
    "\x00",
    "1\x00",
    "last",
    "\uff11",  # a full-width digit one
    "1.5",
    "1e3",
    "",
    "ünïcödé",
    "😀",
    LONG,
    "%00",
    "\r\nX-Injected: 1",
    "' OR 1=1 --",
    '"',
    "-",
    "!",
    "<->",
    "a & b | !c",
]
EVIL_NEXT = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    " https://evil.example/",
    "\thttps://evil.example/",
    "javascript:alert(1)",
    "https://evil.example%2F@testserver/",
    "\x00//evil.example",
]


@pytest.fixture
def content(db):
    """A little of everything the public pages show."""
    article = make_article(title="Toe twitching", tags=["feet", "Fuß-Gesundheit"])
    add_cause(article, make_cause(name="Dehydration"), explanation="Drink water.")
    add_faq(article, question="Is it serious?", answer="Rarely.")
    add_faq(None, question="How do I contact you?", answer="By post.")
    for n in range(3):
        make_article(title=f"Feet {n}", tags=["feet"])
    return article


def public_urls(article):
    """One URL for every public page, with real objects where a page needs one."""
    return {
        "home": reverse("home"),
        "list": reverse("articles:list"),
        "detail": article.get_absolute_url(),
        "cause": reverse("articles:cause", args=["dehydration"]),
        "tags": reverse("articles:tags"),
        "tag": reverse("articles:tag", args=["feet"]),
        "unicode-tag": reverse("articles:tag", args=["fuß-gesundheit"]),
        "search": reverse("articles:search") + "?q=toe",
        "faq": reverse("faq:list"),
        "sitemap-index": reverse("sitemap-index"),
        "sitemap": reverse("django.contrib.sitemaps.views.sitemap", args=["articles"]),
        "feed": reverse("feed"),
        "robots": reverse("robots"),
        "healthz": reverse("healthz"),
    }


def is_on_site(location):
    """A redirect target that stays on this site, however a browser reads it."""
    if any(c in location for c in "\\\x00\t\r\n") or location != location.strip():
        return False
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == "testserver"
    return location.startswith("/") and not location.startswith("//")


def assert_not_server_error(response, what):
    assert response.status_code < 500, f"{what} answered {response.status_code}"
    if response.status_code in (301, 302, 303, 307, 308):
        assert is_on_site(response["Location"]), f"{what} redirected to {response['Location']}"


def test_the_real_pages_answer(client, content):
    for name, url in public_urls(content).items():
        assert client.get(url).status_code == 200, name


class TestHostileSlugs:
    @pytest.mark.parametrize("prefix", ["/articles/", "/causes/", "/tags/", "/sitemap-"])
    def test_never_a_server_error(self, client, content, prefix):
        suffix = ".xml" if prefix == "/sitemap-" else "/"
        for segment in HOSTILE_SEGMENTS:
            response = client.get(f"{prefix}{segment}{suffix}")
            assert_not_server_error(response, f"{prefix}{segment[:40]}")
            assert response.status_code in (301, 400, 404), f"{prefix}{segment[:40]}"

    @pytest.mark.parametrize("slug", ["a\x00b", "\x00", "feet\x00"])
    def test_nul_in_a_tag_slug_is_not_found(self, client, content, slug, settings):
        # `<str:slug>` lets NUL through to the query, which PostgreSQL refuses;
        # the view says 404 even without the middleware that refuses it first.
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RefuseNul" not in m]
        assert client.get(f"/tags/{quote(slug)}/").status_code == 404

    def test_an_over_long_tag_slug_is_not_found(self, client, content):
        assert client.get(f"/tags/{'feet' * 2500}/").status_code == 404

    def test_paths_with_odd_characters_elsewhere(self, client, content):
        for path in ["/%00", "/%00/", "/articles%00/", "/faq/%00", "/" + LONG, "/%ff", "/😀"]:
            assert_not_server_error(client.get(path), path)


class TestHostileQueryStrings:
    PAGES = ["home", "list", "cause", "tag", "unicode-tag", "tags", "faq", "feed"]
    PAGES += ["sitemap-index", "sitemap", "robots", "search"]
    KEYS = ["page", "q", "p", "next", "format", "x\x00"]

    @pytest.mark.parametrize("name", PAGES)
    def test_never_a_server_error(self, client, content, name):
        url = public_urls(content)[name].split("?")[0]
        for value in HOSTILE_VALUES:
            for query in ({"page": value}, {"q": value}, dict.fromkeys(self.KEYS, value)):
                response = client.get(url, query)
                assert_not_server_error(response, f"{name} ?{list(query)} = {value[:40]!r}")
                assert response.status_code in (200, 404), f"{name} {value[:40]!r}"

    @pytest.mark.parametrize("page", ["-1", "0", "abc", "99999999", "\x00", "1\x00", LONG])
    def test_a_page_that_does_not_exist_is_not_found(self, client, content, page):
        for name in ["list", "cause", "tag", "search"]:
            url = public_urls(content)[name].split("?")[0]
            assert client.get(url, {"q": "feet", "page": page}).status_code == 404, name

    def test_a_sitemap_page_that_does_not_exist_is_not_found(self, client, content):
        url = public_urls(content)["sitemap"]
        for p in ["0", "-1", "abc", "\x00", "99999999"]:
            assert client.get(url, {"p": p}).status_code == 404

    def test_repeated_and_raw_query_strings(self, client, content):
        for query in ["page=1&page=abc", "q=a&q=%00", "%00=%00", "q=%ff%fe", "q", "&&&", "=="]:
            for url in ["/articles/", "/search/", "/tags/feet/"]:
                assert_not_server_error(client.get(f"{url}?{query}"), f"{url}?{query}")

    def test_search_accepts_any_query(self, client, content):
        for q in ["\x00toe", "toe\x00twitching", "😀 toe", "toe" * 5000, "'\"\\", ":*", "!!", "&|"]:
            response = client.get("/search/", {"q": q})
            assert response.status_code == 200, repr(q[:40])


class TestMethods:
    @pytest.mark.parametrize("method", ["put", "delete", "patch", "post"])
    def test_write_methods_are_refused(self, client, content, method):
        for name, url in public_urls(content).items():
            response = getattr(client, method)(url, data="x=1", content_type="text/plain")
            assert_not_server_error(response, f"{method.upper()} {name}")
            # Django's feed and sitemap views answer any method with the
            # document itself; nothing is written, so it is no harm.
            if name not in ("feed", "sitemap-index", "sitemap"):
                assert response.status_code == 405, f"{method.upper()} {name}"

    def test_options_and_head(self, client, content):
        for name, url in public_urls(content).items():
            assert client.options(url).status_code in (200, 405), name
            assert client.head(url).status_code == 200, name

    def test_unknown_methods(self, client, content):
        for method in ["PROPFIND", "TRACE", "CONNECT", "FOO"]:
            for name, url in public_urls(content).items():
                response = client.generic(method, url)
                assert_not_server_error(response, f"{method} {name}")


class TestBodies:
    def test_an_oversized_post_to_the_admin_login_is_400(self, content):
        body = b"username=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
        response = Client().post(
            reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400
        # With CSRF checks on, as in production, refused before the body is read.
        response = Client(enforce_csrf_checks=True).post(
            reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 403

    def test_too_many_fields_is_400(self, client, content):
        body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
        response = client.post(
            reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400

    def test_odd_bodies_to_the_admin_login(self, client, content):
        for body, content_type in [
            (b"\xff\xfe\x00", "application/x-www-form-urlencoded"),
            (b"username=%00&password=%00", "application/x-www-form-urlencoded"),
            (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
            (b"--x\r\nbroken", "multipart/form-data"),
            (b"{}", "application/json"),
            (b"x", "text/plain; charset=no-such-charset"),
            (b"username=a", "application/x-www-form-urlencoded; charset=no-such-charset"),
            (b"username=%ff", "application/x-www-form-urlencoded; charset=utf-16"),
        ]:
            # generic(): post() would encode the body in the odd charset first.
            response = client.generic(
                "POST", reverse("admin:login"), body, content_type=content_type
            )
            assert_not_server_error(response, f"{content_type} {body!r}")

    def test_a_login_with_nul_characters_is_refused_not_an_error(self, client, content):
        response = client.post(
            reverse("admin:login"), {"username": "ad\x00min", "password": "pass\x00word"}
        )
        assert response.status_code == 200  # the form again, with its error

    def test_a_failed_login_with_odd_headers_is_refused_not_an_error(self, client, content):
        # django-axes records failed logins with the user agent, which
        # PostgreSQL would refuse with a NUL in it: RefuseNulCharactersMiddleware.
        response = client.post(
            reverse("admin:login"),
            {"username": "nobody", "password": "wrong"},
            HTTP_USER_AGENT="agent\x00" + LONG,
            HTTP_ACCEPT="\x00",
            HTTP_X_FORWARDED_FOR="\x00, 999.1.1.1",
        )
        assert response.status_code == 400
        response = client.post(
            reverse("admin:login"),
            {"username": "nobody", "password": "wrong"},
            HTTP_USER_AGENT="agent " + LONG,
            HTTP_ACCEPT="¿",
            HTTP_X_FORWARDED_FOR="not an address, 999.1.1.1",
        )
        assert response.status_code == 200


class TestHeaders:
    ODD_HEADERS = {
        "HTTP_ACCEPT_LANGUAGE": "¿?",
        "HTTP_IF_NONE_MATCH": "garbage",
        "HTTP_IF_MATCH": "garbage",
        "HTTP_IF_MODIFIED_SINCE": "not a date",
        "HTTP_IF_UNMODIFIED_SINCE": "Sun, 99 Foo 99999 99:99:99 GMT",
        "HTTP_RANGE": "bytes=abc",
        "HTTP_ACCEPT": "¿/?",
        "HTTP_ACCEPT_ENCODING": "*;q=abc, ¿",
        "HTTP_USER_AGENT": LONG,
        "HTTP_REFERER": "https://evil.example/%00",
        "HTTP_ORIGIN": "null",
        "HTTP_X_FORWARDED_FOR": "not an address, 999.1.1.1",
        "HTTP_X_FORWARDED_PROTO": "gopher",
        "HTTP_X_FORWARDED_HOST": "evil.example",
        "CONTENT_TYPE": "¿",
        "CONTENT_LENGTH": "-1",
    }

    @pytest.mark.parametrize("header", sorted(ODD_HEADERS))
    def test_odd_headers(self, client, content, header):
        for name, url in public_urls(content).items():
            response = client.get(url, **{header: self.ODD_HEADERS[header]})
            assert response.status_code == 200, f"{header} on {name}"

    @pytest.mark.parametrize(
        "cookie",
        [
            "a=" + LONG,
            "; ".join(f"c{n}=v{n}" for n in range(1000)),
            "sessionid=" + LONG,
            'sessionid="\\000aaaaaaaaaaaaaaaaaaa"',  # quoted: a real NUL once parsed
            "sessionid=%00aaaaaaaaaaaaaaaaaa",
            "sessionid=ünïcödé-aaaaaaaaaaaaa",
            "csrftoken=\x01\x02; sessionid=;;;",
            "=; ==; ;",
        ],
    )
    def test_odd_cookies(self, client, content, cookie):
        urls = [*public_urls(content).values(), reverse("admin:index"), reverse("admin:login")]
        for url in urls:
            assert_not_server_error(client.get(url, HTTP_COOKIE=cookie), f"{url} {cookie[:40]}")

    @override_settings(ALLOWED_HOSTS=["health.example"])
    @pytest.mark.parametrize(
        "host",
        [
            "evil.example",
            "health.example.evil.example",
            "exa mple",
            "[::1",
            "health.example:x",
            "health.example@evil.example",
            "",
            "\x00",
            "health.example/evil",
            LONG,
        ],
    )
    def test_a_host_not_allowed_is_400(self, client, content, host):
        for url in public_urls(content).values():
            assert client.get(url, HTTP_HOST=host).status_code == 400, (url, host[:40])

    @override_settings(ALLOWED_HOSTS=["health.example"])
    def test_the_allowed_host_is_served(self, client, content):
        assert client.get("/", HTTP_HOST="health.example").status_code == 200


class TestOpenRedirects:
    @pytest.fixture
    def staff(self, db, settings):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        return make_user(username="editor", password="a-long-password-1", is_staff=True)

    @pytest.mark.parametrize("target", EVIL_NEXT)
    def test_login_never_sends_anyone_off_the_site(self, client, staff, target):
        login = reverse("admin:login")
        response = client.get(login, {"next": target})
        assert_not_server_error(response, f"GET login next={target!r}")
        credentials = {"username": "editor", "password": "a-long-password-1", "next": target}
        response = client.post(f"{login}?{_query(next=target)}", credentials)
        if "\x00" in target:  # under the admin, a NUL in the query string is refused
            assert response.status_code == 400
            response = client.post(login, credentials)
        assert response.status_code == 302
        assert is_on_site(response["Location"]), response["Location"]
        # Already logged in: the login page again, with the same `next`.
        response = client.get(login, {"next": target})
        assert_not_server_error(response, f"GET login again next={target!r}")

    @pytest.mark.parametrize("target", EVIL_NEXT)
    def test_a_failed_login_stays_on_the_site(self, client, staff, target):
        response = client.post(
            reverse("admin:login"), {"username": "editor", "password": "wrong", "next": target}
        )
        assert_not_server_error(response, f"failed login next={target!r}")

    @pytest.mark.parametrize("target", EVIL_NEXT)
    def test_logout_never_sends_anyone_off_the_site(self, client, staff, target):
        client.force_login(staff)
        logout = reverse("admin:logout")
        for response in (
            client.post(f"{logout}?{_query(next=target)}"),
            client.post(logout, {"next": target}),
        ):
            assert_not_server_error(response, f"logout next={target!r}")
            client.force_login(staff)
        assert_not_server_error(client.get(logout, {"next": target}), "GET logout")

    @pytest.mark.parametrize(
        "path",
        [
            "//evil.example",
            "//evil.example/",
            "///evil.example",
            "/\\evil.example",
            "/%2F/evil",
            "/%5Cevil.example",
            "//evil.example/%2e%2e",
            "/articles//evil.example",
            "/.//x",
        ],
    )
    def test_paths_never_redirect_off_the_site(self, client, content, path):
        # PATH_INFO directly: the test client would read "//host" as a host.
        response = client.get("/", PATH_INFO=path)
        assert_not_server_error(response, path)

    def test_an_old_slug_redirects_on_the_site(self, client, content):
        article = type(content).objects.get(pk=content.pk)
        article.slug = "toe-twitches"
        article.save()
        response = client.get("/articles/toe-twitching/")
        assert response.status_code == 301
        assert is_on_site(response["Location"])

    def test_our_is_on_site_agrees_with_django(self):
        for target in EVIL_NEXT:
            assert not is_on_site(target)
            assert not url_has_allowed_host_and_scheme(target, allowed_hosts={"testserver"})
        assert is_on_site("/admin/") and is_on_site("http://testserver/x")


def _query(**params):
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())


class TestNulCharacters:
    """PostgreSQL refuses NUL: RefuseNulCharactersMiddleware answers 400 first."""

    @pytest.mark.parametrize(
        "extra",
        [
            {"PATH_INFO": "/tags/a\x00b/"},
            {"PATH_INFO": "/\x00"},
            {"HTTP_COOKIE": 'sessionid="\\000aaaaaaaaaaaaaaaaaaa"'},
            {"HTTP_USER_AGENT": "agent\x00"},
            {"HTTP_X_ANYTHING": "\x00"},
            {"CONTENT_TYPE": "text/plain\x00"},
        ],
    )
    def test_a_nul_character_is_400(self, client, content, extra):
        for url in ["/", "/tags/feet/", reverse("admin:login")]:
            assert client.get(url, **extra).status_code == 400
        assert client.post(reverse("admin:login"), **extra).status_code == 400

    def test_query_strings_are_left_to_the_public_views(self, client, content):
        assert client.get("/search/", {"q": "toe\x00"}).status_code == 200
        assert client.get("/articles/", {"page": "\x00"}).status_code == 404

    @pytest.mark.parametrize(
        ("url", "query"),
        [
            # Each of these was a 500 on PostgreSQL (for staff) without the middleware.
            ("admin:articles_article_changelist", {"status__exact": "\x00"}),
            ("admin:articles_article_changelist", {"q": "\x00"}),
            ("admin:autocomplete", {"term": "\x00", "app_label": "articles"}),
        ],
    )
    def test_under_the_admin_a_nul_in_the_query_is_400(self, staff_client, url, query):
        query |= {"model_name": "relatedlink", "field_name": "target"}
        assert staff_client.get(reverse(url), query).status_code == 400


# -- logs and the 500 page --------------------------------------------------------


@contextmanager
def json_log(*names):
    """The lines the named loggers write, formatted as on stdout."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    lines = []
    try:
        yield lines
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


class TestLogs:
    def test_a_500_is_logged_with_its_traceback_and_not_shown(self, client, content):
        client.raise_request_exception = False
        boom = RuntimeError("secret internals")
        with (
            mock.patch("articles.views.ArticleListView.get_queryset", side_effect=boom),
            json_log("django.request", "healthsite.request") as lines,
        ):
            response = client.get("/articles/?q=private")
        page = response.content.decode()
        assert response.status_code == 500
        assert "Sorry, something went wrong" in page
        assert "secret internals" not in page and "Traceback" not in page
        error = next(line for line in lines if line["logger"] == "django.request")
        assert error["level"] == "ERROR"
        assert error["status"] == 500 and error["path"] == "/articles/"
        assert error["exception"] == "RuntimeError"
        assert "RuntimeError: secret internals" in error["traceback"]
        assert "get_queryset" in error["traceback"]
        request = next(line for line in lines if line["logger"] == "healthsite.request")
        assert request["status"] == 500

    def test_one_json_line_per_request(self, client, content):
        with json_log("healthsite.request") as lines:
            client.get("/articles/", {"q": "private question"})
            client.get("/no/such/page/")
            client.post("/articles/")
        assert [(line["method"], line["path"], line["status"]) for line in lines] == [
            ("GET", "/articles/", 200),
            ("GET", "/no/such/page/", 404),
            ("POST", "/articles/", 405),
        ]
        for line in lines:
            assert set(line) >= {"time", "level", "logger", "message", "duration_ms"}
            assert line["level"] == "INFO" and line["duration_ms"] >= 0
            assert "private" not in json.dumps(line)  # no query strings in logs

    def test_a_bad_host_is_logged_as_400(self, client, content):
        with (
            override_settings(ALLOWED_HOSTS=["health.example"]),
            json_log("healthsite.request", "django.security") as lines,
        ):
            client.get("/", HTTP_HOST="evil.example")
        statuses = {line["logger"]: line.get("status") for line in lines}
        assert statuses["healthsite.request"] == 400
        assert statuses["django.security.DisallowedHost"] == 400
        assert all("traceback" not in line for line in lines)  # a 400 needs none

    def test_successful_health_checks_are_not_logged(self, client, content):
        with json_log("healthsite.request") as lines:
            client.get(reverse("healthz"))
        assert lines == []


class TestJSONFormatter:
    def format(self, record):
        line = JSONFormatter().format(record)
        assert "\n" not in line
        return json.loads(line)

    def record(self, message="hello %s", args=("world",), exc_info=None, **extra):
        record = logging.LogRecord("healthsite.x", logging.ERROR, __file__, 1, message, args, None)
        record.exc_info = exc_info
        record.__dict__.update(extra)
        return record

    def test_fields(self):
        entry = self.format(self.record(order=3, thing=object()))
        assert entry["message"] == "hello world"
        assert entry["level"] == "ERROR" and entry["logger"] == "healthsite.x"
        assert entry["time"].endswith("+00:00")
        assert entry["order"] == 3 and entry["thing"].startswith("<object")

    def test_exceptions_keep_their_traceback_on_one_line(self):
        try:
            raise ValueError("bad\nvalue ünïcödé")
        except ValueError:
            entry = self.format(self.record(exc_info=sys.exc_info()))
        assert entry["exception"] == "ValueError"
        assert entry["traceback"].startswith("Traceback (most recent call last):")
        assert "ValueError: bad\nvalue ünïcödé" in entry["traceback"]

    def test_a_socket_as_request_is_ignored(self):
        # django.server logs its socket as `request`.
        entry = self.format(self.record(request=object(), status_code=200))
        assert "method" not in entry and entry["status"] == 200
