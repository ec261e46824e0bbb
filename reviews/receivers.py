"""Keep `ArticleReviewState` fingerprints current when reader-visible content changes.

Told by `articles.changes`, like search. Only articles signed off at least once
have a state to refresh; for the rest a change costs one small query.
"""

from articles.changes import on_articles_changed

from .fingerprint import content_fingerprints
from .models import ArticleReviewState


@on_articles_changed
def refresh_review_states(article_ids):
    """Re-fingerprint these articles, if they have been signed off."""
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
