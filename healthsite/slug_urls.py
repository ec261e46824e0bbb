"""URLs for many slugs of one view, without a `reverse()` for each (about 15 µs each).

An article page links to every cause, tag and related article it shows, and
names them again in its JSON-LD: some forty reversals a page.
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
    stencil = _reverse_once(
        view_name, get_resolver(get_urlconf()), get_script_prefix(), get_language()
    )
    if request is not None:
        stencil = request.build_absolute_uri(stencil)
    before, _, after = stencil.rpartition(_MARKER)

    def url(slug):
        if isinstance(slug, str) and _PLAIN_SLUG.fullmatch(slug):
            return f"{before}{slug}{after}"
        path = reverse(view_name, kwargs={"slug": slug})
        return request.build_absolute_uri(path) if request is not None else path

    return url


@lru_cache(maxsize=64)
def _reverse_once(view_name, resolver, prefix, language):
    # Keyed by all that `reverse` reads besides its arguments: the URLconf's
    # resolver (a new one whenever the URLconf changes), the script prefix and
    # the language; it reads them again itself, from the current thread.
    return reverse(view_name, kwargs={"slug": _MARKER})
