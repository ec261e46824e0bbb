"""Link integrity: See-also links and internal Markdown links that lead nowhere.

Editors get a report (`broken_see_also_links`, `broken_internal_links`, the
latter from the index of links that articles/links.py keeps); readers never
see a broken internal link: `unlink_broken` turns links to missing or
unpublished pages back into plain text when a page is shown.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from django.db import connection
from django.db.models import DateTimeField, Q, SlugField
from django.urls import Resolver404, resolve
from django.utils import timezone
from taggit.models import Tag

from healthsite.db import Param, Prepared

from .models import STAFF_ONLY_VIEWS, Article, Cause, InternalLink, RelatedLink, SlugRedirect

# Internal links as the Markdown renderer writes them: site-relative paths.
INTERNAL_LINK = re.compile(r'<a href="(?P<path>/[^"#?]*)[^"]*"[^>]*>(?P<text>.*?)</a>', re.S)


@dataclass
class Problem:
    article: Article
    where: str  # "See also", "summary", "cause: Dehydration", …
    target: str  # the title or path that is broken
    reason: str


def broken_see_also_links():
    """Pinned links whose target is missing, deleted, unpublished, scheduled or archived."""
    return see_also_problems(broken_see_also_rows())


def broken_see_also_rows():
    """The links of `broken_see_also_links()`, to page through and give to
    `see_also_problems`: with only the titles and statuses the report shows
    (at 100,000 articles, both articles' whole rows for each of 9,700 links
    took 2.7 s)."""
    now = timezone.now()
    return (
        RelatedLink.objects.filter(
            Q(target__isnull=True)
            | ~Q(target__status=Article.Status.PUBLISHED)
            | Q(target__publish_at__gt=now)
        )
        .select_related("article", "target")
        .only("target_title", "article__title", "target__title", "target__status")
        .order_by("article__title", "position", "pk")
    )


def see_also_problems(links):
    for link in links:
        if link.target is None:
            reason = "no article has this title (not written yet, or deleted)"
        elif link.target.status == Article.Status.PUBLISHED:
            reason = "scheduled: not published yet"
        else:
            reason = f"the article is {link.target.get_status_display().lower()}"
        yield Problem(link.article, "See also", link.target_title, reason)


def broken_internal_links():
    """Markdown links to pages of this site that do not exist, or are not public:
    the ids of their `InternalLink`s, by article title, to page through and give
    to `as_problems`. Found in the index of links (articles/links.py) by one
    query, not by reading every text."""
    return (
        InternalLink.objects.broken()
        .values_list("pk", "article__title", "article_id")
        .order_by("article__title", "article_id", "pk")
    )


def as_problems(rows):
    """The report's rows for (a page of) `broken_internal_links()`: one query."""
    ids = [pk for pk, *_ in rows]
    links = (
        InternalLink.objects.select_related("article", "article_cause__cause", "faq_entry")
        .only(
            "field", "path", "view_name", "article__title", "article_cause__cause__name",
            "faq_entry__question",
        )
        .in_bulk(ids)
    )  # fmt: skip
    for link in filter(None, map(links.get, ids)):  # (one deleted in between is gone)
        yield Problem(link.article, link.where, link.path, why_broken(link.view_name))


def internal_paths(html):
    """The site-relative paths an HTML text links to, in order."""
    return [match["path"] for match in INTERNAL_LINK.finditer(html)]


def why_broken(view_name):
    """Why a link to a page of `view_name` ("" for none) that is broken is broken."""
    if not view_name:
        return "no page has this address"
    if view_name.startswith(STAFF_ONLY_VIEWS):
        return "a staff-only page"
    return MISSING[view_name]


def link_problem(path):
    """Why a reader following `path` would not find a page, or None if they would."""
    return link_problems([path]).get(path)


def link_problems(paths, kinds=None):
    """{path: why a reader following it would not find a page}, for those of
    `paths` that are broken. A query for each kind of page linked to, each
    thousand of its addresses, however many `paths`. `kinds`: the pages whose
    slugs are looked up (by default, articles, causes and topics)."""
    matches = resolved(paths)
    slugs = {kind: set() for kind in (MISSING if kinds is None else kinds)}
    for match in matches.values():
        if match is not None and match.view_name in slugs:
            slugs[match.view_name].add(match.kwargs.get("slug"))
    found = {kind: _existing(kind, wanted) for kind, wanted in slugs.items()}
    problems = {}
    for path, match in matches.items():
        if (
            match is None
            or match.view_name.startswith(STAFF_ONLY_VIEWS)
            or (match.view_name in found and match.kwargs.get("slug") not in found[match.view_name])
        ):
            problems[path] = why_broken(match.view_name if match else "")
    return problems


