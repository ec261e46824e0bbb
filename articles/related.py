"""The See-also engine: which articles an article points readers to, and where.

Editors' pinned links come first, in their order; the rest are published
articles sharing the most tags with this one (ties: most recently published,
then highest id). Counted and limited in one SQL query: taggit's
`similar_objects()` loads every article sharing any tag into Python and can
neither filter by status nor stop early (taggit #751, #709).
"""

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from .models import Article


def related_articles(content, limit=None):
    """Up to `limit` (default `SEE_ALSO_COUNT`) published articles, pins first.

    `content` is an `articles.page.ArticleContent`: the article, the ids its
    pinned links point to, and its tags. One query finds both the pinned
    articles readers may see and those sharing the most tags; none when there
    are neither pins nor tags.
    """
    limit = settings.SEE_ALSO_COUNT if limit is None else limit
    pinned = content.pinned[:limit]
    tag_ids = [tag.pk for tag in content.tags if tag.pk]
    if not (pinned or tag_ids) or limit <= 0:
        return []
    shares_a_tag = Q(taggedarticle__tag_id__in=tag_ids)
    pin_order = Case(
        *(When(pk=pk, then=Value(order)) for order, pk in enumerate(pinned)),
        output_field=IntegerField(),
    )
    related = (
        Article.objects.published()
        .exclude(pk=content.article.pk)
        .filter(Q(pk__in=pinned) | shares_a_tag)
        .annotate(pin=pin_order, shared_tags=Count("taggedarticle", filter=shares_a_tag))
        .order_by(F("pin").asc(nulls_last=True), "-shared_tags", "-publish_at", "-pk")
        .only("title", "slug", "subtitle", "meta_description", "publish_at")
    )
    return list(related[:limit])


def spread_callouts(causes, questions, related, limit=None):
    """Pair each cause and question with the See-also callout shown after it, if any.

    Callouts go only in gaps *between* two causes or two questions, at most
    one per gap and spread evenly, so two callouts are never adjacent and
    none dangles at the end of a list. Returns two lists of (item, article
    or None). At most `limit` (default `SEE_ALSO_CALLOUTS`) callouts, and no
    more than every other gap.
    """
    limit = settings.SEE_ALSO_CALLOUTS if limit is None else limit
    causes, questions = list(causes), list(questions)
    gaps = [("cause", i) for i in range(len(causes) - 1)]
    gaps += [("question", i) for i in range(len(questions) - 1)]
    count = min(len(related), limit, (len(gaps) + 1) // 2)
    placed = {gaps[(n + 1) * len(gaps) // (count + 1)]: related[n] for n in range(count)}
    return (
        [(item, placed.get(("cause", i))) for i, item in enumerate(causes)],
        [(item, placed.get(("question", i))) for i, item in enumerate(questions)],
    )
