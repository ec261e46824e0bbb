"""The See-also engine: which articles an article points readers to, and where.

Editors' pinned links come first, in their order; the rest are published
articles sharing the most tags with this one (ties: most recently published,
then highest id). Counted and limited in one SQL query: taggit's
`similar_objects()` loads every article sharing any tag into Python and can
neither filter by status nor stop early (taggit #751, #709).
"""

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .models import Article, TaggedArticle


def related_articles(content, limit=None):
    """Up to `limit` (default `SEE_ALSO_COUNT`) published articles, pins first.

    `content` is an `articles.page.ArticleContent`: the article, the ids its
    pinned links point to, and its tags. One query: the pinned articles
    readers may see, and those sharing the most tags among the candidates
    (`_candidates()`). None when there are neither pins nor tags.
    """
    limit = settings.SEE_ALSO_COUNT if limit is None else limit
    pinned = content.pinned[:limit]
    tag_ids = sorted({tag.pk for tag in content.tags if tag.pk})
    if not (pinned or tag_ids) or limit <= 0:
        return []
    this = content.article.pk
    # Pinned articles may be candidates too: enough of the rest to fill the list.
    most_shared = _candidates(this, tag_ids, limit + len(pinned))
    shares_a_tag = Q(taggedarticle__tag_id__in=tag_ids)
    pin_order = Case(
        *(When(pk=pk, then=Value(order)) for order, pk in enumerate(pinned)),
        output_field=IntegerField(),
    )
    related = (
        Article.objects.published()
        .exclude(pk=this)
        .filter(Q(pk__in=pinned) | Q(pk__in=most_shared))
        .annotate(pin=pin_order, shared_tags=Count("taggedarticle", filter=shares_a_tag))
        .order_by(F("pin").asc(nulls_last=True), "-shared_tags", "-publish_at", "-pk")
        .only("title", "slug", "subtitle", "meta_description", "publish_at")
    )
    return list(related[:limit])


def _candidates(article_id, tag_ids, limit):
    """SQL for the ids of the `limit` articles sharing the most of these tags with this one.

    Candidates are the newest `SEE_ALSO_CANDIDATES_PER_TAG` published articles
    of each tag, read off the index of published taggings (tag, publish time;
    see tag_index.py): a bounded amount of work however many articles a tag
    has. Below that many articles a tag, every article is a candidate.
    """
    if not tag_ids:
        return []
    table = connection.ops.quote_name(TaggedArticle._meta.db_table)
    # One ordered, limited index range per tag (wrapped: SQLite allows no
    # LIMIT directly inside a UNION), then counted.
    newest = (
        f"SELECT * FROM (SELECT content_object_id, published_at FROM {table} "
        "WHERE tag_id = %s AND published_at <= %s AND content_object_id <> %s "
        "ORDER BY published_at DESC, content_object_id DESC LIMIT %s)"
    )
    union = " UNION ALL ".join(f"{newest} AS tag_{n}" for n in range(len(tag_ids)))
    sql = (
        f"SELECT candidate.content_object_id FROM ({union}) AS candidate "
        "GROUP BY candidate.content_object_id "
        "ORDER BY COUNT(*) DESC, MAX(candidate.published_at) DESC, "
        "candidate.content_object_id DESC LIMIT %s"
    )
    now, per_tag = timezone.now(), settings.SEE_ALSO_CANDIDATES_PER_TAG
    params = [value for tag_id in tag_ids for value in (tag_id, now, article_id, per_tag)]
    return RawSQL(sql, [*params, limit])


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
