"""The See-also engine: which articles an article points readers to, and where.

Editors' pinned links come first, in their order; the rest are published
articles sharing the most tags with this one (ties: most recently published,
then highest id). Counted and limited in one SQL query: taggit's
`similar_objects()` loads every article sharing any tag into Python and can
neither filter by status nor stop early (taggit #751, #709).
"""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Article, TaggedArticle


def related_articles(content, limit=None):
    """Up to `limit` (default `SEE_ALSO_COUNT`) published articles, pins first.

    `content` is an `articles.page.ArticleContent`: the article (unsaved in a
    preview), the ids its pinned links point to, and its tags. One query:
    the pinned articles readers may see, then those sharing the most tags
    among the candidates (`CANDIDATES_OF_A_TAG`). None when there are neither pins
    nor tags. Written in SQL: it runs for every article page, and the ORM
    took longer to build it than the database to answer it.

    Its limits are numbers in the SQL, not parameters. PostgreSQL plans a
    prepared statement (settings.py) once for all values only if that plan
    looks no costlier than planning for each; a LIMIT it cannot see, it
    guesses, so at 100,000 articles it planned this query on every request,
    which was a third of the database's work for the page.
    """
    limit = int(settings.SEE_ALSO_COUNT if limit is None else limit)
    # Every pin, not the first `limit`: one to an article readers cannot see
    # (a draft) takes no place, so no draft changes a published page.
    pinned = list(content.pinned)
    tag_ids = sorted({tag.pk for tag in content.tags if tag.pk})
    if not (pinned or tag_ids) or limit <= 0:
        return []
    now = timezone.now()
    this = content.article.pk or 0  # no article has id 0
    quote = connection.ops.quote_name
    article, tagged = quote(Article._meta.db_table), quote(TaggedArticle._meta.db_table)
    # The ids chosen, in one subquery: pinned and shared-tag ids ORed as two
    # conditions made PostgreSQL read every article (90 to 170 ms at 100,000).
    chosen, params = ["SELECT CAST(%s AS bigint)"] * len(pinned), list(pinned)
    if tag_ids:
        per_tag = int(settings.SEE_ALSO_CANDIDATES_PER_TAG)
        newest = " UNION ALL ".join(
            CANDIDATES_OF_A_TAG.format(tagged=tagged, n=n, limit=per_tag)
            for n in range(len(tag_ids))
        )
        # `limit` candidates fill the list whichever pins readers see: if k of
        # them are pins, k pins are shown and limit - k are left. Not more with
        # more pins: a pin to a draft would then change which articles show.
        chosen.append(MOST_SHARED.format(newest=newest, limit=limit))
        params += [value for tag_id in tag_ids for value in (tag_id, now, this)]
    order = []
    if pinned:  # pins first, in their order
        whens = " ".join(f"WHEN a.id = %s THEN {n}" for n in range(len(pinned)))
        order.append(f"CASE {whens} ELSE {len(pinned)} END")
    if tag_ids:  # then the most shared tags
        order.append(
            f"(SELECT COUNT(*) FROM {tagged} t WHERE t.content_object_id = a.id "
            f"AND t.tag_id IN ({', '.join(['%s'] * len(tag_ids))})) DESC"
        )
    sql = (
        f"SELECT a.id, a.title, a.slug, a.subtitle, a.meta_description, a.publish_at "
        f"FROM {article} a WHERE a.status = %s AND a.publish_at <= %s AND a.id <> %s "
        f"AND a.id IN ({' UNION ALL '.join(chosen)}) "
        f"ORDER BY {', '.join(order)}, a.publish_at DESC, a.id DESC LIMIT {limit}"
    )
    params = [Article.Status.PUBLISHED, now, this, *params, *pinned, *tag_ids]
    return list(Article.objects.raw(sql, params))


# The newest published articles of one tag, from the index of published
# taggings (tag, publish time; see tag_index.py): bounded work however many
# articles the tag has. Wrapped: SQLite allows no LIMIT directly in a UNION.
CANDIDATES_OF_A_TAG = (
    "SELECT * FROM (SELECT content_object_id, published_at FROM {tagged} "
    "WHERE tag_id = %s AND published_at <= %s AND content_object_id <> %s "
    "ORDER BY published_at DESC, content_object_id DESC LIMIT {limit}) AS tag_{n}"
)
# Of the candidates of every tag, those sharing the most tags (ties: newest).
MOST_SHARED = (
    "SELECT * FROM (SELECT candidate.content_object_id FROM ({newest}) AS candidate "
    "GROUP BY candidate.content_object_id ORDER BY COUNT(*) DESC, "
    "MAX(candidate.published_at) DESC, candidate.content_object_id DESC LIMIT {limit}) AS shared"
)


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