# The pages that exist only for some slugs, and why a missing one is missing.
MISSING = {
    "articles:detail": "not a published article",
    "articles:cause": "no cause has this address",
    "articles:tag": "no topic has this address",
}
IN_A_QUERY = 1000  # slugs looked up in one query, at most


def resolved(paths):
    """{path: its ResolverMatch, or None where no page has it}."""
    matches = {}
    for path in paths:
        # As the server reads it: the renderer writes "/tags/caf%C3%A9/". No page's
        # address holds a NUL, and PostgreSQL refuses one in a lookup or a row.
        decoded = unquote(path)
        try:
            matches[path] = None if "\x00" in decoded else resolve(decoded)
        except Resolver404:
            matches[path] = None
    return matches


def _chunks(values):
    """`values` in lists of at most `_chunk_size()`."""
    size = _chunk_size()
    values = sorted(values)
    return [values[n : n + size] for n in range(0, len(values), size)]


def _chunk_size():
    """IN_A_QUERY, or fewer where the database takes fewer parameters in a query
    (SQLite before 3.32: 999, and a lookup of published slugs passes each twice)."""
    if limit := connection.features.max_query_params:
        return min(IN_A_QUERY, (limit - 10) // 2)
    return IN_A_QUERY


def _existing(kind, slugs):
    """Which of `slugs` lead to a page of `kind` (a key of MISSING) readers can see."""
    if kind == "articles:detail":
        return _published_slugs(slugs)
    return _existing_slugs({"articles:cause": Cause, "articles:tag": Tag}[kind], slugs)


def _existing_slugs(model, slugs):
    """Which of `slugs` are the slug of a `model` row."""
    found = set()
    for chunk in _chunks(slugs):
        found.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    return found


def _published_slugs(slugs):
    """Which of `slugs` reach a published article (its slug, or an old one that redirects).

    Each kind of slug is looked up in its own index. Asked as one query with an
    OR across the redirects' join, PostgreSQL read every article: 0.2 s at
    100,000 articles, for each article page that links to another. The SQL is
    built once for each number of slugs a query takes (`_published_slugs_query`):
    building it took a millisecond of CPU a page, running it a tenth of that.
    """
    found = set()
    now = timezone.now()
    for chunk in _chunks(slugs):
        size = 2  # the SQL is built for 2, 4, 8… slugs (and for the most a query takes)
        while size < len(chunk):
            size *= 2
        size = min(size, _chunk_size())
        values = {f"slug{n}": "" for n in range(size)}  # no article's slug is ""
        values |= {f"slug{n}": slug for n, slug in enumerate(chunk)}
        rows = _published_slugs_query(size, connection.alias).rows(now=now, **values)
        found.update(slug for (slug,) in rows if slug)
    return found


@lru_cache(maxsize=32)
def _published_slugs_query(size, alias):
    """The query of `_published_slugs` for `size` slugs, built once (for each database)."""
    slugs = [Param(f"slug{n}", SlugField()) for n in range(size)]
    published = Article.objects.published(now=Param("now", DateTimeField()))
    current = published.filter(slug__in=slugs).values_list("slug").order_by()
    old = (
        SlugRedirect.objects.filter(old_slug__in=slugs, article__in=published.values("pk"))
        .values_list("old_slug")
        .order_by()
    )
    return Prepared(current.union(old, all=True).using(alias))


def unlink_broken(fragments):
    """The HTML fragments, with links to missing, unpublished or staff pages made plain text.

    Costs no query when the fragments link to no article, and one when they
    do. (Links to causes and topics are left alone: those pages outlive edits.)
    """
    # Most fragments hold no internal link at all: a substring test passes them by.
    linking = [html for html in fragments if 'href="/' in html]
    paths = {path for html in linking for path in internal_paths(html)}
    broken = link_problems(paths, kinds=["articles:detail"])
    if not broken:
        return list(fragments)

    def plain(match):
        return match["text"] if match["path"] in broken else match[0]

    return [INTERNAL_LINK.sub(plain, html) if 'href="/' in html else html for html in fragments]
