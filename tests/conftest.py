import pytest
from django.core.cache import cache

from tests.factories import make_user


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Hashed names need `collectstatic`; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Tests change rows behind the ORM's back (`update()`); the page cache has its
    # own tests (tests/site/test_page_cache.py), which turn it on.
    settings.PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached pages and the content generation must not leak between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client
