"""Keep `ArticleReviewState` fingerprints current when reader-visible content changes.

Told by `articles.changes`, like search. Only articles signed off at least once
have a state to refresh; for the rest a change costs one small query.

A backup loaded with `loaddata` saves rows "raw". One made before states kept
the latest sign-off's fingerprint has none to load, so it is taken from the
sign-offs, in whichever order the two load.
"""

from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from articles.changes import on_articles_changed

from .fingerprint import content_fingerprints
from .models import ArticleReviewState, SignOff


@on_articles_changed
def refresh_review_states(article_ids):
    """Re-fingerprint these articles, if they have been signed off."""
    tracked = ArticleReviewState.objects.filter(article_id__in=article_ids).order_by("pk")
    if connection.in_atomic_block and connection.features.has_select_for_update:
        # Locked in one order (by article), as articles are: two saves refreshing
        # the states of the same articles (each pinning the other) take turns.
        tracked = tracked.select_for_update()
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


def _latest_fingerprint(article_id):
    latest = SignOff.objects.filter(article_id=article_id).values_list("fingerprint", flat=True)
    return latest.first() or ""


@receiver(pre_save, sender=ArticleReviewState, dispatch_uid="review-state-loaded")
def _state_loaded(sender, instance, raw=False, **kwargs):
    if raw and not instance.signed_off_fingerprint:
        instance.signed_off_fingerprint = _latest_fingerprint(instance.article_id)


@receiver(post_save, sender=SignOff, dispatch_uid="review-sign-off-loaded")
def _sign_off_loaded(sender, instance, raw=False, **kwargs):
    if raw:
        ArticleReviewState.objects.filter(article_id=instance.article_id).update(
            signed_off_fingerprint=_latest_fingerprint(instance.article_id)
        )
