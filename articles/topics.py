"""Topics are taggit tags seen from the reader's side: only what is published counts.

The counts come from `TopicCount` (kept by articles/tag_index.py) less the
articles still waiting for their publish time: a read of the few rows with a
count, whatever the number of articles.
"""

from functools import lru_cache

from django.db import IntegrityError, connection, router, transaction
from django.db.models import DateTimeField, F, IntegerField, SlugField
from django.utils import timezone
from taggit.models import Tag, TagBase

from faq.models import FAQEntry
from healthsite.db import Param, Prepared, loaded
from healthsite.slug_urls import slug_urls

from .models import Article, Cause, TaggedArticle, TopicCount
from .tag_index import kept_less_scheduled, quoted_table, scheduled_counts


def topics():
    """Tags of published articles, each with `article_count` and `url`, alphabetical."""
    return _counted(_kept_counts("g.name"), scheduled_counts())


def article_count(tag, now=None):
    """How many published articles readers can see with this tag, as `topics()`
    counts them: its kept count less its scheduled articles. One query, whatever
    the number of articles the tag has."""
    count = kept_less_scheduled(
        f"SELECT c.published - (SELECT COUNT(*) FROM {quoted_table(TaggedArticle)} t "
        f"WHERE t.tag_id = %s AND t.published_at > %s) FROM {quoted_table(TopicCount)} c "
        f"WHERE c.tag_id = %s",
        [tag.pk, now or timezone.now(), tag.pk],
    )
    return count or 0


def top_topics(limit):
    """The `limit` tags with the most published articles (ties: by name)."""
    scheduled = scheduled_counts()
    # A scheduled article lowers one count per tag it has: looking `len(scheduled)`
    # rows further is enough for the top `limit` once those are taken off.
    rows = _kept_counts("c.published DESC, g.name", limit=int(limit) + len(scheduled))
    found = _counted(rows, scheduled)
    if scheduled:
        found.sort(key=lambda tag: (-tag.article_count, tag.name.casefold()))
    return found[:limit]


def _kept_counts(order_by, limit=None):
    """(tag, kept count) of the tags with published articles, in SQL `order_by`.

    Written in SQL, as `article_count`: the home and topics pages show them,
    and the ORM took longer to build the query than the database to answer
    it. A limit is a number in the SQL, as in articles/related.py.
    """
    sql = (
        f"SELECT g.id, g.name, g.slug, c.published FROM {quoted_table(TopicCount)} c "
        f"INNER JOIN {quoted_table(Tag)} g ON g.id = c.tag_id WHERE c.published > 0 "
        f"ORDER BY {order_by}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(Tag(id=pk, name=name, slug=slug), n) for pk, name, slug, n in cursor.fetchall()]


def _counted(rows, scheduled):
    """The tags of (tag, kept count) rows that readers can see, each with its
    `article_count` and `url`."""
    tag_url = slug_urls("articles:tag")  # one reversal for every topic's link
    found = []
    for tag, published in rows:
        tag.article_count = published - scheduled.get(tag.pk, 0)
        if tag.article_count > 0:
            tag.url = tag_url(tag.slug)
            found.append(tag)
    return found


_TAG = Prepared(Tag.objects.filter(slug=Param("slug", SlugField())))


def tag_with_slug(slug):
    """The tag with this slug, or None. The tag page's queries are each built
    once (`healthsite.db.Prepared`): building them took longer than running them."""
    found = _TAG.run(slug=slug)
    return found[0] if found else None


def tagged_causes(tag, limit):
    """The first `limit` causes with this tag, by name: their names and slugs."""
    return _tagged_causes(limit).run(tag=tag.pk)


def tagged_questions(tag, limit):
    """The first `limit` questions with this tag that readers can see, in their
    order, each with its article's slug, so that `get_absolute_url()` asks nothing."""
    entries = _tagged_questions(limit).run(tag=tag.pk, now=timezone.now())
    for entry in entries:
        if entry.article_id is not None:
            values = {"id": entry.article_id, "slug": entry.article_slug}
            article = loaded(Article, entry._state.db, values)
            FAQEntry.article.field.set_cached_value(entry, article)
    return entries


@lru_cache(maxsize=8)
def _tagged_causes(limit):
    tagged = Cause.objects.filter(tags=Param("tag", IntegerField()))
    return Prepared(tagged.only("name", "slug")[:limit])


@lru_cache(maxsize=8)
def _tagged_questions(limit):
    tagged = FAQEntry.objects.visible(now=Param("now", DateTimeField()))
    tagged = tagged.filter(tags=Param("tag", IntegerField()))
    tagged = tagged.annotate(article_slug=F("article__slug"))
    return Prepared(tagged.only("question", "article_id")[:limit])


# The slug of a tag whose name has nothing sluggable in it ("!!!"): taggit's
# would be empty, which no URL can hold.
UNSLUGGABLE_SLUG = "topic"
# A slug's first part, kept short enough for taggit's "_1", "_2"… after it
# within the 100 characters a slug holds: two long names making one slug
# ("Knee…" and "knee…") got a 102-character one, a 500 on PostgreSQL.
SLUG_ROOT_LENGTH = 90


def slugify_tag(tag, name, i=None):
    """taggit's `Tag.slugify`, with `UNSLUGGABLE_SLUG` for a name it makes nothing
    of, and at most `SLUG_ROOT_LENGTH` characters before the number.

    Put in place of taggit's by `ArticlesConfig.ready`: taggit's `save` retries a
    taken slug with `slugify(name, 1)`, `slugify(name, 2)`, … skipping the slugs
    that start with the first, so such names get "topic", "topic_1", "topic_2".
    A slug set afterwards (in `pre_save`) escaped that check: taggit retried
    with "_1", and the third such tag met the second's.
    """
    root = (TagBase.slugify(tag, name) or UNSLUGGABLE_SLUG)[:SLUG_ROOT_LENGTH]
    return root if i is None else f"{root}_{i}"


# Tries at a slug before an editor's save gives up: each one lost to another
# editor who took the same slug at the same moment.
SLUG_ATTEMPTS = 5


def save_tag(tag, *args, **kwargs):
    """taggit's `Tag.save`, tried again when another editor took the slug it chose.

    Put in place of taggit's by `ArticlesConfig.ready`. taggit picks the first
    free slug ("topic", "topic_1", …) among those it can see, then saves outside
    any savepoint: a new tag saved while another editor's uncommitted one held
    that slug failed when theirs committed, and the whole save was lost. Each
    try is in a savepoint; a slug taken meanwhile is chosen again among the slugs
    now committed. A name taken meanwhile is not retried: `get_or_create`, which
    taggit adds tags with, then finds that tag.
    """
    if not tag._state.adding or tag.slug:
        return TagBase.save(tag, *args, **kwargs)
    using = kwargs.get("using") or router.db_for_write(type(tag), instance=tag)
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        try:
            with transaction.atomic(using=using):
                return TagBase.save(tag, *args, **kwargs)
        except IntegrityError:
            tag.slug = ""
            name_taken = type(tag)._default_manager.using(using).filter(name=tag.name).exists()
            if name_taken or attempt == SLUG_ATTEMPTS:
                raise
