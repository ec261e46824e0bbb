"""Sitemap sections, served as an index at /sitemap.xml and one file per section.

Each section makes a fixed number of queries (a count and one page of rows),
however many URLs it holds; the framework pages a section past 50,000 URLs,
and the articles' past 10,000.
Articles are counted from their kept total (articles/tag_index.py).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Subquery
from django.urls import reverse
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
