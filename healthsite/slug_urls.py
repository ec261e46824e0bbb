"""URLs without a `reverse()` for each (15 to 50 µs each).

An article page links to every cause, tag and related article it shows, and
names them again in its JSON-LD: some forty reversals a page. Every page
links to the same few others (the header, breadcrumbs, JSON-LD): another ten.
"""

import re
from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# What Django's `slug` converter accepts: reversing such a slug writes it as it is.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_MARKER = "0slug0marker0"


def slug_urls(view_name, request=None):
    """`slug -> reverse(view_name, kwargs={"slug": slug})`, made absolute for
    `request` if given.

    A slug that reversing would write as it is (the `slug` converter's
    characters) goes into a URL reversed once; any other one is reversed.
    """
    before, after = _stencil(view_name)
    if request is not None:
        before, _, after = request.build_absolute_uri(before + _MARKER + after).rpartition(_MARKER)

    def url(slug):
        if isinstance(slug, str) and _PLAIN_SLUG.fullmatch(slug):
            return f"{before}{slug}{after}"
        path = reverse(view_name, kwargs={"slug": slug})
        return request.build_absolute_uri(path) if request is not None else path

    return url


def slug_url(view_name, slug):
    """`reverse(view_name, kwargs={"slug": slug})` for one slug, as cheaply: for
    `get_absolute_url()`, which lists call once a row."""
    if isinstance(slug, str) and _PLAIN_SLUG.fullmatch(slug):
        before, after = _stencil(view_name)
        return f"{before}{slug}{after}"
    return reverse(view_name, kwargs={"slug": slug})


def site_url(view_name):
    """`reverse(view_name)` for a view that takes no arguments (the home page,
    the A to Z, search…): reversed once per URLconf, prefix and language."""
    resolver = get_resolver(get_urlconf())
    return _reverse_once(view_name, resolver, get_script_prefix(), get_language())


def _stencil(view_name):
    """The view's URL split around its slug: reversed once per URLconf, prefix and language."""
    resolver = get_resolver(get_urlconf())
    url = _reverse_once(view_name, resolver, get_script_prefix(), get_language(), slug=_MARKER)
    before, _, after = url.rpartition(_MARKER)
    return before, after


@lru_cache(maxsize=64)
def _reverse_once(view_name, resolver, prefix, language, **kwargs):
    # Keyed by all that `reverse` reads besides its arguments: the URLconf's
    # resolver (a new one whenever the URLconf changes), the script prefix and
    # the language; it reads them again itself, from the current thread.
    return reverse(view_name, kwargs=kwargs)
