"""Small factories: each makes a valid object and takes overrides."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, ArticleCause, Cause, RelatedLink
from faq.models import FAQEntry

_counter = itertools.count(1)


def make_user(**overrides):
    n = next(_counter)
    fields = {"username": f"user{n}", "email": f"user{n}@example.org"} | overrides
    password = fields.pop("password", None)  # unusable unless given: hashing is slow
    return get_user_model().objects.create_user(password=password, **fields)


def make_article(tags=(), **overrides):
    fields = {
        "title": f"Article {next(_counter)}",
        "summary": "An introduction.",
        "status": Article.Status.PUBLISHED,
        "publish_at": timezone.now() - timedelta(hours=1),
        # Most tests are not about the urgency rule; those that are set it.
        "needs_urgency_advice": False,
    } | overrides
    article = Article.objects.create(**fields)
    if tags:
        article.tags.set(tags)
    return article


def make_draft(**overrides):
    return make_article(**({"status": Article.Status.DRAFT, "publish_at": None} | overrides))


def make_cause(**overrides):
    fields = {"name": f"Cause {next(_counter)}", "description": "A general description."}
    return Cause.objects.create(**(fields | overrides))


def add_cause(article, cause=None, **overrides):
    position = overrides.pop("position", article.article_causes.count() + 1)
    return ArticleCause.objects.create(
        article=article, cause=cause or make_cause(), position=position, **overrides
    )


def add_faq(article=None, **overrides):
    fields = {
        "question": f"Question {next(_counter)}?",
        "answer": "An answer.",
        "position": FAQEntry.objects.filter(article=article).count() + 1,
    } | overrides
    return FAQEntry.objects.create(article=article, **fields)


def add_link(article, target=None, **overrides):
    fields = {"position": article.related_links.count() + 1} | overrides
    return RelatedLink.objects.create(article=article, target=target, **fields)
