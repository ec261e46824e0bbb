"""Static files as production serves them: collected with hashed names, compressed,
served by whitenoise with the best encoding the browser accepts, and cached forever
only under a hashed name."""

import re

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client

ONE_YEAR = 365 * 24 * 60 * 60


@pytest.fixture
def collected(settings, tmp_path):
    """`collectstatic` as in production, into a temporary STATIC_ROOT; only the site's
    own files (not the admin's), to stay fast. Returns the hashed URL of the CSS."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", interactive=False, verbosity=0)
    return staticfiles_storage.url("css/site.css")


@pytest.fixture
def fetch(collected):
    # A new client builds its middleware now, so whitenoise reads the collected files.
    client = Client()

    def get(url, encoding=None):
        headers = {"accept-encoding": encoding} if encoding else {}
        response = client.get(url, headers=headers, secure=True)
        assert response.status_code == 200, url
        return response

    return get


def max_age(response):
    found = re.search(r"max-age=(\d+)", response["Cache-Control"])
    return int(found.group(1)) if found else 0


def test_the_css_has_a_hashed_name(collected):
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", collected)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_the_hashed_css_is_compressed_as_the_browser_asks(fetch, collected, encoding):
    response = fetch(collected, encoding)
    assert response["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response["Vary"]
    assert response["Content-Type"].startswith("text/css")


def test_brotli_is_preferred_when_both_are_accepted(fetch, collected):
    assert fetch(collected, "gzip, deflate, br")["Content-Encoding"] == "br"


def test_without_accept_encoding_the_css_is_sent_plain(fetch, collected, settings):
    response = fetch(collected)
    assert "Content-Encoding" not in response
    body = b"".join(response.streaming_content)
    assert body == (settings.STATIC_ROOT / collected.removeprefix("/static/")).read_bytes()


def test_the_hashed_css_is_cached_forever(fetch, collected):
    response = fetch(collected, "br")
    assert max_age(response) >= ONE_YEAR
    assert "immutable" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


def test_the_unhashed_name_is_not_cached_forever(fetch):
    # Its content changes with each release: browsers must ask again soon.
    response = fetch("/static/css/site.css", "br")
    assert max_age(response) < ONE_YEAR
    assert "immutable" not in response["Cache-Control"]
