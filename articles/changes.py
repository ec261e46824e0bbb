"""Which articles a change touches, told once to everything derived from their content.

Search vectors (`articles.search`) and sign-off fingerprints (`reviews`) are
kept from what readers see of an article: its own fields, its causes,
questions, pinned links, tags and sources, and the names of shared causes,
tags and sources. The receivers below turn each such change into article
ids; `batched()` gathers them, so an admin save with all its inlines makes
one refresh per listener, not one per row.
"""

import threading
from contextlib import contextmanager

from django.apps import apps
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save

_listeners = []
_batch = threading.local()


def on_articles_changed(listener=None, *, loaded=True):
    """Register `listener(article_ids)`; usable as a decorator, with or without
    arguments. `loaded=False`: not told of rows that `loaddata` saves "raw" from
    a backup, which holds the listener's own rows too."""

    def register(listener):
        _listeners.append((listener, loaded))
        return listener

    return register if listener is None else register(listener)


def articles_changed(article_ids, raw=False):
    ids = {pk for pk in article_ids if pk is not None}
    pending = getattr(_batch, "ids", None)
    if raw:
        for listener, loaded in _listeners:
            if loaded and ids:
                listener(ids)
    elif pending is not None:
        pending.update(ids)  # inside `batched()`: once, at its end
    elif ids:
        for listener, _ in _listeners:
            listener(ids)


@contextmanager
def batched():
    """Tell the listeners about the articles touched inside the block once, at its end."""
    if getattr(_batch, "ids", None) is not None:  # already batching
        yield
        return
    _batch.ids = set()
    try:
        yield
    finally:
        ids, _batch.ids = _batch.ids, None
        articles_changed(ids)


def connect():
    """Connect the receivers (from `ArticlesConfig.ready`, once all apps are loaded)."""
    model = apps.get_model
    Article, RelatedLink = model("articles", "Article"), model("articles", "RelatedLink")
    TaggedArticle = model("articles", "TaggedArticle")

    def article_saved(sender, instance, raw=False, **kwargs):
        # Articles pinning this one show its title in their See-also links.
        pinning = RelatedLink.objects.filter(target=instance).values_list("article_id", flat=True)
        articles_changed([instance.pk, *pinning], raw=raw)

    def row_changed(sender, instance, origin=None, raw=False, **kwargs):
        article_id = instance.content_object_id if sender is TaggedArticle else instance.article_id
        # A row deleted along with its article: no one is to refresh what is going.
        # (`origin` is what `delete()` was called on; rows hang off one article only.)
        if isinstance(origin, Article) and origin.pk == article_id:
            return
        if isinstance(origin, QuerySet) and origin.model is Article:
            return
        articles_changed([article_id], raw=raw)

    def tags_changed(sender, instance, action, **kwargs):
        # taggit sends this for `article.tags.add/set/remove/clear`.
        if action.startswith("post_") and isinstance(instance, Article):
            articles_changed([instance.pk])

    def shared_row_renamed(through, field):
        def receiver(sender, instance, created, raw=False, **kwargs):
            if not created:  # its name shows in every article using it
                users = through.objects.filter(**{field: instance})
                articles_changed(users.values_list(_article_field(through), flat=True), raw=raw)

        return receiver

    receivers = [(post_save, article_saved, Article)]
    rows = [("articles", "ArticleCause"), ("faq", "FAQEntry"), ("articles", "RelatedLink")]
    rows.append(("articles", "TaggedArticle"))
    shared = [(model("articles", "Cause"), model("articles", "ArticleCause"), "cause")]
    shared.append((model("taggit", "Tag"), TaggedArticle, "tag"))
    if apps.is_installed("sources"):
        rows.append(("sources", "ArticleSource"))
        shared.append((model("sources", "Source"), model("sources", "ArticleSource"), "source"))
    for app_label, name in rows:
        for signal in (post_save, post_delete):
            receivers.append((signal, row_changed, model(app_label, name)))
    for owner, through, field in shared:
        receivers.append((post_save, shared_row_renamed(through, field), owner))
    receivers.append((m2m_changed, tags_changed, TaggedArticle))
    for signal, receiver, sender in receivers:
        signal.connect(receiver, sender=sender, weak=False)


def _article_field(through):
    return "content_object_id" if through.__name__ == "TaggedArticle" else "article_id"
