"""Keep `ArticleReviewState` fingerprints current when reader-visible content changes.

The same events `articles.search` listens to, plus pinned links and the
titles they show. Only articles signed off at least once have a state to
refresh; for the rest a save costs one small query.
"""

import threading
from contextlib import contextmanager

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from articles.models import Article, ArticleCause, Cause, RelatedLink, TaggedArticle
from faq.models import FAQEntry

from .fingerprint import content_fingerprints
from .models import ArticleReviewState

_batch = threading.local()


def refresh_review_states(article_ids):
    """Re-fingerprint these articles, if they have been signed off."""
    article_ids = {pk for pk in article_ids if pk is not None}
    pending = getattr(_batch, "ids", None)
    if pending is not None:
        pending.update(article_ids)  # inside `batched_refresh`: once, at its end
        return
    tracked = ArticleReviewState.objects.filter(article_id__in=article_ids)
    ids = list(tracked.values_list("article_id", flat=True))
    if not ids:
        return
    ArticleReviewState.objects.bulk_update(
        [
            ArticleReviewState(article_id=pk, content_fingerprint=fingerprint)
            for pk, fingerprint in content_fingerprints(ids).items()
        ],
        ["content_fingerprint"],
    )


@contextmanager
def batched_refresh():
    """Refresh each article touched inside the block once, when it ends."""
    if getattr(_batch, "ids", None) is not None:  # already batching
        yield
        return
    _batch.ids = set()
    try:
        yield
    finally:
        ids, _batch.ids = _batch.ids, None
        if ids:
            refresh_review_states(ids)


@receiver(post_save, sender=Article)
def _article_saved(sender, instance, **kwargs):
    # Articles pinning this one show its title in their See-also links.
    linking = RelatedLink.objects.filter(target=instance).values_list("article_id", flat=True)
    refresh_review_states([instance.pk, *linking])


@receiver([post_save, post_delete], sender=ArticleCause)
@receiver([post_save, post_delete], sender=FAQEntry)
@receiver([post_save, post_delete], sender=RelatedLink)
@receiver([post_save, post_delete], sender=TaggedArticle)
def _row_changed(sender, instance, **kwargs):
    article_id = instance.content_object_id if sender is TaggedArticle else instance.article_id
    refresh_review_states([article_id])


@receiver(m2m_changed, sender=TaggedArticle)
def _tags_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        refresh_review_states([instance.pk])


@receiver(post_save, sender=Cause)
def _cause_saved(sender, instance, created, **kwargs):
    if not created:  # its name, and maybe its description, show in every article listing it
        refresh_review_states(instance.article_causes.values_list("article_id", flat=True))


@receiver(post_save, sender=Tag)
def _tag_saved(sender, instance, created, **kwargs):
    if not created:
        tagged = TaggedArticle.objects.filter(tag=instance)
        refresh_review_states(tagged.values_list("content_object_id", flat=True))


def _connect_sources():
    """References count as content when the sources app is installed."""
    if not (apps.is_installed("sources") and hasattr(Article, "article_sources")):
        return
    ArticleSource = Article.article_sources.rel.related_model
    Source = ArticleSource.source.field.related_model

    def source_row_changed(sender, instance, **kwargs):
        refresh_review_states([instance.article_id])

    def source_saved(sender, instance, created, **kwargs):
        if not created:
            cited = ArticleSource.objects.filter(source=instance)
            refresh_review_states(cited.values_list("article_id", flat=True))

    for signal in (post_save, post_delete):
        signal.connect(source_row_changed, sender=ArticleSource, weak=False)
    post_save.connect(source_saved, sender=Source, weak=False)


_connect_sources()
