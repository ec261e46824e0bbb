"""Link integrity: See-also links and internal Markdown links that lead nowhere.

Editors get a report (`broken_see_also_links`, `broken_internal_links`);
readers never see a broken internal link: `unlink_broken` turns links to
missing or unpublished pages back into plain text when a page is shown.
"""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils import timezone
from taggit.models import Tag

from faq.models import FAQEntry

from .models import Article, ArticleCause, Cause, RelatedLink

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
    now = timezone.now()
    links = (
        RelatedLink.objects.filter(
            Q(target__isnull=True)
            | ~Q(target__status=Article.Status.PUBLISHED)
            | Q(target__publish_at__gt=now)
        )
        .select_related("article", "target")
        .order_by("article__title", "position")
    )
    for link in links:
        if link.target is None:
            reason = "no article has this title (not written yet, or deleted)"
        elif link.target.status == Article.Status.PUBLISHED:
            reason = "scheduled: not published yet"
        else:
            reason = f"the article is {link.target.get_status_display().lower()}"
        yield Problem(link.article, "See also", link.target_title, reason)


def broken_internal_links():
    """Markdown links to pages of this site that do not exist, or are not public."""
    sources = [
        (Article.objects.all(), None, Article.markdown_fields),
        (ArticleCause.objects.select_related("article", "cause"), "cause", ("explanation",)),
        (FAQEntry.objects.filter(article__isnull=False).select_related("article"), "question",
         ("answer",)),
    ]  # fmt: skip
    for queryset, kind, fields in sources:
        html_fields = [f"{name}_html" for name in fields]
        candidates = Q()
        for name in html_fields:
            candidates |= Q(**{f"{name}__contains": 'href="/'})
        for row in queryset.filter(candidates):
            article = row if kind is None else row.article
            for name in html_fields:
                for path in _internal_paths(getattr(row, name)):
                    if reason := link_problem(path):
                        where = name.removesuffix("_html").replace("_", " ")
                        if kind == "cause":
                            where = f"cause: {row.cause}"
                        elif kind == "question":
                            where = f"question: {row.question}"
                        yield Problem(article, where, path, reason)


def _internal_paths(html):
    return [match["path"] for match in INTERNAL_LINK.finditer(html)]


def link_problem(path):
    """Why a reader following `path` would not find a page, or None if they would."""
    try:
        match = resolve(path)
    except Resolver404:
        return "no page has this address"
    slug = match.kwargs.get("slug")
    if match.view_name.startswith(("admin:", "articles:preview")):
        return "a staff-only page"
    if match.view_name == "articles:detail" and slug not in _published_slugs({slug}):
        return "not a published article"
    if match.view_name == "articles:cause" and not Cause.objects.filter(slug=slug).exists():
        return "no cause has this address"
    if match.view_name == "articles:tag" and not Tag.objects.filter(slug=slug).exists():
        return "no topic has this address"
    return None


def _published_slugs(slugs):
    """Which of `slugs` reach a published article (its slug, or an old one that redirects)."""
    pairs = (
        Article.objects.published()
        .filter(Q(slug__in=slugs) | Q(slug_redirects__old_slug__in=slugs))
        .values_list("slug", "slug_redirects__old_slug")
    )
    return {slug for pair in pairs for slug in pair if slug in slugs}


def unlink_broken(fragments):
    """The HTML fragments, with links to missing, unpublished or staff pages made plain text.

    Costs no query when the fragments link to no article, and one when they
    do. (Links to causes and topics are left alone: those pages outlive edits.)
    """
    matches = {}
    # Most fragments hold no internal link at all: a substring test passes them by.
    linking = [html for html in fragments if 'href="/' in html]
    for path in {path for html in linking for path in _internal_paths(html)}:
        try:
            matches[path] = resolve(path)
        except Resolver404:
            matches[path] = None
    if not matches:
        return list(fragments)
    slugs = {m.kwargs["slug"] for m in matches.values() if m and m.view_name == "articles:detail"}
    published = _published_slugs(slugs) if slugs else set()
    broken = {
        path
        for path, match in matches.items()
        if match is None
        or match.view_name.startswith(("admin:", "articles:preview"))
        or (match.view_name == "articles:detail" and match.kwargs["slug"] not in published)
    }
    if not broken:
        return list(fragments)

    def plain(match):
        return match["text"] if match["path"] in broken else match[0]

    return [INTERNAL_LINK.sub(plain, html) if 'href="/' in html else html for html in fragments]
