"""Factories for sources and citations; each makes a valid object and takes overrides."""

import itertools
from datetime import date

from sources.models import ArticleSource, CauseSource, Source

_counter = itertools.count(1)


def make_source(**overrides):
    n = next(_counter)
    fields = {
        "title": f"Source {n}",
        "publisher": "NHS",
        "url": f"https://example.org/source-{n}",
        "accessed": date(2024, 1, 15),
    } | overrides
    return Source.objects.create(**fields)


def cite(article, source=None, **overrides):
    position = overrides.pop("position", article.article_sources.count() + 1)
    return ArticleSource.objects.create(
        article=article, source=source or make_source(), position=position, **overrides
    )


def cite_for_cause(cause, source=None):
    return CauseSource.objects.create(cause=cause, source=source or make_source())
