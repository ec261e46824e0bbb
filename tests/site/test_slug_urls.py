"""`slug_urls` and `slug_url`: the URLs `reverse` gives, without reversing each time."""

import pytest
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from healthsite.slug_urls import slug_url, slug_urls


def _view(request):
    return None


# Another URLconf with a view of the same name elsewhere.
urlpatterns = [path("moved/", include(([path("<slug:slug>/", _view, name="detail")], "articles")))]


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("articles:detail", "leg-cramps"),
        ("articles:cause", "bench--dry_mouth-2"),
        ("articles:tag", "sleep"),
        ("articles:tag", "café"),  # taggit's Unicode slugs: reversed, so quoted
        ("articles:tag", "a b&c"),
    ],
)
def test_slug_urls_are_reverse(name, slug):
    request = RequestFactory().get("/")
    expected = reverse(name, kwargs={"slug": slug})

    assert slug_urls(name)(slug) == expected
    assert slug_url(name, slug) == expected
    assert slug_urls(name, request)(slug) == request.build_absolute_uri(expected)


def test_slug_urls_follow_the_script_prefix(script_prefix):
    script_prefix("/health/")
    assert slug_urls("articles:cause")("dehydration") == "/health/causes/dehydration/"
    assert slug_url("articles:detail", "cramp") == "/health/articles/cramp/"


def test_slug_urls_refuse_what_reverse_refuses():
    with pytest.raises(NoReverseMatch):
        slug_urls("articles:detail")("")
    with pytest.raises(NoReverseMatch):
        slug_urls("articles:detail")("not/a/slug")
    with pytest.raises(NoReverseMatch):
        slug_url("articles:detail", "not/a/slug")


def test_slug_urls_follow_a_changed_urlconf():
    assert slug_urls("articles:detail")("cramp") == "/articles/cramp/"
    with override_settings(ROOT_URLCONF=__name__):
        assert slug_urls("articles:detail")("cramp") == "/moved/cramp/"
        assert slug_url("articles:detail", "cramp") == "/moved/cramp/"
    assert slug_urls("articles:detail")("cramp") == "/articles/cramp/"
