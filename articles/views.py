from django.conf import settings
from django.db.models import DateTimeField, SlugField
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from healthsite.db import Param, Prepared, plans_for_their_parameters
from healthsite.pagination import IndexedPaginator

from .integrity import unlink_broken
from .models import Article, ArticleCause, Cause
from .page import ArticleContent, article_page_context
from .search import search, snippets
from .tag_index import published_article_count
from .topics import article_count, tag_with_slug, tagged_causes, tagged_questions, topics


class ListingCountMixin:
    """A listing of published articles counted by `listing_count()`, from an
    index range or a kept total (articles/tag_index.py), not by visiting each article,
    and paged in its index (`IndexedPaginator`), not by reading the rows before a page."""

    paginator_class = IndexedPaginator

    def listing_count(self):
        raise NotImplementedError

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        paginator.count = self.listing_count()
        return paginator


class ArticleListView(ListingCountMixin, ListView):
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def listing_count(self):
        return published_article_count()


class ArticleDetailView(DetailView):
    # Its SQL is built once, not per request: that took a millisecond a page.
    page = Prepared(
        Article.objects.for_detail()
        .published(now=Param("now", DateTimeField()))
        .filter(slug=Param("slug", SlugField()))
        .order_by()[:1]
    )

    def get_object(self, queryset=None):
        found = self.page.run(slug=self.kwargs["slug"], now=timezone.now())
        if not found:
            raise Http404("No published article has this address.")
        return found[0]

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # An old address of a published article whose slug has changed.
            moved = Article.objects.published().filter(slug_redirects__old_slug=kwargs["slug"])
            if target := moved.first():
                return redirect(target, permanent=True)
            raise

    def get_context_data(self, **kwargs):
        content = ArticleContent.from_saved(self.object)
        return super().get_context_data(**article_page_context(content, self.request), **kwargs)


class CauseDetailView(ListingCountMixin, ListView):
    """A cause, and a page of the published articles that list it."""

    template_name = "articles/cause_detail.html"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        self.cause = get_object_or_404(Cause, slug=self.kwargs["slug"])
        return Article.objects.published_with_cause(self.cause)

    def listing_count(self):
        return ArticleCause.objects.published().filter(cause=self.cause).count()

    def get_context_data(self, **kwargs):
        # Readers never follow a link to a missing or unpublished page (as on an
        # article's): for this page only, nothing is saved.
        [self.cause.description_html] = unlink_broken([self.cause.description_html])
        return super().get_context_data(cause=self.cause, **kwargs)


class TagListView(ListView):
    template_name = "articles/tag_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return topics()


class TagDetailView(ListingCountMixin, ListView):
    """A page of the published articles with a tag; on the first page, its causes and questions."""

    template_name = "articles/tag_detail.html"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        slug = self.kwargs["slug"]
        # `<str:slug>` lets through anything but "/": a NUL character would
        # reach the query, which PostgreSQL refuses (a 500), and no tag's slug
        # is longer than the column.
        if "\x00" in slug or len(slug) > Tag._meta.get_field("slug").max_length:
            raise Http404("No such tag.")
        self.tag = tag_with_slug(slug)
        if self.tag is None:
            raise Http404("No such tag.")
        return Article.objects.published_with_tag(self.tag)

    def listing_count(self):
        return article_count(self.tag)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        causes, questions, shown = [], [], settings.TAG_PAGE_LIST_SIZE
        if context["page_obj"].number == 1:
            # At most `shown` of each, so that the page does not grow with the
            # site; one more tells whether there are more.
            causes = tagged_causes(self.tag, shown + 1)
            questions = tagged_questions(self.tag, shown + 1)
            if not (context["object_list"] or causes or questions):
                raise Http404("Nothing published has this tag.")
        return context | {
            "causes": causes[:shown],
            "questions": questions[:shown],
            # The page then points readers to a search for the rest.
            "more_elsewhere": len(causes) > shown or len(questions) > shown,
        }


class SearchView(ListView):
    template_name = "articles/search.html"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get(self, request, *args, **kwargs):
        # Every query of a search, counts and pages included, runs in here.
        with plans_for_their_parameters():
            return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.outcome = search(self.request.GET.get("q", ""))
        return self.outcome.articles

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        outcome = self.outcome
        page = list(context["object_list"])
        found = snippets(page, outcome.query)
        for article in page:
            article.snippet = found.get(article.pk, "")
        # Counted only up to search.RESULTS_CAP: beyond it "1,000+", and no more pages
        # (a page past them is a 404, like any page past the last).
        capped, listed = outcome.articles.capped, f"{context['paginator'].count:,}"
        return context | {
            "object_list": page,
            "query": outcome.query,
            "questions": outcome.questions,
            "suggestion": outcome.suggestion,
            "results_capped": capped,
            "results_listed": listed,
            "results_found": f"{listed}+" if capped else listed,
        }
