"""Sitemap sections, served as an index at /sitemap.xml and one file per section.

Each section makes a fixed number of queries (a count and one page of rows),
however many URLs it holds; the framework pages a section past 50,000 URLs,
and the articles' past 10,000.
Articles are counted from their kept total (articles/tag_index.py).
"""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Exists, Max, OuterRef, Subquery
from django.template.response import SimpleTemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from taggit.models import Tag

from articles.models import Article, ArticleCause, Cause, TaggedArticle
from articles.tag_index import published_article_count

from .pagination import IndexedPaginator


class StaticSitemap(Sitemap):
    def items(self):
        return ["home", "articles:list", "articles:tags", "faq:list"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(Sitemap):
    # 10,000 URLs a file, not the protocol's 50,000: a file of 50,000 took 3 s to
    # build at 100,000 articles (its template, mostly), each time an edit renews
    # the page cache. A crawler fetches the files one by one.
    limit = 10_000

    def items(self):
        # Only what a URL needs.
        return Article.objects.published().for_listing().only("slug", "updated")

    @property
    def paginator(self):
        # Pages of the kept total (articles/tag_index.py), not a count of every
        # article, each found in the listing index, not after reading the pages
        # before it (healthsite/pagination.py). (One URL an article: with `i18n`,
        # the framework would page item and language pairs.)
        pages = IndexedPaginator(self._items(), self.limit)
        pages.count = published_article_count()
        return pages

    def lastmod(self, article):
        return article.updated

    def get_latest_lastmod(self):
        # The default loads every item to find the latest; one aggregate will do.
        return Article.objects.published().aggregate(latest=Max("updated"))["latest"]


class CauseSitemap(Sitemap):
    def items(self):
        # Causes a published article lists: the first such listing, found or not,
        # in the cause's index. Not EXISTS, which PostgreSQL makes a join that
        # reads every listing of each cause (195 ms at 100,000 articles).
        listed = ArticleCause.objects.published().filter(cause=OuterRef("pk"))
        first = Subquery(listed.order_by().values("pk")[:1])
        causes = Cause.objects.alias(first_listing=first).filter(first_listing__isnull=False)
        return causes.order_by("name", "pk").only("slug")


class TagSitemap(Sitemap):
    def items(self):
        # Tags of published articles (no counts needed): a probe of the tag's index each.
        published = TaggedArticle.objects.published().filter(tag=OuterRef("pk"))
        return Tag.objects.filter(Exists(published)).order_by("name", "pk").only("slug")

    def location(self, tag):
        return reverse("articles:tag", args=[tag.slug])


# Classes, not instances: the views make one per request, so nothing a
# section computes while rendering outlives the request.
sitemaps = {
    "static": StaticSitemap,
    "articles": ArticleSitemap,
    "causes": CauseSitemap,
    "tags": TagSitemap,
}


def section(request, section):
    """A section's file, as Django's view makes it, but written without its template.

    The template took about 100 µs a URL (1 s for a file of 10,000 articles at
    100,000 articles, after each edit renews the page cache); `urlset_xml`
    writes the same bytes in a tenth of that.
    """
    response = sitemap_views.sitemap(request, sitemaps, section)
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.content = urlset_xml(response.context_data["urlset"])  # marks it rendered
    return response


def urlset_xml(urls):
    """What Django's sitemap.xml template renders for `urls` (`Sitemap.get_urls()`)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
        'sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if lastmod := url.get("lastmod"):
            if isinstance(lastmod, datetime) and timezone.is_aware(lastmod):
                lastmod = timezone.localtime(lastmod)  # as templates show times
            parts.append(
                f"<lastmod>{lastmod.year:04d}-{lastmod.month:02d}-{lastmod.day:02d}</lastmod>"
            )
        if changefreq := url.get("changefreq"):
            parts.append(f"<changefreq>{escape(changefreq)}</changefreq>")
        if priority := url.get("priority"):
            parts.append(f"<priority>{escape(priority)}</priority>")
        for alternate in url.get("alternates") or ():
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
                f'href="{escape(alternate["location"])}"/>'
            )
        parts.append("</url>")
    parts.append("\n</urlset>\n")
    return "".join(parts)
