"""`slug_urls`, `slug_url` and `site_url`: the URLs `reverse` gives, without reversing each time."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from healthsite.slug_urls import site_url, slug_url, slug_urls


def _view(request):
    return None


# Another URLconf with a view of the same name elsewhere.
urlpatterns = [
    path("moved/", include(([path("<slug:slug>/", _view, name="detail")], "articles"))),
    path("elsewhere/", _view, name="home"),
]


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


@pytest.mark.parametrize("name", ["home", "articles:list", "articles:search", "feed"])
def test_site_url_is_reverse(name):
    assert site_url(name) == reverse(name)
    template = Template("{% load site %}{% site_url name %} {% site_url name as kept %}{{ kept }}")
    assert template.render(Context({"name": name})) == f"{reverse(name)} {reverse(name)}"


def test_site_url_follows_the_script_prefix_and_the_urlconf(script_prefix):
    assert site_url("home") == "/"
    script_prefix("/health/")
    assert site_url("home") == "/health/"
    script_prefix("/")
    with override_settings(ROOT_URLCONF=__name__):
        assert site_url("home") == "/elsewhere/"
    assert site_url("home") == "/"


def test_site_url_refuses_what_reverse_refuses():
    with pytest.raises(NoReverseMatch):
        site_url("articles:detail")  # takes a slug
    with pytest.raises(NoReverseMatch):
        site_url("no-such-page")
