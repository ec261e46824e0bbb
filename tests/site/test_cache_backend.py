"""healthsite.cache.RedisCache: Django's Redis cache, one client per pool."""

import threading

import pytest
from django.core.cache import caches

from .test_healthz import redis_is_running

pytestmark = pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")

SETTINGS = {
    "BACKEND": "healthsite.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/15",
    "KEY_PREFIX": "test-cache-backend",
}


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {"default": SETTINGS}
    cache = caches["default"]
    yield cache
    cache.clear()


def test_every_operation_reuses_one_client(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("k", {"v": 1})
    assert redis_cache.get("k") == {"v": 1}
    assert redis_cache._cache.get_client("k") is client


def test_replicas_each_have_their_own_client(settings):
    settings.CACHES = {
        "default": SETTINGS | {"LOCATION": "redis://127.0.0.1:6379/15,redis://127.0.0.1:6379/14"}
    }
    backend = caches["default"]._cache
    writer = backend.get_client(write=True)
    assert writer is backend.get_client(write=True)
    assert writer.connection_pool is backend._get_connection_pool(write=True)


def test_threads_share_the_client_safely(redis_cache):
    """redis.Redis checks a connection out of its pool per command."""
    errors = []

    def work(n):
        try:
            for i in range(50):
                redis_cache.set(f"t{n}:{i}", i)
                assert redis_cache.get(f"t{n}:{i}") == i
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    backend = redis_cache._cache
    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(backend._clients) == 1
