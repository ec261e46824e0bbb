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
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

_listeners = []  # (listener, texts_only, skip_raw, see_also)
_batch = threading.local()


def on_articles_changed(listener=None, *, texts_only=False, skip_raw=False, see_also=True):
    """Register `listener(article_ids)`; usable as a decorator, with or without
    arguments.

    `texts_only`: told only of changes to the articles' texts (their own
    fields, their causes' explanations, their answers), not of their tags,
    pinned links, sources or renamed shared rows. `skip_raw`: not told of rows
    saved "raw", which `loaddata` does from a backup that holds the listener's
    own rows too (and django-reversion's `Version.revert()`: a restore in the
    admin tells the listeners once it is done, `ArticleAdmin._restore`).
    `see_also`: told of the articles whose only
    change is the title of an article they pin in See also (search does not
    index those titles).
    """

    def register(listener):
        _listeners.append((listener, texts_only, skip_raw, see_also))
        return listener

    return register if listener is None else register(listener)


def articles_changed(article_ids, *, texts_of=(), see_also_of=(), raw=False):
    """Tell the listeners; `texts_of`: those of the articles whose texts changed;
    `see_also_of`: articles that show a changed title in their See-also links."""
    ids = {pk for pk in article_ids if pk is not None}
    text_ids = ids.intersection(texts_of)
    see_also_ids = {pk for pk in see_also_of if pk is not None}
    pending = getattr(_batch, "pending", None)
    if pending is not None and not raw:  # inside `batched()`: once, at its end
        pending["ids"].update(ids)
        pending["texts"].update(text_ids)
        pending["see_also"].update(see_also_ids)
    else:
        _tell(ids, text_ids, see_also_ids, raw)


def _tell(ids, text_ids, see_also_ids, raw=False):
    for listener, texts_only, skip_raw, see_also in _listeners:
        wanted = ids
        if texts_only:
            wanted = text_ids
        elif see_also:
            wanted = ids | see_also_ids
        if wanted and not (raw and skip_raw):
            listener(wanted)


@contextmanager
def batched():
    """Tell the listeners about the articles touched inside the block once, at its end."""
    if getattr(_batch, "pending", None) is not None:  # already batching
        yield
        return
    _batch.pending = {"ids": set(), "texts": set(), "see_also": set()}
    try:
        yield
    finally:
        pending, _batch.pending = _batch.pending, None
        _tell(pending["ids"], pending["texts"], pending["see_also"])


def connect():
    """Connect the receivers (from `ArticlesConfig.ready`, once all apps are loaded)."""
    model = apps.get_model
    Article, RelatedLink = model("articles", "Article"), model("articles", "RelatedLink")
    TaggedArticle = model("articles", "TaggedArticle")

    def article_saved(sender, instance, raw=False, **kwargs):
        if not instance.content_edited():
            return  # a move through the workflow, a review date: nothing derived changes
        # Articles pinning this one show its title in their See-also links.
        pinning = RelatedLink.objects.filter(target=instance).values_list("article_id", flat=True)
        articles_changed([instance.pk], texts_of=[instance.pk], see_also_of=pinning, raw=raw)

    def row_changed(sender, instance, origin=None, raw=False, **kwargs):
        article_id = instance.content_object_id if sender is TaggedArticle else instance.article_id
        # A row deleted along with its article: no one is to refresh what is going.
        # (`origin` is what `delete()` was called on; rows hang off one article only.)
        if isinstance(origin, Article) and origin.pk == article_id:
            return
        if isinstance(origin, QuerySet) and origin.model is Article:
            return
        # A question moved to another article (or made site-wide) leaves the one it was read with.
        ids = {article_id, getattr(instance, "loaded_article_id", article_id)}
        if kwargs.get("created") is not None:  # saved: it now belongs where it is
            instance.loaded_article_id = article_id
        articles_changed(ids, texts_of=ids if sender in texts else (), raw=raw)

    def tags_changed(sender, instance, action, **kwargs):
        # taggit sends this for `article.tags.add/set/remove/clear`.
        if action.startswith("post_") and isinstance(instance, Article):
            articles_changed([instance.pk])

    def shared_row_saving(shown):
        def receiver(sender, instance, raw=False, **kwargs):
            if instance.pk is not None and not raw:
                stored = sender._base_manager.filter(pk=instance.pk).values_list(*shown)
                instance._shown_as_stored = stored.first()

        return receiver

    def shared_row_renamed(through, field, shown):
        def receiver(sender, instance, created, raw=False, **kwargs):
            stored = instance.__dict__.pop("_shown_as_stored", None)
            if created or stored == tuple(getattr(instance, name) for name in shown):
                return  # new, or saved with nothing its articles show changed
            # Its name shows in every article using it.
            users = through.objects.filter(**{field: instance})
            articles_changed(users.values_list(_article_field(through), flat=True), raw=raw)

        return receiver

    receivers = [(post_save, article_saved, Article)]
    texts = {model("articles", "ArticleCause"), model("faq", "FAQEntry")}
    rows = [("articles", "ArticleCause"), ("faq", "FAQEntry"), ("articles", "RelatedLink")]
    rows.append(("articles", "TaggedArticle"))
    # Shared rows, and what their articles show of them (a cause without an
    # explanation shows its description; a source is cited by title, address, DOI
    # and PubMed ID).
    cause, article_cause = model("articles", "Cause"), model("articles", "ArticleCause")
    shared = [(cause, article_cause, "cause", ("name", "description"))]
    shared.append((model("taggit", "Tag"), TaggedArticle, "tag", ("name",)))
    if apps.is_installed("sources"):
        rows.append(("sources", "ArticleSource"))
        source, article_source = model("sources", "Source"), model("sources", "ArticleSource")
        shared.append((source, article_source, "source", ("title", "url", "doi", "pmid")))
    for app_label, name in rows:
        for signal in (post_save, post_delete):
            receivers.append((signal, row_changed, model(app_label, name)))
    for owner, through, field, shown in shared:
        receivers.append((pre_save, shared_row_saving(shown), owner))
        receivers.append((post_save, shared_row_renamed(through, field, shown), owner))
    receivers.append((m2m_changed, tags_changed, TaggedArticle))
    for signal, receiver, sender in receivers:
        signal.connect(receiver, sender=sender, weak=False)


def _article_field(through):
    return "content_object_id" if through.__name__ == "TaggedArticle" else "article_id"
