import logging
import socket
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db

REDIS = "healthsite.cache.RedisCache"


def closed_port():
    """A port on 127.0.0.1 that nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_is_running():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_healthz_answers_when_the_database_and_the_cache_do(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not(client, caplog):
    with mock.patch("healthsite.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_logs_why_with_the_traceback(client):
    handler = mock.Mock(spec=logging.Handler, level=logging.NOTSET)
    logger = logging.getLogger("healthsite.views")
    logger.addHandler(handler)
    try:
        with mock.patch("healthsite.views.connection.cursor", side_effect=OperationalError("x")):
            client.get(reverse("healthz"))
    finally:
        logger.removeHandler(handler)
    record = handler.handle.call_args.args[0]
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is OperationalError


def test_healthz_is_503_when_the_cache_fails(client):
    with mock.patch("healthsite.views.cache.set", side_effect=ConnectionError("refused")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "unavailable"}


def test_healthz_is_503_when_the_cache_keeps_nothing(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_healthz_is_503_when_redis_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": REDIS, "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}
    }
    settings.PAGE_CACHE = False  # see the next test
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "unavailable"}


def test_with_redis_unreachable_healthz_is_still_a_503(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": REDIS, "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}
    }
    settings.PAGE_CACHE = True  # the page cache fails open: it does not turn this into a 500
    client.raise_request_exception = False
    assert client.get(reverse("healthz")).status_code == 503


@pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")
def test_healthz_checks_a_real_redis(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": REDIS, "LOCATION": "redis://127.0.0.1:6379/15", "KEY_PREFIX": "t"}
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["cache"] == "ok"


def test_healthz_answers_get_and_head_only(client):
    assert client.head(reverse("healthz")).status_code == 200
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(reverse("healthz")).status_code == 405
